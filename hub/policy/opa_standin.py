"""A STAND-IN for an OPA server, for tests and benchmarks only. It is NOT OPA.

No OPA binary can be installed on the development machines, so the remote decision point
(hub.policy.remote) is exercised against this small server instead. It speaks the part of OPA's REST
API the hub uses, with OPA's response shapes:

- `POST /v1/data/{path}` with `{"input": ...}` -> `{"result": ..., "decision_id": "..."}`, or
  `{"decision_id": "..."}` without `result` when the document is undefined (as OPA does);
- `PUT /v1/policies/{id}` with a Rego module as text/plain -> `{}`, or 400 with OPA's error shape;
- `GET /health` -> `{}`.

It evaluates with the embedded regopy engine over the same `policies/` directory, so it can only
answer the entry points the hub compiles (hub.policy.bundle.ENTRYPOINTS). What it proves is that the
hub's remote client, its timeout and its fail-closed handling work over real HTTP; it proves nothing
about OPA's own evaluation, for which docker-compose runs the real OPA with `policies/` mounted.

`delay_seconds` makes every data query slow, to test the hub's timeout.

Run: `python -m hub.policy.opa_standin --port 8181 [--policies policies/]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hub.policy.bundle import ENTRYPOINTS, PolicyLoadError, PolicySource, read_source
from hub.policy.pdp import EmbeddedPDP, PolicyUnavailable

_RULE_BY_PATH = {path: rule for rule, path in ENTRYPOINTS.items()}


class _StandinEngine(EmbeddedPDP):
    """The embedded engine over an in-memory copy of the policies that PUT /v1/policies can change."""

    kind = "opa-standin"

    def __init__(self, policies_dir: Path) -> None:
        self._source = read_source(policies_dir)
        super().__init__(policies_dir)

    def _read(self) -> PolicySource:
        return self._source

    def put_module(self, module_id: str, text: str) -> None:
        modules = dict(self._source.modules)
        modules[module_id] = text
        previous = self._source
        self._source = dataclasses.replace(previous, modules=tuple(modules.items()),
                                           revision=f"standin:{uuid.uuid4().hex}")
        try:
            self.reload()
        except PolicyLoadError:
            self._source = previous
            raise


def create_standin(policies_dir: Path, delay_seconds: float = 0.0) -> FastAPI:
    """The stand-in application (see the module docstring)."""
    engine = _StandinEngine(policies_dir)
    app = FastAPI(title="OPA stand-in (test only, not OPA)")
    app.state.engine = engine
    app.state.delay_seconds = delay_seconds

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {}

    @app.post("/v1/data/{path:path}")
    def data(path: str, body: dict[str, Any]) -> JSONResponse:
        if app.state.delay_seconds:
            time.sleep(app.state.delay_seconds)
        decision_id = str(uuid.uuid4())
        rule = _RULE_BY_PATH.get(path.strip("/"))
        if rule is None:
            return JSONResponse({"decision_id": decision_id})
        try:
            result = engine.decide(rule, body.get("input", {}))
        except PolicyUnavailable as exc:
            return JSONResponse({"code": "internal_error", "message": str(exc)}, status_code=500)
        return JSONResponse({"result": result.value, "decision_id": decision_id})

    @app.put("/v1/policies/{module_id:path}")
    async def put_policy(module_id: str, request: Request) -> JSONResponse:
        text = (await request.body()).decode("utf-8", errors="replace")
        try:
            engine.put_module(module_id, text)
        except PolicyLoadError as exc:
            return JSONResponse({"code": "invalid_parameter", "message": str(exc)}, status_code=400)
        return JSONResponse({})

    return app


class StandinServer:
    """The stand-in served by uvicorn on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, policies_dir: Path, delay_seconds: float = 0.0) -> None:
        self.app = create_standin(policies_dir, delay_seconds)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="opa-standin", daemon=True)

    def __enter__(self) -> StandinServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the OPA stand-in did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def set_delay(self, seconds: float) -> None:
        self.app.state.delay_seconds = seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="OPA stand-in for tests and benchmarks (not OPA)")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument("--policies", type=Path, default=Path(__file__).resolve().parents[2] / "policies")
    args = parser.parse_args()
    uvicorn.run(create_standin(args.policies), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
