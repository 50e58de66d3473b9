"""Fixtures of the policy tests: the real embedded engine, and the remote client against the OPA stand-in (which
requires the hub's bearer token, like docker-compose's OPA)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.config import ROOT
from hub.policy.pdp import EmbeddedPDP
from hub.policy.remote import RemotePDP
from tests.support.opa import OPA_TOKEN
from tests.support.opa_standin import StandinServer
from tests.support.oracle import OraclePDP

POLICIES = ROOT / "policies"


@pytest.fixture(scope="session")
def embedded_pdp() -> EmbeddedPDP:
    return EmbeddedPDP(POLICIES)


@pytest.fixture(scope="session")
def opa_pdp() -> Iterator[OraclePDP]:
    """Real OPA (v1.20.2, in-process, from the tool venv of `make opa`) over policies/."""
    pdp = OraclePDP(POLICIES)
    yield pdp
    pdp.close()


@pytest.fixture(scope="session")
def standin() -> Iterator[StandinServer]:
    """The stand-in as docker-compose runs OPA: it serves only requests bearing the hub's token."""
    with StandinServer(POLICIES, token=OPA_TOKEN) as server:
        yield server


@pytest.fixture(scope="session")
def remote_pdp(standin: StandinServer) -> Iterator[RemotePDP]:
    pdp = RemotePDP(standin.url, 5.0, POLICIES, token=OPA_TOKEN)
    yield pdp
    pdp.close()


@pytest.fixture
def policies_copy(tmp_path: Path) -> Path:
    """A private copy of policies/ that a test may change."""
    target = tmp_path / "policies"
    shutil.copytree(POLICIES, target)
    return target
