"""`hub audit verify | export | checkpoint | prune` against a real database."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.audit.canonical import record_hash
from hub.audit.models import AuditCheckpoint
from hub.audit.signing import LogSigner, LogVerifier, checkpoint_payload, export_header_payload
from hub.cli import app
from hub.config import get_settings
from tests.audit.conftest import DJI_OIN, append


@pytest.fixture
def cli(database_url, monkeypatch, tmp_path):
    """Run `hub ...` with the test database (and its witness store, as the `settings` fixture) in development
    mode."""
    monkeypatch.setenv("HUB_ENV", "dev")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_LOG_WITNESS_DIR", str(tmp_path / "witness"))
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


def _rewritten_under_another_key(export, tmp_path):
    """The forger's export: one record changed, the whole chain re-hashed, every checkpoint and the header
    re-signed with the forger's own Ed25519 key, whose public half replaces the key in the header."""
    private = Ed25519PrivateKey.generate()
    forger = LogSigner(private, LogVerifier(private.public_key()))
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    header, checkpoints = lines[0], [i for i in lines if i["type"] == "checkpoint"]
    records = [i for i in lines if i["type"] == "record"]
    records[0]["to_oin"] = DJI_OIN
    prev = records[0]["prev_hash"]
    for item in records:
        item["prev_hash"] = prev
        item["hash"] = prev = record_hash({k: v for k, v in item.items() if k not in ("type", "hash", "mac")})
    heads = {item["seq"]: item["hash"] for item in records}
    key_id = forger.verifier.key_id
    for cp in checkpoints:
        cp["head_hash"], cp["key_id"] = heads[cp["seq"]], key_id
        cp["signature"] = forger.sign(
            checkpoint_payload(cp["kind"], cp["seq"], cp["head_hash"], cp["signed_at"], key_id)
        )
    header["key_id"], header["public_key"] = key_id, forger.verifier.jwk
    header["signature"] = forger.sign(export_header_payload(header))
    forged = tmp_path / "forged.jsonl"
    forged.write_text("\n".join(json.dumps(i) for i in [header, *checkpoints, *records]) + "\n")
    return forged


def test_verify_without_public_key_is_unverified_never_ok(cli, session, subject, signer, tmp_path):
    """Issue 12 item 2: an export re-hashed and re-signed with another key, checked without --public-key, ends
    non-zero with UNVERIFIED; with the key the officer holds it is NOT OK."""
    append(session, subject, 3)
    export, key = tmp_path / "log.jsonl", tmp_path / "key.json"
    key.write_text(json.dumps(signer.verifier.jwk))
    assert cli("audit", "export", str(export)).exit_code == 0
    forged = _rewritten_under_another_key(export, tmp_path)
    unverified = cli("audit", "verify", "--export", str(forged))
    assert unverified.exit_code == 2 and "UNVERIFIED" in unverified.output and "OK:" not in unverified.output
    assert json.loads(unverified.stdout.splitlines()[0])["ok"] is False
    genuine = cli("audit", "verify", "--export", str(export))
    assert genuine.exit_code == 2 and "UNVERIFIED" in genuine.output
    checked = cli("audit", "verify", "--export", str(forged), "--public-key", str(key))
    assert checked.exit_code == 1 and "NOT OK" in checked.output


def test_export_is_refused_when_the_witness_cannot_be_written(cli, session, subject, tmp_path, monkeypatch):
    """No checkpoint without its witness: with the witness store unwritable, export seals nothing and writes
    nothing."""
    append(session, subject, 2)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("HUB_LOG_WITNESS_DIR", str(blocker))
    get_settings.cache_clear()
    export = tmp_path / "log.jsonl"
    refused = cli("audit", "export", str(export))
    assert refused.exit_code == 1 and "NOT EXPORTED" in refused.output and not export.exists()
    assert session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one() == 0
