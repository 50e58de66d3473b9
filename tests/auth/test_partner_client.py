"""The partner client (HubClient) and the `hub-partner` command line, against the real app."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

import partners.client as partner_cli
from hub.auth.models import AccessToken
from partners.client import HubClientError
from tests.auth.conftest import HILVERSUM_SOCIAL, ZVH

runner = CliRunner()


def _issued(app) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(AccessToken)).one()


def test_client_caches_its_token(app, partner_client):
    """Several calls reuse one token: one row in the token table."""
    hub = partner_client(HILVERSUM_SOCIAL)
    assert [hub.get("/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    assert _issued(app) == 1


def test_client_renews_a_token_close_to_expiry(app, partner_client):
    """A token within the refresh margin of its expiry is replaced by a new one."""
    hub = partner_client(HILVERSUM_SOCIAL, refresh_margin_seconds=10_000)
    first = hub.access_token()
    assert hub.access_token() != first
    assert _issued(app) == 2


def test_client_reports_the_oauth_error(partner_client):
    """A refused token request raises HubClientError carrying the RFC 6749 error code."""
    hub = partner_client(ZVH, scope="audit.query")
    with pytest.raises(HubClientError) as error:
        hub.access_token()
    assert error.value.error == "invalid_scope"


def test_client_signs_ps256_assertions(partner_client):
    """With alg=PS256 the client's assertions are accepted too."""
    assert partner_client(HILVERSUM_SOCIAL, alg="PS256").get("/v1/me").status_code == 200


@pytest.fixture
def cli(client, monkeypatch):
    """The CLI talking to the test app instead of a network hub."""
    monkeypatch.setattr(partner_cli, "make_http", lambda: client)
    return lambda *args: runner.invoke(partner_cli.app, list(args))


def test_cli_gets_a_token_without_printing_it(cli, app):
    """`hub-partner token` gets a token for the Hilversum social domain and prints its scope, not the token."""
    result = cli("token", "--client-id", HILVERSUM_SOCIAL)
    assert result.exit_code == 0, result.output
    assert "scope=" in result.output and "eyJ" not in result.output
    assert _issued(app) == 1


def test_cli_shows_the_token_when_asked(cli):
    """`hub-partner token --show` prints the access token itself."""
    result = cli("token", "--client-id", HILVERSUM_SOCIAL, "--show")
    assert result.exit_code == 0
    assert result.stdout.startswith("eyJ") and result.stdout.count(".") == 2


def test_cli_calls_a_protected_route(cli):
    """`hub-partner get /v1/me` as Hilversum's social domain reaches the protected route."""
    result = cli("get", "/v1/me", "--client-id", HILVERSUM_SOCIAL, "--actor", "j.jansen")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["partner"]["municipality"] == "GM0402" and body["actor"] == "j.jansen"


def test_cli_without_actor_shows_the_problem_and_fails(cli):
    """Without --actor the hub's problem is printed and the exit code is 1."""
    result = cli("get", "/v1/me", "--client-id", HILVERSUM_SOCIAL)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["code"] == "acting_person_required"


def test_cli_post_sends_json(cli):
    """`hub-partner post PATH --json` sends the body; here /v1/me refuses POST with 405."""
    result = cli("post", "/v1/me", "--client-id", HILVERSUM_SOCIAL, "--actor", "j", "--json", '{"a": 1}')
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == 405


def test_cli_refuses_invalid_json(cli):
    """A --json value that is not JSON stops the CLI before anything is sent."""
    result = cli("post", "/v1/me", "--client-id", HILVERSUM_SOCIAL, "--json", "{nope")
    assert result.exit_code == 2


def test_cli_wrong_partner_key_is_an_error(cli):
    """A client whose key is refused by the hub gets a clear token-refused message and exit code 1."""
    other_key = partner_cli.DEV_KEYS / f"{ZVH}.key.pem"
    result = cli("token", "--client-id", HILVERSUM_SOCIAL, "--key", str(other_key))
    assert result.exit_code == 1
    assert "invalid_client" in result.output
