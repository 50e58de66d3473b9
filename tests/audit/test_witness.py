"""The witness store (issue 12, item 3): every signed checkpoint also outside the database, and verification
against it catches a log that was rolled back or cut short together with its checkpoints."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from sqlalchemy import func, select, text
from structlog.testing import capture_logs
from typer.testing import CliRunner

from hub.audit.checkpoints import seal
from hub.audit.errors import WitnessFailed
from hub.audit.export import export_log
from hub.audit.models import AuditCheckpoint
from hub.audit.signing import LogSigner
from hub.audit.verify import SealLimits, verify_database
from hub.audit.witness import WitnessStore
from hub.cli import app
from hub.config import ConfigurationError, Settings, get_settings
from tests.audit.conftest import append, bypass_append_only
from tests.foundation.test_settings import _production_keys

LIMITS = SealLimits.from_settings(Settings(env="dev", database_url="sqlite://"))


def _sealed(session, signer: LogSigner) -> AuditCheckpoint:
    checkpoint = seal(session, signer)
    session.commit()
    assert checkpoint is not None
    return checkpoint


def _roll_back_to(engine, seq: int) -> None:
    """The attacker with the database (or a restored backup): records and checkpoints after `seq` gone."""
    bypass_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_checkpoint WHERE seq > :seq"), {"seq": seq})
        connection.execute(text("DELETE FROM audit_record WHERE seq > :seq"), {"seq": seq})


@pytest.fixture
def witnessed(engine, session, subject, signer):
    """Five records, checkpoints at 3 and 5, both witnessed."""
    append(session, subject, 3)
    _sealed(session, signer)
    append(session, subject, 2)
    _sealed(session, signer)
    return signer.witness


def test_every_checkpoint_is_witnessed_once_read_only(witnessed, session):
    """One read-only file per checkpoint, holding it exactly as stored (and as an export line has it)."""
    names = [name for name, _ in witnessed.checkpoints()]
    assert names == ["00000000000000000003-checkpoint.json", "00000000000000000005-checkpoint.json"]
    stored = session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).scalars().all()
    documents = [document for _, document in witnessed.checkpoints()]
    assert [(d["seq"], d["head_hash"], d["signature"]) for d in documents] == [
        (c.seq, c.head_hash, c.signature) for c in stored
    ]
    mode = os.stat(witnessed.directory / names[0]).st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert not [p for p in witnessed.directory.iterdir() if p.name.startswith(".")]  # no temporary left


def test_rolled_back_log_fails_naming_the_witnessed_checkpoint(witnessed, engine, signer, log_mac_key):
    """Records and checkpoint after 3 removed: the log alone still verifies, the witness names checkpoint 5."""
    _roll_back_to(engine, 3)
    assert verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=LIMITS).ok
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=LIMITS, witnesses=[witnessed])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, "witness_truncated")
    assert "00000000000000000005-checkpoint.json" in result.problems[0]


def test_log_that_disagrees_with_the_witness_fails(witnessed, engine, session, subject, signer, log_mac_key):
    """Rolled back to 3, then two other genuine records at 4 and 5: the log verifies on its own, but differs
    from the witnessed checkpoint 5; and sealing over it is refused."""
    _roll_back_to(engine, 3)
    append(session, subject, 2, to_actor="someone-else")
    assert verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=LIMITS).ok
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key, limits=LIMITS, witnesses=[witnessed])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, "witness_mismatch")
    with pytest.raises(WitnessFailed):
        seal(session, signer)
    session.rollback()


def test_integrity_route_compares_with_the_witness(witnessed, engine, client, auth_headers):
    """GET /v1/audit/integrity uses the hub's witness store and names the checkpoint."""
    _roll_back_to(engine, 3)
    body = client.get("/v1/audit/integrity", headers=auth_headers("fg-gooi-en-vechtstreek")).json()
    verification = body["verification"]
    assert (verification["ok"], verification["first_bad_seq"], verification["reason"]) == (
        False,
        5,
        "witness_truncated",
    )
    assert "00000000000000000005-checkpoint.json" in verification["problems"][0]


