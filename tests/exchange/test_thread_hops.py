"""Issue 15: FastAPI runs every sync dependency in a worker thread, a hop of about 45 us of CPU each (and a hand-over
of the GIL both ways). On the four calls of an exchange only the dependencies that read the database are sync: the
token check (its revocation row), the operation's authorization (its access table may be built on a reload), and
the request's unit of work. The trace, the clock and the contexts are gathered on the event loop. The exchange's own
routes are async and run their work in one worker thread: FastAPI validates a sync route's returned model in a
worker thread of its own, a second hop."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from hub.auth.authorization import OperationAuthorization
from hub.auth.dependencies import current_caller
from hub.db import get_session

EXCHANGE_CALLS = [
    ("POST", "/v1/notifications/detention-started"),
    ("POST", "/v1/cases/{case_id}/requests"),
    ("POST", "/v1/inbox/{request_id}/answer"),
    ("GET", "/v1/requests/{request_id}/answer"),
]


def sync_dependencies(dependant: Dependant) -> set[str]:
    """The names of the sync callables in a route's dependency tree (each one a worker-thread hop)."""
    found, stack = set(), list(dependant.dependencies)
    while stack:
        current = stack.pop()
        stack.extend(current.dependencies)
        call: Any = current.call
        if call is None or inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__):
            continue
        if call is get_session or call is current_caller or isinstance(call, OperationAuthorization):
            continue  # they read the database
        found.add(getattr(call, "__qualname__", repr(call)))
    return found


@pytest.mark.parametrize(("method", "path"), EXCHANGE_CALLS)
def test_an_exchange_call_hops_to_a_worker_thread_only_for_the_database(app, method: str, path: str) -> None:
    [route] = [r for r in iter_route_contexts(app.routes) if r.path == path and method in (r.methods or ())]
    assert sync_dependencies(route.dependant) == set()


@pytest.mark.parametrize(("method", "path"), [c for c in EXCHANGE_CALLS if "notifications" not in c[1]])
def test_an_exchange_route_is_async_so_its_answer_is_not_validated_in_a_second_thread(
    app, method: str, path: str
) -> None:
    [route] = [r for r in iter_route_contexts(app.routes) if r.path == path and method in (r.methods or ())]
    assert inspect.iscoroutinefunction(route.original_route.endpoint)
