"""No access token, client assertion, key or BSN ever reaches a log event (checked before any scrubbing)."""

from __future__ import annotations

import json

from structlog.testing import capture_logs

from partners.client import DEV_KEYS
from tests.auth.conftest import HILVERSUM_SOCIAL, partner_key, sign_assertion, token_form

BSN = "111222333"  # passes the eleven-test; sent in bodies, headers and the query string below


def _secrets(app, assertions: list[str], tokens: list[str]) -> list[str]:
    hub_private = app.state.token_key.private.as_dict(private=True)
    partner_private = partner_key(HILVERSUM_SOCIAL).as_dict(private=True)
    pem = (DEV_KEYS / f"{HILVERSUM_SOCIAL}.key.pem").read_text().splitlines()[1]
    return [
        *assertions,
        *tokens,
        *(t.split(".")[2] for t in tokens),
        hub_private["d"],
        hub_private["p"],
        partner_private["d"],
        partner_private["q"],
        pem,
        BSN,
    ]


def test_no_secret_or_bsn_in_any_log_event(client, app, partner_client):
    """A whole session of good and hostile requests logs none of the tokens, assertions, keys or the BSN."""
    hub = partner_client(HILVERSUM_SOCIAL, actor="j.jansen")
    replayed = sign_assertion()
    with capture_logs() as events:
        token = hub.access_token()
        hub.get("/v1/me")
        hub.get("/v1/me", params={"access_token": token, "bsn": BSN})
        hub.post("/v1/me", json={"bsn": BSN})
        client.post("/oauth/token", data=token_form(replayed, bsn=BSN))
        client.post("/oauth/token", data=token_form(replayed))
        client.post("/oauth/token", data=token_form(sign_assertion(aud="https://elsewhere.example")))
        client.get("/v1/me", headers={"Authorization": f"Bearer {token}x", "X-Acting-Person": BSN})
        client.get("/v1/me", headers={"Authorization": f"Bearer {token}", "X-Acting-Person": "bad actor " + BSN})
        hub.introspect(token)
        hub.revoke(token)
        client.get("/v1/me", headers={"Authorization": f"Bearer {token}", "X-Acting-Person": "j.jansen"})
    assert {"auth.token.issued", "auth.oauth.refused", "auth.token.revoked"} <= {e["event"] for e in events}
    logged = json.dumps(events, default=str)
    for secret in _secrets(app, [replayed], [token]):
        assert secret not in logged
