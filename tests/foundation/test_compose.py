"""docker-compose.yml cannot be started here (no Docker engine), so its shape is checked instead."""

import re
from pathlib import Path

import yaml

from hub.config import ROOT, Settings

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_service_has_a_health_check():
    """The database, OPA and the hub each declare a health check; `migrate` is a one-shot job."""
    assert set(SERVICES) == {"db", "opa", "migrate", "hub"}
    assert all("healthcheck" in SERVICES[name] for name in ("db", "opa", "hub"))


def test_hub_runs_in_production_against_postgres_and_opa():
    """The hub runs with HUB_ENV=production, waits for healthy db and OPA, and uses the OPA server."""
    hub = SERVICES["hub"]
    assert hub["environment"]["HUB_ENV"] == "production"
    assert hub["environment"]["HUB_OPA_URL"] == "http://opa:8181"
    assert hub["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "opa": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_the_hub_never_runs_as_the_database_superuser():
    """H6: the superuser only initialises the cluster; migrations run as the owner, the hub serves as hub_app."""
    db, migrate, hub = SERVICES["db"], SERVICES["migrate"], SERVICES["hub"]
    assert db["environment"]["POSTGRES_USER"] == "postgres"
    assert "./deploy/postgres:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    assert migrate["command"] == ["hub", "migrate"] and migrate["env_file"] == ["./secrets/migrate.env"]
    assert hub["env_file"] == ["./secrets/hub.env"] and "migrate" not in " ".join(hub["command"])
    assert "HUB_DATABASE_URL" not in hub["environment"]  # from hub.env: the hub_app role, never `postgres`
    script = (ROOT / "deploy" / "postgres" / "init-roles.sh").read_text()
    for expected in (
        "CREATE ROLE hub_owner LOGIN NOSUPERUSER",
        "CREATE ROLE hub_app LOGIN NOSUPERUSER",
        "ALTER DATABASE hub OWNER TO hub_owner",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    ):
        assert expected in script
    assert not re.search(r"(?<!NO)SUPERUSER", script) and "GRANT ALL" not in script.upper()
    assert {"db_owner_password", "db_app_password"} <= set(db["secrets"])


def test_opa_serves_the_policies_folder_read_only():
    """OPA runs as a server with policies/ mounted read-only."""
    opa = SERVICES["opa"]
    assert "./policies:/policies:ro" in opa["volumes"]
    assert "--server" in opa["command"] and "/policies" in opa["command"]


def test_opa_image_is_the_oracles_version():
    """Compose runs the OPA version the suite's oracle embeds (tools/opa_oracle.py), pinned, never `latest`."""
    oracle = (ROOT / "tools" / "opa_oracle.py").read_text()
    version = re.search(r'^OPA_VERSION = "([0-9.]+)"', oracle, re.MULTILINE)
    assert version is not None
    assert SERVICES["opa"]["image"] == f"openpolicyagent/opa:{version.group(1)}"


def test_opa_api_requires_the_hubs_token():
    """M2: OPA authenticates bearer tokens and authorizes every API call with deploy/opa/authz.rego, the same
    file the OPA stand-in of the suite runs; it loads the token's digest from a secret, never the token."""
    from tests.support.opa_standin import AUTHZ_MODULE_ID, AUTHZ_POLICY

    opa = SERVICES["opa"]
    command = opa["command"]
    assert {"--authentication=token", "--authorization=basic"} <= set(command)
    mount = f"./{AUTHZ_POLICY.relative_to(ROOT).as_posix()}:{AUTHZ_MODULE_ID}:ro"
    assert mount in opa["volumes"] and AUTHZ_MODULE_ID in command
    assert opa["secrets"] == [{"source": "opa_authz", "target": "opa-authz.json"}]
    assert "/run/secrets/opa-authz.json" in command
    assert COMPOSE["secrets"]["opa_authz"] == {"file": "./secrets/opa-authz.json"}
    assert not [arg for arg in command if "token" in arg.lower() and arg != "--authentication=token"]
    assert "environment" not in opa and "env_file" not in opa


def test_hub_sends_its_token_from_a_secret_file():
    """The hub reads its OPA token from a compose secret (HUB_OPA_TOKEN_FILE), which OPA itself never gets."""
    hub = SERVICES["hub"]
    assert hub["environment"]["HUB_OPA_TOKEN_FILE"] == "/run/secrets/opa_token"
    assert "opa_token" in hub["secrets"] and "opa_authz" not in hub["secrets"]
    assert COMPOSE["secrets"]["opa_token"] == {"file": "./secrets/opa-token"}
    assert "opa_token" not in str(SERVICES["opa"].get("secrets"))


def test_hub_compares_against_the_files_opa_runs():
    """The hub's copy of policies/ is OPA's own mount, and OPA's module ids lie below the hub's
    HUB_OPA_POLICIES_ROOT, so the revision comparison compares the same files."""
    hub, opa = SERVICES["hub"], SERVICES["opa"]
    assert "./policies:/policies:ro" in hub["volumes"] and "./policies:/policies:ro" in opa["volumes"]
    assert hub["environment"]["HUB_POLICIES_DIR"] == "/policies"
    root = hub["environment"].get("HUB_OPA_POLICIES_ROOT", Settings.model_fields["opa_policies_root"].default)
    assert root == "/policies" and root in opa["command"]


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


def test_image_serves_without_proxy_headers(monkeypatch, tmp_path):
    """The image starts the hub with `hub serve`, which runs uvicorn with proxy headers off: the TCP peer (which
    decides whether the client-certificate header is believed) is never rewritten from X-Forwarded-For; and
    without uvicorn's `server` header."""
    import uvicorn
    from typer.testing import CliRunner

    from hub.cli import app as cli
    from hub.config import Settings

    # `hub serve` builds the app once before uvicorn (a refused configuration stops it there): give it a valid one.
    settings = Settings(env="dev", database_url=f"sqlite:///{tmp_path}/hub.db")
    monkeypatch.setattr("hub.cli.get_settings", lambda: settings)

    command = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")]
    assert len(command) == 1 and "exec hub serve" in command[0] and "uvicorn" not in command[0]
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.update(options, target=target))
    result = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.2", "--port", "8000", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False and seen["access_log"] is False and seen["server_header"] is False
    assert (seen["target"], seen["host"], seen["workers"]) == ("hub.asgi:app", "127.0.0.2", 2)


def test_the_log_witness_lives_on_its_own_volume():
    """Issue 12: the hub writes every checkpoint to HUB_LOG_WITNESS_DIR on a named volume of its own, which the
    database service does not mount; the image lets the hub user write there."""
    hub, db = SERVICES["hub"], SERVICES["db"]
    directory = hub["environment"]["HUB_LOG_WITNESS_DIR"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in hub["volumes"]}
    volume = mounts[directory]
    assert volume in COMPOSE["volumes"] and volume != "dbdata"
    assert not any(mount.startswith(f"{volume}:") for mount in db["volumes"])
    assert directory in (ROOT / "Dockerfile").read_text()
