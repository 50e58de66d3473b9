"""The shared auth fixtures other capabilities' tests rely on (tests/support/auth.py)."""

from __future__ import annotations

import pytest

from hub.auth.scopes import ROLE_SCOPES


def test_auth_headers_reach_a_protected_route(client, auth_headers):
    """auth_headers(client_id, actor=...) yields a real token and the acting person."""
    response = client.get("/v1/me", headers=auth_headers("zvh-maastricht-heuvelland", actor="m.maas"))
    assert response.status_code == 200
    assert response.json()["partner"]["region"] == "maastricht-heuvelland"
    assert response.json()["actor"] == "m.maas"


def test_make_caller_builds_the_callers_a_route_would_see(make_caller):
    """make_caller gives the registry partner, the actor and the role's scopes."""
    caller = make_caller("gm0935-security", actor="k.klein")
    assert (caller.partner.municipality, caller.partner.region) == ("GM0935", "maastricht-heuvelland")
    assert caller.actor == "k.klein"
    assert caller.scopes == ROLE_SCOPES["municipal_security"]


def test_make_caller_refuses_an_unknown_partner(make_caller):
    """An unknown client_id is a LookupError, not a made-up partner."""
    with pytest.raises(LookupError):
        make_caller("gm9999-social")
