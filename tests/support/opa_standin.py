"""A STAND-IN for an OPA server, for tests and benchmarks only. It is NOT OPA.

No OPA binary can be installed on the development machines, so the remote decision point
(hub.policy.remote) is exercised against this small server instead. It speaks the part of OPA's REST
API the hub uses, with OPA's response shapes:

- `POST /v1/data/{path}` with `{"input": ...}` -> `{"result": ..., "decision_id": "..."}`, or
  `{"decision_id": "..."}` without `result` when the document is undefined (as OPA does);
- `GET /v1/data/{path}` -> `{"result": ...}` for a data document (base documents only: it does not
  evaluate rules there, as OPA would), `{}` when undefined;
- `GET /v1/policies` -> `{"result": [{"id": ..., "raw": ...}]}`: every module with OPA's id (the file path
  under `root`, as `opa run /policies` gives it) and raw text, test modules included (OPA loads them too),
  without OPA's `ast`;
- `PUT /v1/policies/{id}` with a Rego module as text/plain -> `{}`, or 400 with OPA's error shape;
- `GET /health` -> `{}`.

With a `token` it also does what `opa run --authentication=token --authorization=basic` does with
deploy/opa/authz.rego: every request's bearer token becomes `input.identity`, and the request is served only
when that policy's `data.system.authz.allow` is true for OPA's input shape (`identity`, `method`, `path`,
`params`, `headers`; not `body`, which the policy does not read), with `data.hub_authz.token_sha256` the
token's SHA-256 as ./secrets/opa-authz.json gives it; otherwise 401 with OPA's body. The policy is
evaluated by regopy, so the suite runs the real authz.rego through a real engine.

It evaluates with the embedded regopy engine over the same `policies/` directory, so it can only
answer the entry points the hub compiles (hub.policy.bundle.ENTRYPOINTS). What it proves is that the
hub's remote client, its token, its timeout and its fail-closed handling work over real HTTP; it proves
nothing about OPA's own evaluation, for which docker-compose runs the real OPA with `policies/` mounted.

`delay_seconds` makes every data query slow, to test the hub's timeout. `replace_module` changes a module
the way editing a mounted file does under `opa run --watch` (no API call, so no token needed).

Run: `python -m tests.support.opa_standin --port 8181 [--policies policies/] [--token-file secrets/opa-token]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeGuard, get_args
from urllib.parse import unquote

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from regopy import Input, Interpreter

from hub.config import ROOT
from hub.policy.bundle import ENTRYPOINTS, PolicyLoadError, PolicySource, read_source
from hub.policy.pdp import EmbeddedPDP, PolicyUnavailable, Rule
from hub.policy.remote import DEFAULT_POLICIES_ROOT, opa_authz_data


def _is_rule(name: str) -> TypeGuard[Rule]:
    return name in get_args(Rule)


_RULE_BY_PATH: dict[str, Rule] = {path: rule for rule, path in ENTRYPOINTS.items() if _is_rule(rule)}
AUTHZ_POLICY = ROOT / "deploy" / "opa" / "authz.rego"
AUTHZ_MODULE_ID = "/authz/authz.rego"  # where docker-compose mounts it
_AUTHZ_ENTRYPOINT = "system/authz/allow"
_UNAUTHORIZED = {"code": "unauthorized", "message": "request rejected by administrative policy"}


class _StandinEngine(EmbeddedPDP):
    """The embedded engine over an in-memory copy of the policies that PUT /v1/policies can change.

    Modules carry OPA's ids (`<root>/<relative path>`); test modules are listed but never compiled."""

    kind = "opa-standin"

    def __init__(self, policies_dir: Path, root: str) -> None:
        source = read_source(policies_dir)
        self._source = dataclasses.replace(
            source, modules=tuple((f"{root}/{name}", text) for name, text in source.modules)
        )
        self.test_modules = tuple(
            (f"{root}/{path.relative_to(policies_dir).as_posix()}", path.read_text())
            for path in sorted(policies_dir.rglob("*_test.rego"))
        )
        super().__init__(policies_dir)

    def _read(self) -> PolicySource:
        return self._source

    @property
    def source(self) -> PolicySource:
        return self._source

    def put_module(self, module_id: str, text: str) -> None:
        modules = dict(self._source.modules)
        modules[module_id] = text
        previous = self._source
        self._source = dataclasses.replace(
            previous, modules=tuple(modules.items()), revision=f"standin:{uuid.uuid4().hex}"
        )
        try:
            self.reload()
        except PolicyLoadError:
            self._source = previous
            raise


