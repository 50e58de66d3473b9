"""Test support: the app built once per test process for each configuration, pointed at each test's database.

`create_app` plus the first request cost about 0.3-0.9 s here, nearly all of it spent on work that depends only
on the code: FastAPI builds every included route again for each new app (dependency trees, pydantic field
adapters), the start-up check walks them (hub.auth.routing.check_routes), and the OpenAPI document is built
once per app. With ~2,400 tests that start an app, that was the largest fixed cost of the suite.

`checked_out(settings)` hands out an app built earlier for the same settings (every field equal, the database
and the witness folder aside) and points it at this test's own database: it sets `app.state.settings`, a new
engine, and a new log signer with this test's witness store, exactly as `create_app` would. Isolation stays:

- each test still has its own database (tests/conftest.py `database_url`) and its own engine and witness;
- what a test sets on `app.state` (a broken PDP, other settings, another registry) and its
  `app.dependency_overrides` are put back when the test ends, whatever it assigned;
- an app is used by one test at a time; an app already handed out (a test that asks twice) is not shared;
- a remote PDP is never shared (the app's lifespan closes it): with `opa_url` set, every test builds its own.

Only the `app` fixture uses the pool; a test that calls `create_app` itself gets a fresh app as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from hub.audit.signing import load_signer
from hub.config import Settings
from hub.db import engine_for
from hub.logging import configure_logging
from hub.main import create_app

POOL_SIZE = 6  # configurations kept per process (most tests share one; a few bring their own settings)

_pool: list[tuple[Settings, FastAPI]] = []  # most recently used last (Settings are not hashable)
_in_use: set[int] = set()


def _shape(settings: Settings) -> Settings:
    """The settings that decide how the app is built: all but this test's database and witness folder."""
    return settings.model_copy(update={"database_url": "sqlite://", "log_witness_dir": None})


def _point_at(app: FastAPI, settings: Settings) -> None:
    """What create_app does with the settings that differ from test to test."""
    configure_logging(settings.log_level, settings.log_json)
    settings.check_safe()
    app.state.settings = settings
    app.state.engine = engine_for(settings)
    app.state.log_signer = load_signer(settings)


@contextmanager
def checked_out(settings: Settings) -> Iterator[FastAPI]:
    """An app for these settings for the length of one test (see the module docstring)."""
    shape = _shape(settings)
    found = next((i for i, (kept, app) in enumerate(_pool) if kept == shape and id(app) not in _in_use), None)
    if settings.opa_url or found is None:
        app = create_app(settings)
        if not settings.opa_url:
            _pool.append((shape, app))
            del _pool[:-POOL_SIZE]
    else:
        _pool.append(_pool.pop(found))
        app = _pool[-1][1]
        _point_at(app, settings)
    state: dict[str, Any] = dict(app.state._state)
    overrides = dict(app.dependency_overrides)
    _in_use.add(id(app))
    try:
        yield app
    finally:
        _in_use.discard(id(app))
        app.state.engine.dispose()  # the lifespan disposes it too; an app never started still holds one
        app.state._state.clear()
        app.state._state.update(state)
        app.dependency_overrides.clear()
        app.dependency_overrides.update(overrides)
