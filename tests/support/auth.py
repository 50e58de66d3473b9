"""Test support for every capability: partners that authenticate for real (pytest plugin).

Registered in tests/conftest.py with `pytest_plugins = ["tests.support.auth"]`. Fixtures:

- `partner_client(client_id, actor="medewerker-1", **kwargs)` -> a `partners.client.HubClient` bound to the
  `client` fixture (FastAPI TestClient): a real private_key_jwt assertion, a real token, cached.
  `hub = partner_client("zvh-gooi-en-vechtstreek"); hub.post("/v1/...", json={...})`
- `auth_headers(client_id, actor="medewerker-1")` -> {"Authorization": "Bearer ...", "X-Acting-Person": ...}
- `dev_registry` -> the development partner registry (hub.auth.registry.Registry), loaded once per session.
- `make_caller(client_id, actor="medewerker-1")` -> a `Caller` for service-level tests without HTTP
  (scopes from the role, token_id "test-<client_id>"). Never use it to bypass token checks in HTTP tests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey

from hub.auth.principal import Caller
from hub.auth.registry import Registry, load_registry
from hub.auth.scopes import scopes_for
from hub.config import Settings
from partners.client import DEV_KEYS, HubClient, load_private_key

DEFAULT_ACTOR = "medewerker-1"


def partner_key(client_id: str) -> RSAKey:
    """A development partner's private key, imported once per test process (an RSA import costs ~0.1 s, and
    nearly every test makes partner clients); imported again only when the key file changed."""
    path = DEV_KEYS / f"{client_id}.key.pem"
    return _imported_key(path, path.stat().st_mtime_ns)


@cache
def _imported_key(path: Path, _modified_ns: int) -> RSAKey:
    return load_private_key(path)


@pytest.fixture
def partner_client(client) -> Callable[..., HubClient]:
    """Factory: a HubClient for a registry partner, talking to the test app through the `client` fixture."""

    def make(client_id: str, actor: str | None = DEFAULT_ACTOR, **kwargs) -> HubClient:
        return HubClient(
            client_id,
            partner_key(client_id),
            base_url=str(client.base_url),
            actor=actor,
            http=client,
            **kwargs,
        )

    return make


@pytest.fixture
def auth_headers(partner_client) -> Callable[..., dict[str, str]]:
    """Factory: request headers with a fresh real access token and the acting person."""

    def make(client_id: str, actor: str | None = DEFAULT_ACTOR) -> dict[str, str]:
        return partner_client(client_id, actor=actor).headers()

    return make


@pytest.fixture(scope="session")
def dev_registry() -> Registry:
    """The development partner registry (partners/registry/)."""
    settings = Settings(env="dev")
    return load_registry(settings.partner_registry_dir, settings)


@pytest.fixture
def make_caller(dev_registry: Registry) -> Callable[..., Caller]:
    """Factory: the Caller a route would receive for `client_id`, for service tests without HTTP."""

    def make(client_id: str, actor: str = DEFAULT_ACTOR) -> Caller:
        partner = dev_registry.by_client_id(client_id)
        if partner is None:
            raise LookupError(f"no partner {client_id!r} in the development registry")
        return Caller(partner=partner, actor=actor, scopes=scopes_for(partner.role), token_id=f"test-{client_id}")

    return make