class _Authorizer:
    """deploy/opa/authz.rego through regopy, as OPA's `--authorization=basic` runs it."""

    def __init__(self, token: str, policy: Path) -> None:
        self.module = (AUTHZ_MODULE_ID, policy.read_text())
        builder = Interpreter()
        builder.add_module(policy.name, self.module[1])
        builder.add_data(opa_authz_data(token))
        self._bundle = builder.build(None, [_AUTHZ_ENTRYPOINT])
        if not self._bundle.ok():
            raise PolicyLoadError(f"{policy} does not compile: {str(self._bundle.node())[:300]}")
        self._lock = threading.Lock()  # one Interpreter is not safe to share between threads
        self._interpreter = Interpreter()

    def allows(self, input_doc: dict[str, Any]) -> bool:
        with self._lock:
            self._interpreter.set_input(Input(input_doc))
            output = self._interpreter.query_bundle_entrypoint(self._bundle, _AUTHZ_ENTRYPOINT)
        if not output.ok():
            raise PolicyUnavailable(f"authorization policy error: {str(output)[:300]}")
        return len(output) == 1 and output[0].expressions[0] is True


def authz_input(request: Request) -> dict[str, Any]:
    """OPA's input document for its authorization policy (server/authorizer), without `body`."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = raw_path.decode("latin-1").split("?", 1)[0]
    params = request.query_params
    input_doc: dict[str, Any] = {
        "method": request.method.upper(),
        "path": [unquote(part) for part in path[1:].split("/")] if path else [],
        "params": {name: params.getlist(name) for name in params},
        "headers": {_canonical(name): request.headers.getlist(name) for name in request.headers},
    }
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token and " " not in token:
        input_doc["identity"] = token
    return input_doc


def _canonical(header: str) -> str:
    return "-".join(part.capitalize() for part in header.split("-"))


def create_standin(
    policies_dir: Path,
    delay_seconds: float = 0.0,
    token: str | None = None,
    root: str = DEFAULT_POLICIES_ROOT,
    authz_policy: Path = AUTHZ_POLICY,
) -> FastAPI:
    """The stand-in application (see the module docstring)."""
    engine = _StandinEngine(policies_dir, root.rstrip("/"))
    authorizer = _Authorizer(token, authz_policy) if token else None
    app = FastAPI(title="OPA stand-in (test only, not OPA)")
    app.state.engine = engine
    app.state.delay_seconds = delay_seconds

    if authorizer is not None:

        @app.middleware("http")
        async def authorize(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            try:
                allowed = authorizer.allows(authz_input(request))
            except PolicyUnavailable as exc:
                return JSONResponse({"code": "internal_error", "message": str(exc)}, status_code=500)
            if not allowed:
                return JSONResponse(_UNAUTHORIZED, status_code=401)
            return await call_next(request)

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

    @app.get("/v1/data/{path:path}")
    def read_data(path: str) -> JSONResponse:
        node: Any = engine.source.data
        for part in path.strip("/").split("/"):
            if not isinstance(node, dict) or part not in node:
                return JSONResponse({})
            node = node[part]
        return JSONResponse({"result": node})

    @app.get("/v1/policies")
    def list_policies() -> JSONResponse:
        modules = [*engine.source.modules, *engine.test_modules, *([authorizer.module] if authorizer else [])]
        return JSONResponse({"result": [{"id": module_id, "raw": raw} for module_id, raw in modules]})

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

    def __init__(
        self,
        policies_dir: Path,
        delay_seconds: float = 0.0,
        token: str | None = None,
        root: str = DEFAULT_POLICIES_ROOT,
    ) -> None:
        self.root = root.rstrip("/")
        self.app = create_standin(policies_dir, delay_seconds, token, self.root)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # In-process: do not apply uvicorn's logging config, which would take its loggers off the root logger
        # (and so off the hub's scrubbing handler) for the whole process. access_log=False still stops
        # `uvicorn.access` from propagating, as `hub serve` does too.
        config = uvicorn.Config(self.app, log_config=None, log_level=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="opa-standin", daemon=True
        )

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

    def module_id(self, relative: str) -> str:
        """OPA's id of the module at `relative` in the policy folder (`dt/request.rego` -> `/policies/...`)."""
        return f"{self.root}/{relative}"

    def replace_module(self, relative: str, text: str) -> None:
        """Change a module as editing its mounted file would (OPA with --watch reloads it); raises
        PolicyLoadError when it does not compile, and the old module stays."""
        self.app.state.engine.put_module(self.module_id(relative), text)


def main() -> None:
    parser = argparse.ArgumentParser(description="OPA stand-in for tests and benchmarks (not OPA)")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument("--policies", type=Path, default=Path(__file__).resolve().parents[2] / "policies")
    parser.add_argument(
        "--token-file",
        type=Path,
        default=None,
        help="require this bearer token (deploy/opa/authz.rego), read from a file",
    )
    args = parser.parse_args()
    token = args.token_file.read_text().strip() if args.token_file else None
    uvicorn.run(create_standin(args.policies, token=token), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
