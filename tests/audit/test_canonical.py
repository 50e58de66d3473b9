"""The verifier's fast canonical JSON is byte-for-byte RFC 8785 (the rfc8785 package) on log documents."""

from __future__ import annotations

import pytest
import rfc8785

from hub.audit.canonical import fast_canonical_bytes, format_time

HOSTILE = [
    "",
    "plain",
    'quote " and \\ backslash',
    "\b\f\n\r\t",
    "\x00\x01\x1f\x7f",
    "é ü ñ 中文 🙂",
    "\u2028\u2029",
    "</script>",
    "\ufeffbom",
    "a" * 500,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_fast_path_matches_rfc8785_for_strings(value):
    """Escapes, non-ASCII, control and separator characters serialise exactly as RFC 8785 says."""
    document = {"b": value, "a": [value, None, True, 2**53 - 1], "c": {"z": value, "A": -5}}
    assert fast_canonical_bytes(document) == rfc8785.dumps(document)


@pytest.mark.parametrize("value", [2**53, 1.5, {"ключ": 1}])
def test_values_outside_the_fast_domain_go_to_the_reference(value):
    """Large integers, floats and non-ASCII keys are handed to rfc8785 itself (which may refuse them)."""
    document = {"v": value}
    try:
        expected = rfc8785.dumps(document)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            fast_canonical_bytes(document)
        return
    assert fast_canonical_bytes(document) == expected


def test_lone_surrogate_is_refused():
    """A lone surrogate cannot be canonicalised; the fast path does not slip it through."""
    with pytest.raises(rfc8785.CanonicalizationError):
        fast_canonical_bytes({"v": "\ud800"})


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-22T20:41:17.000001+00:00",
        "2026-11-22 21:41:17.000001+01:00",
        "2026-11-22 20:41:17.000001",
        "2026-11-22T20:41:17.000001Z",
    ],
)
def test_times_have_one_textual_form(value):
    """Aware, naive (UTC) and offset times all become the same UTC string with microseconds."""
    assert format_time(value) == "2026-11-22T20:41:17.000001Z"
