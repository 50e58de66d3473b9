"""/docs: Swagger UI served by the hub itself, from the `swagger-ui-bundle` package (no CDN, works offline).

On by default in development; in production only when HUB_DOCS_ENABLED is set. The page is plain HTML that
loads the bundle and a small start script (no inline script), so the strict HTML_CSP of
hub.security_headers applies to it as to every other page. /openapi.json is always served: partners build
their clients from it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from hub.config import Settings

HERE = Path(__file__).resolve().parent
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
        return FileResponse(Path(swagger_ui_path) / name, media_type=media_type)

    return serve


# One route per file the page needs (the package's other files, its demo page among them, are not served).
for _name, _media_type in ASSETS.items():
    router.add_api_route(f"/docs/assets/{_name}", _asset(_name, _media_type), methods=["GET"])


def install(app: FastAPI, settings: Settings) -> None:
    if settings.serves_docs:
        app.include_router(router)
