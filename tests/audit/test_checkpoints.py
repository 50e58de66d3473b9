"""Signed checkpoints every N records or T seconds, and the log key they are signed with."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.audit.checkpoints import seal_if_due
from hub.audit.signing import checkpoint_payload, load_signer
from hub.config import ConfigurationError, Settings
from tests.audit.conftest import append


def test_seal_after_n_records(session, subject, signer, settings):
    """With N=3 the second sealing round waits until three new records are in."""
    settings = settings.model_copy(update={"checkpoint_every_records": 3, "checkpoint_every_seconds": 3600})
    append(session, subject, 1)
    first = seal_if_due(session, signer, settings)
    append(session, subject, 2)
    too_early = seal_if_due(session, signer, settings)
    append(session, subject, 1)
    second = seal_if_due(session, signer, settings)
    assert (first.seq, too_early, second.seq) == (1, None, 4)


def test_seal_after_t_seconds(session, subject, signer, settings):
    """With few new records a checkpoint still follows once T seconds have passed."""
    settings = settings.model_copy(update={"checkpoint_every_records": 1000, "checkpoint_every_seconds": 60})
    append(session, subject, 1)
    first = seal_if_due(session, signer, settings)
    append(session, subject, 1)
    later = first.signed_at.replace(tzinfo=dt.UTC) if first.signed_at.tzinfo is None else first.signed_at
    assert seal_if_due(session, signer, settings, now=later + dt.timedelta(seconds=30)) is None
    second = seal_if_due(session, signer, settings, now=later + dt.timedelta(seconds=61))
    assert second.seq == 2


def test_nothing_new_means_no_checkpoint(session, subject, signer, settings):
    """An idle log is not sealed again."""
    append(session, subject, 1)
    seal_if_due(session, signer, settings)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert seal_if_due(session, signer, settings, now=later) is None


def test_checkpoint_signature_covers_sequence_head_and_time(session, subject, signer, settings):
    """The Ed25519 signature verifies over (kind, seq, head hash, time, key id) and not over another seq."""
    append(session, subject, 2)
    cp = seal_if_due(session, signer, settings)
    verifier = signer.verifier
    assert verifier.verify(cp.signature, checkpoint_payload(cp.kind, cp.seq, cp.head_hash, cp.signed_at, cp.key_id))
    assert not verifier.verify(cp.signature, checkpoint_payload(cp.kind, 1, cp.head_hash, cp.signed_at, cp.key_id))


def test_log_key_missing_outside_development_is_refused(tmp_path):
    """Outside development the hub refuses to start without a log key, or with the development key."""
    production = Settings(
        env="production",
        database_url="sqlite://",
        token_signing_key_file=tmp_path / "t.pem",
        data_kek="x" * 44,
        pseudonym_key="y" * 44,
    )
    with pytest.raises(ConfigurationError, match="HUB_LOG_SIGNING_KEY_FILE"):
        production.check_safe()
    with pytest.raises(ConfigurationError, match="HUB_LOG_SIGNING_KEY_FILE"):
        load_signer(production)


def test_development_log_key_is_refused_outside_development(tmp_path, settings):
    """Pointing a production hub at certs/dev/hub-log-signing.pem is refused."""
    production = Settings(
        env="production",
        database_url="sqlite://",
        token_signing_key_file=tmp_path / "t.pem",
        log_signing_key_file=settings.log_signing_key_file,
        data_kek="x" * 44,
        pseudonym_key="y" * 44,
        log_mac_key="z" * 44,
    )
    with pytest.raises(ConfigurationError, match="development key"):
        load_signer(production)


def test_a_non_ed25519_log_key_is_refused(settings):
    """A log key file holding an RSA key is refused: checkpoints are Ed25519 only."""
    wrong = settings.model_copy(update={"log_signing_key_file": settings.token_signing_key_file})
    with pytest.raises(ConfigurationError, match="Ed25519"):
        load_signer(wrong)
