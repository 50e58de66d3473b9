"""The hashed form of a log record: SHA-256 over its RFC 8785 (JCS) canonical JSON.

`record_document` turns a record (a row mapping or an export line) into the plain document that is hashed.
`canonical_bytes` is RFC 8785. The `rfc8785` package is the reference; because it is pure Python
(~25k documents/s) verification uses `json.dumps(sort_keys, compact, ensure_ascii=False)`, which produces
the identical bytes for the values a log record can hold: ASCII keys, strings without lone surrogates,
integers within ±2**53, booleans, null, lists and objects (same escapes, lower-case \\u00xx, same key order
for ASCII keys). Anything outside that domain goes to `rfc8785` itself; tests/audit/test_canonical.py
checks the two agree on hostile strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Mapping
from typing import Any

import rfc8785

FORMAT = "dt-hub-log/1"
GENESIS_HASH = "0" * 64
SUBJECT_ID_TYPE = "hmac-sha256-bsn"

# The fields a record's hash covers, in the order they appear in exports. `hash` itself is excluded.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "record_id",
    "event_type",
    "event_time",
    "recorded_time",
    "case_id",
    "data_request_id",
    "trace_id",
    "span_id",
    "parent_span_id",
    "activity_id",
    "activity_version",
    "purpose",
    "legal_basis",
    "retention_days",
    "confidentiality",
    "subject_pseudonym",
    "subject_id_type",
    "from_oin",
    "to_oin",
    "from_actor",
    "to_actor",
    "categories_released",
    "categories_withheld",
    "denial_reasons",
    "decision_id",
    "policy_revision",
    "prev_hash",
    "query_filter",
)
TIME_FIELDS = frozenset({"event_time", "recorded_time"})
JSON_FIELDS = frozenset({"categories_released", "categories_withheld", "denial_reasons", "query_filter"})
# Fields added after format dt-hub-log/1 was first written: hashed only when set, so that every record
# written before they existed keeps its hash (an inspection's filter, migration 0006_audit_hardening).
OPTIONAL_FIELDS = frozenset({"query_filter"})
_MAX_SAFE_INT = 2**53


def format_time(value: dt.datetime | str) -> str:
    """UTC, microseconds, trailing Z: the one textual form of a time in the chain. Naive means UTC."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":  # SQLite's stored form of a UTC time: already canonical
            return f"{value[:10]}T{value[11:]}Z"
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def record_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """The document whose canonical JSON is hashed: every hashed field, times in their one textual form."""
    doc: dict[str, Any] = {"format": FORMAT}
    for name in HASHED_FIELDS:
        value = row[name]
        if name in TIME_FIELDS:
            value = format_time(value)
        elif name in JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        if value is None and name in OPTIONAL_FIELDS:
            continue
        doc[name] = value
    return doc


def canonical_bytes(document: Any) -> bytes:
    """RFC 8785 canonical JSON, by the reference implementation."""
    return rfc8785.dumps(document)


def _in_fast_domain(value: Any) -> bool:
    if value is None or isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -_MAX_SAFE_INT < value < _MAX_SAFE_INT
    if isinstance(value, list):
        return all(_in_fast_domain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _in_fast_domain(v) for k, v in value.items())
    return False


def fast_canonical_bytes(document: dict[str, Any]) -> bytes:
    """RFC 8785 bytes for a record document, fast; falls back to the reference outside the safe domain."""
    if _in_fast_domain(document):
        try:
            return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: let the reference implementation refuse it
            pass
    return canonical_bytes(document)


# The verifier's fast path: the record document built directly in RFC 8785 key order (all keys are ASCII, so
# code-point order is UTF-16 order) and serialised by a reused C encoder without sort_keys.
_CANONICAL_KEYS = tuple(sorted((*HASHED_FIELDS, "format")))
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


class RowHasher:
    """Hashes raw rows (tuples in `columns` order) the way `record_hash` hashes a record, only faster.

    `digest(row)` returns the hex SHA-256 by the fast path; when it differs from the stored hash the caller
    asks `reference_digest(row)` (rfc8785 itself) before calling the record altered.
    """

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        positions = {name: i for i, name in enumerate(columns)}
        positions["format"] = len(columns)
        self._get = operator.itemgetter(*(positions[k] for k in _CANONICAL_KEYS))
        self._parsed: dict[str, Any] = {}  # only ever serialised again, never mutated

    def document(self, row: tuple) -> dict[str, Any]:
        doc = dict(zip(_CANONICAL_KEYS, self._get((*row, FORMAT)), strict=True))
        doc["event_time"] = format_time(doc["event_time"])
        doc["recorded_time"] = format_time(doc["recorded_time"])
        for name in ("categories_released", "categories_withheld", "denial_reasons", "query_filter"):
            value = doc[name]
            if type(value) is str:  # SQLite hands JSON columns over as text; few distinct values recur
                parsed = self._parsed.get(value)
                if parsed is None:
                    parsed = json.loads(value)
                    if len(self._parsed) < 4096:
                        self._parsed[value] = parsed
                doc[name] = parsed
        for name in ("denial_reasons", "query_filter"):  # the encoder keeps insertion order: sort flat maps
            value = doc[name]
            if type(value) is dict and len(value) > 1:
                doc[name] = dict(sorted(value.items()))
        for name in OPTIONAL_FIELDS:
            if doc[name] is None:
                del doc[name]
        return doc

    def digest(self, row: tuple) -> str:
        try:
            data = _ENCODER.encode(self.document(row)).encode()
        except UnicodeEncodeError:
            return self.reference_digest(row)
        return hashlib.sha256(data).hexdigest()

    def reference_digest(self, row: tuple) -> str:
        return record_hash(dict(zip(self.columns, row, strict=True)))


def record_hash(row: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the record's canonical JSON (reference implementation)."""
    return hashlib.sha256(canonical_bytes(record_document(row))).hexdigest()


def fast_record_hash(row: Mapping[str, Any]) -> str:
    """The same hash as `record_hash`, by the fast path (used by the verifier)."""
    return hashlib.sha256(fast_canonical_bytes(record_document(row))).hexdigest()
