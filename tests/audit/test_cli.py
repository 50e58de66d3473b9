"""`hub audit verify | export | checkpoint | prune` against a real database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.config import get_settings
from tests.audit.conftest import DJI_OIN, append


@pytest.fixture
def cli(database_url, monkeypatch):
    """Run `hub ...` with the test database in development mode."""
    monkeypatch.setenv("HUB_ENV", "dev")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_export_then_verify_offline(cli, session, subject, signer, tmp_path):
    """`hub audit export` seals and writes the log; `verify --export` with the public key accepts it."""
    append(session, subject, 4)
    export, key = tmp_path / "log.jsonl", tmp_path / "key.json"
    key.write_text(json.dumps(signer.verifier.jwk))
    exported = cli("audit", "export", str(export))
    assert exported.exit_code == 0 and "exported 4 records and 1 checkpoints up to 4" in exported.output
    verified = cli("audit", "verify", "--export", str(export), "--public-key", str(key))
    assert verified.exit_code == 0 and json.loads(verified.stdout.splitlines()[0])["sealed_upto"] == 4


def test_verify_offline_rejects_a_tampered_export(cli, session, subject, signer, tmp_path):
    """A changed record in the export: exit status 1 and the first bad sequence number."""
    append(session, subject, 3)
    export = tmp_path / "log.jsonl"
    cli("audit", "export", str(export))
    lines = export.read_text().splitlines()
    record = json.loads(lines[-2])
    record["to_oin"] = DJI_OIN
    lines[-2] = json.dumps(record)
    export.write_text("\n".join(lines) + "\n")
    verified = cli("audit", "verify", "--export", str(export))
    assert verified.exit_code == 1 and "first bad sequence number 2 (altered)" in verified.output


def test_verify_live_and_checkpoint(cli, session, subject):
    """`hub audit checkpoint` seals the head; `hub audit verify` reports it sealed."""
    append(session, subject, 2)
    assert "checkpoint at 2" in cli("audit", "checkpoint").output
    verified = cli("audit", "verify")
    assert verified.exit_code == 0 and json.loads(verified.stdout.splitlines()[0])["sealed_upto"] == 2


def test_prune_within_retention_removes_nothing(cli, session, subject):
    """`hub audit prune` on a young log says so and leaves every record."""
    append(session, subject, 2)
    assert "nothing older than" in cli("audit", "prune").output
    assert cli("audit", "verify").exit_code == 0
