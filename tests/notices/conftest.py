"""Fixtures of the notices' tests: each partner's client over HTTP, and the cases capability's service fixtures
(the case context, DJI's caller, a case factory) for the tests without HTTP."""

from __future__ import annotations

import pytest

from tests.cases.conftest import ctx, dji, open_case  # noqa: F401 - the cases capability's fixtures, shared
from tests.exchange.test_policy_unavailable import break_rule  # noqa: F401 - the engine with one rule undefined


@pytest.fixture
def dji_api(partner_client):
    return partner_client("dji-pi-nieuwegein", actor="dji-medewerker-7")


@pytest.fixture
def zvh_api(partner_client):
    return partner_client("zvh-gooi-en-vechtstreek", actor="regisseur-1")


@pytest.fixture
def security_hilversum(partner_client):
    return partner_client("gm0402-security", actor="veiligheid-1")


@pytest.fixture
def security_huizen(partner_client):
    return partner_client("gm0406-security", actor="veiligheid-2")
