"""/docs: Swagger UI served by the hub itself, from the files the `fastapi-offline` package ships (no CDN,
works offline). Only its two Swagger UI files are used, not its FastAPI subclass. (`swagger-ui-bundle` ships
Swagger UI 4, which cannot read the OpenAPI 3.1 document FastAPI writes.)

On by default in development; in production only when HUB_DOCS_ENABLED is set. The page is plain HTML that
loads the bundle and a small start script (no inline script), so the strict HTML_CSP of
hub.security_headers applies to it as to every other page. /openapi.json is always served: partners build
their clients from it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response

from hub.config import Settings

HERE = Path(__file__).resolve().parent
SWAGGER_UI = files("fastapi_offline") / "static"
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs_page() -> HTMLResponse:
    return HTMLResponse((HERE / "page.html").read_text(encoding="utf-8"))


@router.get("/docs/start.js")
def docs_start() -> Response:
    return FileResponse(HERE / "start.js", media_type="text/javascript")


def _asset(name: str, media_type: str):
    def serve() -> Response:
        return FileResponse(str(SWAGGER_UI / name), media_type=media_type)

    return serve


# One route per file the page needs (the package's other files, its demo page among them, are not served).
for _name, _media_type in ASSETS.items():
    router.add_api_route(f"/docs/assets/{_name}", _asset(_name, _media_type), methods=["GET"])


def install(app: FastAPI, settings: Settings) -> None:
    if settings.serves_docs:
        app.include_router(router)
