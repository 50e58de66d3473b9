"""docker-compose.yml cannot be started here (no Docker engine), so its shape is checked instead."""

from pathlib import Path

import yaml

from hub.config import ROOT, Settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_service_has_a_health_check():
    """The database, OPA and the hub each declare a health check."""
    assert set(SERVICES) == {"db", "opa", "hub"}
    assert all("healthcheck" in service for service in SERVICES.values())


def test_hub_runs_in_production_against_postgres_and_opa():
    """The hub runs with HUB_ENV=production, waits for healthy db and OPA, and uses the OPA server."""
    hub = SERVICES["hub"]
    assert hub["environment"]["HUB_ENV"] == "production"
    assert hub["environment"]["HUB_OPA_URL"] == "http://opa:8181"
    assert hub["depends_on"] == {"db": {"condition": "service_healthy"}, "opa": {"condition": "service_healthy"}}


def test_opa_serves_the_policies_folder_read_only():
    """OPA runs as a server with policies/ mounted read-only."""
    opa = SERVICES["opa"]
    assert "./policies:/policies:ro" in opa["volumes"]
    assert "--server" in opa["command"] and "/policies" in opa["command"]


def test_no_development_key_is_mounted_or_copied():
    """Nothing from certs/dev reaches the compose run or the image."""
    text = (ROOT / "docker-compose.yml").read_text()
    assert "certs/dev" not in text
    assert "certs/dev" in (ROOT / ".dockerignore").read_text().split()


def test_hub_environment_names_real_settings():
    """Every HUB_ variable the compose file sets is a field of Settings (no silently ignored typos)."""
    fields = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    assert set(SERVICES["hub"]["environment"]) <= fields


def test_secret_files_exist_only_as_references():
    """Secrets are read from ./secrets, which is not part of the repository."""
    assert not (Path(ROOT) / "secrets").exists()
    assert all(spec["file"].startswith("./secrets/") for spec in COMPOSE["secrets"].values())