def test_verify_command_compares_with_the_hubs_witness(witnessed, engine, database_url, monkeypatch):
    """`hub audit verify` (live, no options) uses HUB_LOG_WITNESS_DIR: a log rolled back behind checkpoint 5 ends
    with status 1, naming sequence number 5 and the witnessed checkpoint's file."""
    monkeypatch.setenv("HUB_ENV", "dev")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_LOG_WITNESS_DIR", str(witnessed.directory))
    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
    _roll_back_to(engine, 3)
    result = CliRunner().invoke(app, ["audit", "verify"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "first bad sequence number 5 (witness_truncated)" in result.output
    assert "00000000000000000005-checkpoint.json" in result.output


def test_forged_witness_file_fails(witnessed, engine, signer, log_mac_key):
    """A witnessed checkpoint whose signature does not hold is reported, never skipped."""
    name, document = witnessed.checkpoints()[-1]
    forged = witnessed.directory / "00000000000000000004-checkpoint.json"
    forged.write_text(json.dumps({**document, "seq": 4}))
    result = verify_database(engine, signer.verifier, mac_key=log_mac_key, witnesses=[witnessed])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "witness_signature")


def test_no_checkpoint_without_its_witness(engine, session, subject, signer, tmp_path):
    """When the witness cannot be written the checkpoint is not stored either, and audit.witness_failed says so."""
    append(session, subject, 2)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    unwritable = LogSigner(signer.private_key, signer.verifier, WitnessStore(blocker))
    with capture_logs() as logs, pytest.raises(WitnessFailed):
        seal(session, unwritable)
    session.rollback()
    assert session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one() == 0
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["audit.witness_failed"]


def test_same_checkpoint_witnessed_again_keeps_the_first_file(witnessed, session):
    """A retried seal of the same position and head (its commit failed) keeps the witness file as it was."""
    checkpoint = session.execute(select(AuditCheckpoint).where(AuditCheckpoint.seq == 5)).scalar_one()
    path = witnessed.directory / "00000000000000000005-checkpoint.json"
    before = path.read_bytes()
    retried = AuditCheckpoint(**{**checkpoint.model_dump(), "signed_at": checkpoint.signed_at.replace(year=2030)})
    assert witnessed.write(retried) == path and path.read_bytes() == before


def test_production_requires_a_witness_store(tmp_path):
    """Outside development HUB_LOG_WITNESS_DIR must be set."""
    keys = {k: v for k, v in _production_keys(tmp_path).items() if k != "log_witness_dir"}
    with pytest.raises(ConfigurationError, match="HUB_LOG_WITNESS_DIR"):
        Settings(**keys).check_safe()


def test_officer_keeps_the_checkpoints_of_an_export_and_compares_later(
    database_url, engine, session, subject, signer, tmp_path, monkeypatch
):
    """`hub audit keep-checkpoints` keeps an export's checkpoints; a later export verifies against them; a log
    rolled back behind them fails, live and in its export, naming the kept checkpoint."""
    monkeypatch.setenv("HUB_ENV", "dev")
    monkeypatch.setenv("HUB_DATABASE_URL", database_url)
    monkeypatch.setenv("HUB_LOG_WITNESS_DIR", str(signer.witness.directory))
    get_settings.cache_clear()
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(app, list(args))

    key, kept = tmp_path / "key.json", tmp_path / "kept"
    key.write_text(json.dumps(signer.verifier.jwk))
    append(session, subject, 3)
    first, later, rolled = tmp_path / "first.jsonl", tmp_path / "later.jsonl", tmp_path / "rolled.jsonl"
    export_log(engine, signer, first)
    result = cli("audit", "keep-checkpoints", str(first), str(kept), "--public-key", str(key))
    assert result.exit_code == 0 and "kept 1 checkpoints up to 3" in result.output
    append(session, subject, 2)
    export_log(engine, signer, later)
    ok = cli("audit", "verify", "--export", str(later), "--public-key", str(key), "--witness", str(kept))
    assert ok.exit_code == 0, ok.output
    _roll_back_to(engine, 1)
    for path in signer.witness.directory.iterdir():  # the attacker also holds the hub's own witness volume
        path.chmod(0o644)
        path.unlink()
    export_log(engine, signer, rolled)
    offline = cli("audit", "verify", "--export", str(rolled), "--public-key", str(key), "--witness", str(kept))
    assert offline.exit_code == 1 and "first bad sequence number 3 (witness_truncated)" in offline.output
    live = cli("audit", "verify", "--witness", str(kept))
    assert live.exit_code == 1 and "first bad sequence number 3 (witness_truncated)" in live.output
    get_settings.cache_clear()


def _new_log_key(directory) -> tuple[object, object]:
    """A real new Ed25519 log key: its PEM file, and the private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path = directory / f"log-{os.urandom(4).hex()}.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path, key


def _rotate(settings, signer: LogSigner, tmp_path) -> LogSigner:
    """The log key rotated: a new key signs, the old public key is in HUB_LOG_PREVIOUS_PUBLIC_KEYS_FILE."""
    from hub.audit.signing import load_signer

    new_key_file, _ = _new_log_key(tmp_path)
    retired = tmp_path / "log-previous.jwks"
    retired.write_text(json.dumps({"keys": [signer.verifier.jwk]}))
    return load_signer(
        settings.model_copy(update={"log_signing_key_file": new_key_file, "log_previous_public_keys_file": retired})
    )


def test_witness_files_signed_before_a_log_key_rotation_still_verify(
    engine, session, subject, settings, signer, log_mac_key, tmp_path
):
    """Checkpoint 3 sealed (and witnessed) under the old log key, then the key rotated (the old public key in
    HUB_LOG_PREVIOUS_PUBLIC_KEYS_FILE) and checkpoint 5 sealed under the new one: the log and both witness
    files verify, each with the key its key_id names. A witness file whose key id the hub does not know fails
    witness_signature, even though its signature holds under that unknown key."""
    from hub.audit.signing import LogVerifier, checkpoint_payload

    append(session, subject, 3)
    old = _sealed(session, signer)
    rotated = _rotate(settings, signer, tmp_path)
    assert rotated.verifier.key_id != signer.verifier.key_id and rotated.witness == signer.witness
    append(session, subject, 2)
    new = _sealed(session, rotated)
    assert [d["key_id"] for _, d in rotated.witness.checkpoints()] == [old.key_id, new.key_id]

    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key, limits=LIMITS, witnesses=[rotated.witness])
    assert (result.ok, result.reason, result.checkpoints_checked) == (True, None, 2), result.problems
    # The parallel verifier's processes rebuild the verifier from its JWKS: the retired key comes along.
    assert LogVerifier.from_jwks(rotated.verifier.jwks).key_for(old.key_id) is not None

    # A key id the hub does not know: a witness file signed (validly) with a stranger's key fails.
    _, stranger = _new_log_key(tmp_path)
    stranger_id = LogVerifier(stranger.public_key()).key_id
    document = {**rotated.witness.checkpoints()[0][1], "key_id": stranger_id}
    payload = checkpoint_payload("checkpoint", 3, document["head_hash"], document["signed_at"], stranger_id)
    document["signature"] = base64.urlsafe_b64encode(stranger.sign(payload)).rstrip(b"=").decode()
    assert LogVerifier(stranger.public_key()).verify_checkpoint(document)  # genuine under the unknown key
    foreign = WitnessStore(tmp_path / "foreign")
    foreign.write(document)
    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key, witnesses=[foreign])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "witness_signature")
    # And without the retired key the hub no longer knows the old key id.
    unaware = LogVerifier(rotated.verifier.public_key)
    result = verify_database(engine, unaware, mac_key=log_mac_key, witnesses=[rotated.witness])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "checkpoint_signature")


def test_an_export_after_a_log_key_rotation_verifies_offline_with_the_keys_held(
    engine, session, subject, settings, signer, log_mac_key, tmp_path
):
    """Offline, `hub audit verify --export --public-key` takes a JWKS too: the current key and the retired one
    verify an export (and a kept witness file) spanning the rotation; the current key alone does not."""

    append(session, subject, 3)
    _sealed(session, signer)
    kept = WitnessStore(tmp_path / "kept")
    kept.write(signer.witness.checkpoints()[0][1])  # the officer kept checkpoint 3, signed with the old key
    rotated = _rotate(settings, signer, tmp_path)
    append(session, subject, 2)
    export = tmp_path / "after.jsonl"
    export_log(engine, rotated, export)
    both, current = tmp_path / "both.jwks", tmp_path / "current.json"
    both.write_text(json.dumps({"keys": rotated.verifier.jwks}))
    current.write_text(json.dumps(rotated.verifier.jwk))
    runner = CliRunner()
    ok = runner.invoke(
        app, ["audit", "verify", "--export", str(export), "--public-key", str(both), "--witness", str(kept.directory)]
    )
    assert ok.exit_code == 0, ok.output
    alone = runner.invoke(app, ["audit", "verify", "--export", str(export), "--public-key", str(current)])
    assert alone.exit_code == 1 and "first bad sequence number 3 (checkpoint_signature)" in alone.output


@pytest.mark.parametrize("content", ['{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}', "[]", "not json"])
def test_a_retired_log_key_file_that_is_not_a_jwks_of_ed25519_keys_is_refused(settings, tmp_path, content):
    from hub.audit.signing import load_signer

    retired = tmp_path / "log-previous.jwks"
    retired.write_text(content)
    with pytest.raises(ConfigurationError, match="HUB_LOG_PREVIOUS_PUBLIC_KEYS_FILE"):
        load_signer(settings.model_copy(update={"log_previous_public_keys_file": retired}))


def test_a_retired_log_key_may_not_sign_after_the_current_one(
    engine, session, subject, settings, signer, log_mac_key, tmp_path
):
    """A rotation made because the log key leaked: someone with the old key (and the database) signs a new
    checkpoint with the old key id after the rotation. The checkpoints before it still verify (3 under the old
    key, 5 under the new one); the retired key's checkpoint 7, beyond the current key's first, fails in the
    database, in a witness store and in an export's header."""
    from hub.audit.signing import LogVerifier, export_header_payload
    from hub.audit.verify_export import verify_export
    from hub.audit.witness import compare

    append(session, subject, 3)
    _sealed(session, signer)
    rotated = _rotate(settings, signer, tmp_path)
    append(session, subject, 2)
    _sealed(session, rotated)
    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key, limits=LIMITS, witnesses=[rotated.witness])
    assert (result.ok, result.checkpoints_checked) == (True, 2), result.problems

    # An export of 1..5 whose header the old key signed instead of the current one.
    export = tmp_path / "export.jsonl"
    export_log(engine, rotated, export)
    header, *lines = export.read_text().splitlines()
    forged = {**json.loads(header), "key_id": signer.verifier.key_id}
    forged["signature"] = signer.sign(export_header_payload(forged))
    export.write_text("\n".join([json.dumps(forged), *lines]) + "\n")
    result = verify_export(export, rotated.verifier, mac_key=log_mac_key)
    assert (result.ok, result.reason) == (False, "header_signature")
    assert "vervangen sleutel" in result.problems[0]

    append(session, subject, 2)
    # The attacker's own signer: the old private key, seeing the new key's checkpoint 5 as a known one.
    attacker = LogSigner(
        signer.private_key, LogVerifier(signer.verifier.public_key, (rotated.verifier,)), signer.witness
    )
    _sealed(session, attacker)  # the retired key, after the rotation
    witnessed = [d["key_id"] for _, d in rotated.witness.checkpoints()]
    assert witnessed == [signer.verifier.key_id, rotated.verifier.key_id, signer.verifier.key_id]
    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key, limits=LIMITS)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 7, "checkpoint_signature")

    # The witness store alone (the database's checkpoint 7 aside): its file for 7 fails too.
    mismatch = compare(rotated.witness.checkpoints(), rotated.verifier, first_seq=1, reach=7, hashes_at=lambda s: {})
    assert mismatch is not None and (mismatch.seq, mismatch.reason) == (7, "witness_signature")
    assert "vervangen sleutel" in mismatch.problem


def test_a_retired_log_key_may_not_sign_beyond_a_witnessed_checkpoint_of_the_current_key(
    engine, session, subject, settings, signer, log_mac_key, tmp_path
):
    """The attacker with the old key and the database, but not the witness store: checkpoint 5 of the new key
    is deleted from the database and checkpoint 7 is signed with the old key. The database alone verifies
    (3 and 7, both by the old key); against the witness store, which kept 5 of the current key, 7 fails."""
    from hub.audit.signing import LogVerifier

    append(session, subject, 3)
    _sealed(session, signer)
    rotated = _rotate(settings, signer, tmp_path)
    append(session, subject, 2)
    _sealed(session, rotated)
    bypass_append_only(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_checkpoint WHERE seq = 5"))
    append(session, subject, 2)
    own = WitnessStore(tmp_path / "attacker")  # not the hub's witness store
    _sealed(session, LogSigner(signer.private_key, LogVerifier(signer.verifier.public_key), own))

    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key)
    assert (result.ok, result.checkpoints_checked) == (True, 2), result.problems
    result = verify_database(engine, rotated.verifier, mac_key=log_mac_key, witnesses=[rotated.witness])
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 7, "checkpoint_signature")
    assert "vervangen sleutel" in result.problems[0]
