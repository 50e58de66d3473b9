"""Test support: the hub's token-signing key imported once per test process (pytest plugin).

Every test that builds the app (`create_app`) loads the RSA signing key named by its settings; the import costs
~0.06 s, and nearly every test builds an app. This plugin wraps `SigningKey.from_pem_file` in a cache for the
whole test session, keyed by the files' paths and modification times, so a test that writes another key (or
rewrites one) still gets the key it wrote, and a key that fails to load is never cached (its error is raised
each time). The hub itself keeps loading its key at start-up: the cache lives here, not in hub/.
Partner keys are cached the same way in tests.support.auth (partner_key).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from hub.auth.keys import SigningKey

_load = SigningKey.from_pem_file


def _stamp(path: Path | None) -> int | None:
    try:
        return path.stat().st_mtime_ns if path is not None else None
    except OSError:
        return None  # missing: the real loader raises its ConfigurationError (not cached)


@cache
def _cached(path: Path | None, previous: Path | None, _stamps: tuple[int | None, int | None]) -> SigningKey:
    return _load(path, previous)


def cached_signing_key(path: Path | None, previous_public: Path | None = None) -> SigningKey:
    return _cached(path, previous_public, (_stamp(path), _stamp(previous_public)))


@pytest.fixture(scope="session", autouse=True)
def _signing_key_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(SigningKey, "from_pem_file", staticmethod(cached_signing_key))
        yield
