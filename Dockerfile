# The hub image. Development keys are not copied in (certs/dev is excluded by .dockerignore) and are refused
# outside HUB_ENV=dev anyway.
# The screens' CSS, font and htmx, installed as locked (package-lock.json); nothing third-party is committed.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY partners ./partners
COPY policies ./policies
COPY --from=assets /assets/node_modules ./node_modules
# Installed in place (-e): the hub finds policies/, partners/registry and var/ next to its package (hub.config.ROOT),
# so the image keeps the repository's layout; a plain install would put ROOT in site-packages, where none of them
# is. var/ (pid files for `hub policy reload`) and the log's witness store (/var/lib/hub-witness, its own volume in
# docker-compose.yml) are the only places the hub user may write.
RUN pip install --no-cache-dir -e . && useradd --system --uid 10001 hub \
    && mkdir -p /app/var/run /var/lib/hub-witness && chown -R hub /app/var /var/lib/hub-witness
USER hub
ENV HUB_ENV=production
EXPOSE 8000
# `hub serve` runs uvicorn with proxy headers OFF (no X-Forwarded-For rewriting of the peer address, which decides
# whether the client-certificate header is believed) and without uvicorn's access log.
CMD ["sh", "-c", "hub migrate && exec hub serve --host 0.0.0.0 --port 8000 --workers ${HUB_WORKERS:-2}"]
