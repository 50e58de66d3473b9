"""Export as JSON lines, and offline verification with nothing but the public key."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.audit.canonical import record_hash
from hub.audit.export import export_log, seal_head
from hub.audit.signing import LogVerifier
from hub.audit.verify_export import verify_export
from tests.audit.conftest import DJI_OIN, append


@pytest.fixture
def exported(engine, session, subject, signer, tmp_path):
    """Six records sealed at 3 and at the head, exported; returns (path, lines)."""
    append(session, subject, 3)
    seal_head(engine, signer)
    append(session, subject, 3)
    seal_head(engine, signer)
    path = tmp_path / "log.jsonl"
    summary = export_log(engine, signer, path)
    assert (summary.records, summary.checkpoints, summary.last_seq) == (6, 2, 6)
    return path, path.read_text().splitlines()


def _rewrite(path, lines) -> None:
    path.write_text("\n".join(lines) + "\n")


def _record_index(lines, seq: int) -> int:
    return next(
        i for i, line in enumerate(lines) if json.loads(line).get("type") == "record" and json.loads(line)["seq"] == seq
    )


def test_export_layout(exported, signer):
    """Header with the public key, then checkpoints, then records; no BSN or content fields."""
    path, lines = exported
    header = json.loads(lines[0])
    assert header["public_key"]["kid"] == signer.verifier.key_id and "d" not in header["public_key"]
    assert [json.loads(line)["type"] for line in lines[1:]] == ["checkpoint"] * 2 + ["record"] * 6
    assert "999993653" not in path.read_text()


def test_untouched_export_verifies_offline(exported, signer):
    """The offline verifier accepts the untouched export with the independently held public key."""
    path, _ = exported
    result = verify_export(path, LogVerifier.from_jwk(signer.verifier.jwk))
    assert result.ok and result.records_checked == 6 and result.sealed_upto == 6


def _alter(lines):
    i = _record_index(lines, 4)
    item = json.loads(lines[i])
    item["to_oin"] = DJI_OIN
    lines[i] = json.dumps(item)


def _remove(lines):
    del lines[_record_index(lines, 4)]


def _insert(lines):
    lines.insert(_record_index(lines, 4), lines[_record_index(lines, 3)])


def _reorder(lines):
    i, j = _record_index(lines, 4), _record_index(lines, 5)
    lines[i], lines[j] = lines[j], lines[i]


def _garble(lines):
    lines[_record_index(lines, 4)] = "{not json"


@pytest.mark.parametrize(
    ("tamper", "first_bad", "reason"),
    [
        (_alter, 4, "altered"),
        (_remove, 4, "gap"),
        (_insert, 3, "out_of_order"),
        (_reorder, 4, "gap"),
        (_garble, 4, "malformed"),
    ],
)
def test_tampered_export_is_rejected(exported, signer, tamper, first_bad, reason):
    """Each kind of tampering with the records is rejected and names the first bad sequence number."""
    path, lines = exported
    tamper(lines)
    _rewrite(path, lines)
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, first_bad, reason)


def test_truncated_export_is_rejected(exported, signer):
    """Dropping the last records of an export is caught by the checkpoint that sealed them."""
    path, lines = exported
    _rewrite(path, lines[:-2])
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, "truncated")


def test_checkpoint_signature_mismatch_is_rejected(exported, signer):
    """A checkpoint whose signed fields were changed no longer matches its signature."""
    path, lines = exported
    item = json.loads(lines[1])
    item["signed_at"] = "2030-01-01T00:00:00.000000Z"
    lines[1] = json.dumps(item)
    _rewrite(path, lines)
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 3, "checkpoint_signature")


def test_export_signed_by_another_key_is_rejected(exported):
    """Verified with a different public key (a forger's export), the checkpoints do not hold."""
    path, _ = exported
    stranger = LogVerifier(Ed25519PrivateKey.generate().public_key())
    result = verify_export(path, stranger)
    assert (result.ok, result.reason) == (False, "checkpoint_signature")


def test_not_an_export_is_refused(tmp_path, signer):
    """A file without the export header is refused before anything is checked."""
    path = tmp_path / "other.jsonl"
    path.write_text('{"type": "record"}\n')
    with pytest.raises(ValueError, match="header"):
        verify_export(path, signer.verifier)


def _drop_tail(lines, from_seq: int) -> list[str]:
    """The export without its records from `from_seq` on and without the checkpoints that sealed them."""
    kept = []
    for line in lines:
        item = json.loads(line)
        if item.get("type") in ("record", "checkpoint") and item["seq"] >= from_seq:
            continue
        kept.append(line)
    return kept


def test_cut_short_export_with_last_seq_set_back_is_rejected(exported, signer):
    """Issue 12 item 2: records and their checkpoint dropped and the header's last_seq set back: the header's
    signature no longer holds, so the export does not verify."""
    path, lines = exported
    lines = _drop_tail(lines, 4)
    header = json.loads(lines[0])
    header["last_seq"] = 3
    lines[0] = json.dumps(header)
    _rewrite(path, lines)
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.reason) == (False, "header_signature")


def test_cut_short_export_with_its_header_intact_is_truncated(exported, signer):
    """Records and their checkpoint dropped, header untouched: fewer records than the signed last_seq."""
    path, lines = exported
    _rewrite(path, _drop_tail(lines, 5))
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 5, "truncated")


def _forged_line(previous: dict) -> str:
    """A record appended by someone without the log keys: correctly hashed and chained, no valid MAC."""
    forged = {**previous, "seq": previous["seq"] + 1, "record_id": "f" * 36, "prev_hash": previous["hash"]}
    forged["to_actor"] = "innocent-employee"
    forged["hash"] = record_hash({k: v for k, v in forged.items() if k not in ("type", "hash", "mac")})
    return json.dumps(forged)


def test_forged_tail_is_rejected_without_the_mac_key(exported, signer):
    """Records forged after the last checkpoint fail by public key alone: no signed checkpoint covers them."""
    path, lines = exported
    lines.append(_forged_line(json.loads(lines[-1])))
    _rewrite(path, lines)
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 7, "unsealed")


def test_last_record_not_covered_by_a_checkpoint_is_rejected(exported, signer):
    """Without the checkpoint over the last record (header intact) the export's tail is unsealed."""
    path, lines = exported
    _rewrite(path, [line for line in lines if json.loads(line).get("seq") != 6 or "signature" not in line])
    result = verify_export(path, signer.verifier)
    assert (result.ok, result.first_bad_seq, result.reason) == (False, 4, "unsealed")


def test_export_seals_and_ends_at_that_seal(engine, session, subject, signer, tmp_path):
    """Export seals the head itself (no checkpoint before), and the signed header names that position."""
    append(session, subject, 2)
    path = tmp_path / "log.jsonl"
    summary = export_log(engine, signer, path)
    header = json.loads(path.read_text().splitlines()[0])
    assert (summary.last_seq, summary.checkpoints, header["last_seq"]) == (2, 1, 2)
    assert header["key_id"] == signer.verifier.key_id and header["signature"]
    assert verify_export(path, signer.verifier).ok
