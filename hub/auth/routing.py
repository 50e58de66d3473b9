"""Authorization before input: `AuthorizedRoute`, the route class of every router under /v1.

A caller that may not call a route must not learn the shape of its input: without a valid token it gets
401, and a role the API policy refuses gets 403, never a 422 naming fields. FastAPI's own order does not
guarantee that. It decodes a JSON body before it solves any dependency (malformed JSON is a 422 before the
token is looked at), and it solves dependencies in declaration order, so a dependency declared before the
route's `authorize(operation)` that refuses its input would answer first.

The route class fixes both, for every route, from what the route already declares (its operation is named
once, by the `authorize(operation)` dependency in its signature, or it only needs `CallerDep`):

1. that authorization dependency is made the route's FIRST dependency, so FastAPI runs it before any other
   and before it reports path, query, header or body errors (they are collected until all dependencies ran).
   FastAPI's per-request dependency cache runs it once; the route and its dependencies get the same Caller.
2. a validation error raised before the authorization ran (the JSON decode) is held back until the
   authorization has run: its 401/403/503 problem wins, and only an authorized caller sees the 422.

Refusals keep their problems and log events: it is the same dependency that refuses. `check_routes(app)`
(at start-up) refuses an app in which a route that checks a token is not an AuthorizedRoute.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, get_parameterless_sub_dependant, solve_dependencies
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts

_AUTHORIZED = "hub.authorized"  # request-scope flag: the route's authorization dependency has passed


def route_authorization(
    path: str, endpoint: Callable[..., Any], dependencies: Iterable[Any] = ()
) -> Callable[..., Any] | None:
    """The route's authorize(operation) dependency (an OperationAuthorization), found in its dependency tree;
    the bare authenticated caller (hub.auth.dependencies.current_caller) when it has none; None for a public route."""
    # Here, not at the top: hub.models imports this module through hub.idempotency, before the auth package.
    from hub.auth.authorization import OperationAuthorization
    from hub.auth.dependencies import current_caller

    root = get_dependant(path=path, call=endpoint)
    root.dependencies[:0] = [get_parameterless_sub_dependant(depends=d, path=path) for d in dependencies]
    found: list[OperationAuthorization] = []
    authenticated, stack = False, list(root.dependencies)
    while stack:
        dependant = stack.pop()
        call = dependant.call
        if isinstance(call, OperationAuthorization):
            found.append(call)
        authenticated = authenticated or call is current_caller
        stack.extend(dependant.dependencies)
    unique = list(dict.fromkeys(found))
    if len(unique) > 1:
        raise RuntimeError(f"route {path} authorizes more than one operation: {[c.operation for c in unique]}")
    if unique:
        return unique[0]
    return current_caller if authenticated else None


def _first(authorization: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency that only runs `authorization` and notes that it passed."""

    async def authorization_first(request: Request, _caller: Any = Depends(authorization)) -> None:  # noqa: B008
        request.scope[_AUTHORIZED] = True

    return authorization_first


class AuthorizedRoute(APIRoute):
    """Route class that authenticates and authorizes a protected route before FastAPI validates its input."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        dependencies = list(kwargs.get("dependencies") or [])
        self.authorization = route_authorization(path, endpoint, dependencies)
        self._gate: Callable[..., Any] | None = None
        if self.authorization is not None:
            self._gate = _first(self.authorization)
            kwargs["dependencies"] = [Depends(self._gate), *dependencies]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self._gate is None:
            return handler
        gate = get_dependant(path=self.path_format, call=self._gate)

        async def authorized_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (RequestValidationError, HTTPException):
                if not request.scope.get(_AUTHORIZED):
                    await _authorize(request, gate)  # raises the 401/403/503 problem of a refused caller
                raise

        return authorized_handler


async def _authorize(request: Request, gate: Any) -> None:
    """Run the route's authorization dependency alone (FastAPI failed before it solved any dependency)."""
    solved = await solve_dependencies(
        request=request,
        dependant=gate,
        dependency_overrides_provider=request.app,
        async_exit_stack=request.scope["fastapi_inner_astack"],
        embed_body_fields=False,
    )
    if solved.errors:  # the authorization's own inputs (headers): naming those tells nothing about the route
        raise RequestValidationError(solved.errors)


def check_routes(app: FastAPI) -> None:
    """Refuse to serve a route that checks a token (in its own or an inclusion's dependencies) but would not
    authorize before validating its input: it must be an AuthorizedRoute that found its authorization."""
    from hub.auth.dependencies import current_caller

    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute) or current_caller not in _calls(route.dependant):
            continue
        if not isinstance(original, AuthorizedRoute) or original.authorization is None:
            raise RuntimeError(
                f"{sorted(route.methods or ())} {route.path} checks a token but does not authorize "
                "before it validates its input: declare it on a router with "
                "route_class=AuthorizedRoute (hub.auth.routing), with its authorization in the route"
            )


def _calls(dependant: Dependant) -> set[Any]:
    calls, stack = set(), [dependant]
    while stack:
        current = stack.pop()
        calls.add(current.call)
        stack.extend(current.dependencies)
    return calls
