"""Signing in with the organisation's OpenID provider: the real authorization-code flow (PKCE S256, state,
nonce) against a real provider process (oidc-provider-mock, in a thread), through authlib's Starlette client.
Nothing of the flow is replaced inside the hub."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import run_server_in_thread

from hub.auth.registry import RegistryError, load_registry
from hub.config import ROOT, Settings

ZVH = "zvh-gooi-en-vechtstreek"
SOCIAL, SECURITY = "gm0402-social", "gm0402-security"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def _registry_with_providers(directory: Path, issuer: str) -> Path:
    target = directory / "registry"
    shutil.copytree(ROOT / "partners" / "registry", target)
    secret = directory / "oidc-secret.txt"
    secret.write_text("client-secret-for-tests\n")
    extra = {
        ZVH: {"group_claim": "groups", "group": "zvh-gooi-en-vechtstreek", "employee_id_claim": "employee_id"},
        SOCIAL: {"group_claim": "groups", "group": "hilversum-sociaal", "employee_id_claim": "employee_id"},
        SECURITY: {"group_claim": "groups", "group": "hilversum-veiligheid", "employee_id_claim": "employee_id"},
    }
    for client_id, fields in extra.items():
        path = target / f"{client_id}.json"
        entry = json.loads(path.read_text())
        entry["identity_provider"] = {
            "issuer": issuer,
            "client_id": f"hub-{client_id}",
            "client_secret_file": str(secret),
            **fields,
        }
        path.write_text(json.dumps(entry))
    return target


@pytest.fixture
def oidc_client(provider: str, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    from hub.main import create_app

    settings = Settings(
        env="dev",
        database_url=database_url,
        partner_registry_dir=_registry_with_providers(tmp_path, provider),
        web_dev_picker=False,
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        yield client


def _user(provider: str, sub: str, claims: dict) -> None:
    response = httpx.put(f"{provider}/users/{sub}", json=claims)
    assert response.status_code == 204


def _sign_in(client: TestClient, provider: str, client_id: str, sub: str) -> httpx.Response:
    start = client.get(f"/aanmelden/{client_id}", follow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{provider}/oauth2/authorize")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"] and query["nonce"] and query["response_type"] == ["code"]
    consent = httpx.post(authorize, data={"sub": sub}, follow_redirects=False)
    assert consent.status_code == 302, consent.text[:300]
    back = urlsplit(consent.headers["location"])
    assert back.path == f"/aanmelden/{client_id}/terug"
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_code_flow_signs_in_the_employee(oidc_client, provider):
    _user(provider, "petra", {"employee_id": "zvh-0042", "name": "Petra Bakker", "groups": [ZVH]})
    page = oidc_client.get("/")
    assert f'href="/aanmelden/{ZVH}"' in page.text and "fictieve medewerker" not in page.text  # no picker
    picked = oidc_client.post(
        "/aanmelden/ontwikkeling",
        data={"client_id": ZVH, "employee_id": "medewerker-1"},
        headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert picked.status_code == 404 and "set-cookie" not in picked.headers  # nor its form's target
    done = _sign_in(oidc_client, provider, ZVH, "petra")
    assert done.status_code == 303 and done.headers["location"] == "/signalering"
    signed_in = oidc_client.get("/signalering")
    assert signed_in.status_code == 200 and "Petra Bakker (zvh-0042)" in signed_in.text


def test_a_group_claim_tells_partners_on_one_provider_apart(oidc_client, provider):
    _user(provider, "sanne", {"employee_id": "hil-7", "name": "Sanne Smit", "groups": ["hilversum-veiligheid"]})
    refused = _sign_in(oidc_client, provider, SOCIAL, "sanne")
    assert refused.status_code == 400 and "niet bij deze organisatie" in refused.text
    assert oidc_client.get("/inbox", follow_redirects=False).status_code == 303
    accepted = _sign_in(oidc_client, provider, SECURITY, "sanne")
    assert accepted.status_code == 303 and accepted.headers["location"] == "/inbox"


def test_a_forged_state_is_a_clean_400(oidc_client, provider):
    _user(provider, "petra", {"employee_id": "zvh-0042", "name": "Petra Bakker", "groups": [ZVH]})
    start = oidc_client.get(f"/aanmelden/{ZVH}", follow_redirects=False)
    consent = httpx.post(start.headers["location"], data={"sub": "petra"}, follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    query = parse_qs(back.query)
    forged = oidc_client.get(back.path, params={"code": query["code"][0], "state": "forged"}, follow_redirects=False)
    assert forged.status_code == 400 and "Aanmelden mislukt" in forged.text
    assert oidc_client.get("/signalering", follow_redirects=False).status_code == 303


def test_without_an_employee_id_nobody_is_signed_in(oidc_client, provider):
    _user(provider, "anon", {"name": "Zonder Nummer", "groups": [ZVH]})
    refused = _sign_in(oidc_client, provider, ZVH, "anon")
    assert refused.status_code == 400 and "personeelsnummer" in refused.text


def test_two_partners_on_one_issuer_need_groups(tmp_path):
    directory = _registry_with_providers(tmp_path, "http://localhost:1")
    entry = json.loads((directory / f"{SOCIAL}.json").read_text())
    del entry["identity_provider"]["group_claim"], entry["identity_provider"]["group"]
    (directory / f"{SOCIAL}.json").write_text(json.dumps(entry))
    with pytest.raises(RegistryError, match="each needs its own group_claim/group"):
        load_registry(directory, Settings(env="dev"))


def test_state_nonce_and_the_pkce_verifier_stay_on_the_server(oidc_client, provider):
    """The authorization request carries S256(verifier), a state and a nonce; the verifier itself never leaves
    the hub before the token request: it is in the session's row (web_session), not in the cookie or the URL.
    (oidc-provider-mock does not check PKCE itself, so this pins what the hub sends.)"""
    import base64
    import hashlib

    from sqlmodel import Session, select

    from hub.web.models import WebSession

    start = oidc_client.get(f"/aanmelden/{ZVH}", follow_redirects=False)
    query = parse_qs(urlsplit(start.headers["location"]).query)
    cookie = start.headers["set-cookie"]
    with Session(oidc_client.app.state.engine) as db:
        [row] = db.exec(select(WebSession).where(WebSession.ended_at.is_(None))).all()  # type: ignore[union-attr]
    kept = next(v["data"] for k, v in row.data.items() if k.endswith(query["state"][0]))
    verifier = kept["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == [challenge] and query["code_challenge_method"] == ["S256"]
    assert kept["nonce"] == query["nonce"][0]
    assert verifier not in start.headers["location"] and verifier not in cookie and kept["nonce"] not in cookie
