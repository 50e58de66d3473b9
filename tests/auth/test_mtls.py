"""Certificate-bound tokens (RFC 8705) with the certificate passed on by a trusted TLS-terminating proxy."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from hub.auth.mtls import thumbprint
from hub.config import Settings
from hub.main import create_app
from partners.client import DEV_KEYS, HubClient
from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH

PROXY = ("10.0.0.5", 50000)
STRANGER = ("192.0.2.7", 50000)
HEADER = "x-client-cert"


def _pem(client_id: str) -> bytes:
    return (DEV_KEYS / f"{client_id}.cert.pem").read_bytes()


def _der(client_id: str) -> bytes:
    return x509.load_pem_x509_certificate(_pem(client_id)).public_bytes(Encoding.DER)


def cert_header(client_id: str) -> dict[str, str]:
    """The certificate as nginx passes it ($ssl_client_escaped_cert: URL-encoded PEM)."""
    return {HEADER: quote(_pem(client_id).decode())}


def _claims(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


@pytest.fixture
def mtls_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Settings that trust 10.0.0.0/8 as the proxy, with Hilversum's certificate pinned in the registry."""
    registry = tmp_path / "registry"
    shutil.copytree(settings.partner_registry_dir, registry)
    entry = json.loads((registry / f"{HILVERSUM_SOCIAL}.json").read_text())
    entry["certificate_thumbprint"] = thumbprint(_der(HILVERSUM_SOCIAL))
    (registry / f"{HILVERSUM_SOCIAL}.json").write_text(json.dumps(entry))
    return settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"], "partner_registry_dir": registry})


@pytest.fixture
def mtls_app(mtls_settings):
    return create_app(mtls_settings)


def _client(app, peer) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000", client=peer) as test_client:
        yield test_client


@pytest.fixture
def via_proxy(mtls_app) -> Iterator[TestClient]:
    yield from _client(mtls_app, PROXY)


@pytest.fixture
def direct(mtls_app) -> Iterator[TestClient]:
    yield from _client(mtls_app, STRANGER)


def _hub(http: TestClient, client_id: str = HILVERSUM_SOCIAL) -> HubClient:
    return HubClient(
        client_id, DEV_KEYS / f"{client_id}.key.pem", base_url="http://127.0.0.1:8000", actor="j.jansen", http=http
    )


def test_certificate_from_trusted_proxy_binds_the_token(via_proxy):
    """A token requested through the trusted proxy with a certificate carries cnf.x5t#S256 of it."""
    token = _bind(_hub(via_proxy))
    assert _claims(token)["cnf"] == {"x5t#S256": thumbprint(_der(HILVERSUM_SOCIAL))}


def test_bound_token_with_its_certificate_is_accepted(via_proxy):
    """A bound token presented with the same certificate reaches the route."""
    hub = _hub(via_proxy)
    _bind(hub)
    response = hub.get("/v1/me", headers=cert_header(HILVERSUM_SOCIAL))
    assert response.status_code == 200
    assert response.json()["partner"]["client_id"] == HILVERSUM_SOCIAL


def _bind(hub: HubClient) -> str:
    """Get (and cache) a token through the proxy with Hilversum's certificate."""
    return hub.fetch_token(headers=cert_header(HILVERSUM_SOCIAL))["access_token"]


def test_bound_token_with_another_certificate_is_refused(via_proxy):
    """A bound token presented with a different certificate is a 401 certificate_mismatch."""
    hub = _hub(via_proxy)
    _bind(hub)
    response = hub.get("/v1/me", headers=cert_header(ZVH))
    assert response.status_code == 401
    assert response.json()["code"] == "certificate_mismatch"


def test_bound_token_without_certificate_is_refused(via_proxy):
    """A bound token presented without any certificate is a 401 certificate_mismatch."""
    hub = _hub(via_proxy)
    _bind(hub)
    response = hub.get("/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "certificate_mismatch"


def test_certificate_header_from_untrusted_peer_is_ignored(direct):
    """From a peer that is not the proxy the certificate header is ignored (and logged): no cnf binding."""
    hub = _hub(direct)
    with capture_logs() as logs:
        response = direct.post(
            hub.token_endpoint,
            headers=cert_header(HILVERSUM_SOCIAL),
            data=hub.authenticated_form(grant_type="client_credentials"),
        )
    assert "cnf" not in _claims(response.json()["access_token"])
    assert any(e["event"] == "auth.client_cert.untrusted_peer" for e in logs)


def test_bound_token_with_certificate_from_untrusted_peer_is_refused(via_proxy, direct):
    """The right certificate header sent around the proxy is not believed: certificate_mismatch."""
    token = _bind(_hub(via_proxy))
    headers = {"Authorization": f"Bearer {token}", "X-Acting-Person": "j", **cert_header(HILVERSUM_SOCIAL)}
    response = direct.get("/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "certificate_mismatch"


def test_rfc9440_certificate_header_is_understood(via_proxy):
    """The RFC 9440 form `:base64(DER):` binds the token to the same thumbprint."""
    hub = _hub(via_proxy)
    header = {HEADER: ":" + base64.b64encode(_der(HILVERSUM_SOCIAL)).decode() + ":"}
    body = via_proxy.post(
        hub.token_endpoint, headers=header, data=hub.authenticated_form(grant_type="client_credentials")
    ).json()
    assert _claims(body["access_token"])["cnf"]["x5t#S256"] == thumbprint(_der(HILVERSUM_SOCIAL))


def test_unreadable_certificate_header_is_refused(via_proxy):
    """A certificate header from the proxy that does not parse is invalid_request; nothing is issued."""
    hub = _hub(via_proxy)
    response = via_proxy.post(
        hub.token_endpoint, headers={HEADER: "garbage"}, data=hub.authenticated_form(grant_type="client_credentials")
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_tls_client_auth_with_the_pinned_certificate(via_proxy):
    """tls_client_auth: client_id plus the registered certificate (no assertion) gets a bound token."""
    response = via_proxy.post(
        "/oauth/token",
        headers=cert_header(HILVERSUM_SOCIAL),
        data={"grant_type": "client_credentials", "client_id": HILVERSUM_SOCIAL},
    )
    assert response.status_code == 200
    assert _claims(response.json()["access_token"])["cnf"]["x5t#S256"] == thumbprint(_der(HILVERSUM_SOCIAL))


@pytest.mark.parametrize(("client_id", "cert_of"), [(HILVERSUM_SOCIAL, ZVH), (ZVH, ZVH)])
def test_tls_client_auth_with_another_or_unpinned_certificate_is_refused(via_proxy, client_id, cert_of):
    """Another partner's certificate, or a partner with no pinned certificate, is invalid_client."""
    response = via_proxy.post(
        "/oauth/token", headers=cert_header(cert_of), data={"grant_type": "client_credentials", "client_id": client_id}
    )
    assert response.json()["error"] == "invalid_client"


def test_tls_client_auth_from_untrusted_peer_is_refused(direct):
    """tls_client_auth around the proxy is invalid_client: the certificate header is not believed."""
    response = direct.post(
        "/oauth/token",
        headers=cert_header(HILVERSUM_SOCIAL),
        data={"grant_type": "client_credentials", "client_id": HILVERSUM_SOCIAL},
    )
    assert response.json()["error"] == "invalid_client"
