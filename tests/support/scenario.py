"""Pytest plugin: the seed scenario (partners/scenario.py) run against the test app with real partner clients."""

from __future__ import annotations

import pytest

from partners.client import HubClient
from partners.scenario import ACTORS, Scenario


@pytest.fixture
def scenario_clients() -> dict[str, HubClient]:
    """The partner clients the scenario has used so far, by client_id (their tokens are real and cached)."""
    return {}


@pytest.fixture
def scenario(partner_client, scenario_clients: dict[str, HubClient]) -> Scenario:
    """The seed scenario, each partner acting through its own client and acting person."""

    def client_for(client_id: str) -> HubClient:
        if client_id not in scenario_clients:
            scenario_clients[client_id] = partner_client(client_id, actor=ACTORS[client_id])
        return scenario_clients[client_id]

    return Scenario(client_for=client_for)
