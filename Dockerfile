# The hub image. Development keys are not copied in (certs/dev is excluded by .dockerignore) and are refused
# outside HUB_ENV=dev anyway.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY partners ./partners
COPY policies ./policies
RUN pip install --no-cache-dir . && useradd --system --uid 10001 hub
USER hub
ENV HUB_ENV=production
EXPOSE 8000
# `hub serve` runs uvicorn with proxy headers OFF (no X-Forwarded-For rewriting of the peer address, which decides
# whether the client-certificate header is believed) and without uvicorn's access log.
CMD ["sh", "-c", "hub migrate && exec hub serve --host 0.0.0.0 --port 8000 --workers ${HUB_WORKERS:-2}"]
