"""BSN validation and pseudonyms."""

import base64

import pytest

from hub.crypto.pseudonym import is_valid_bsn, pseudonymise

KEY = base64.b64encode(b"k" * 32).decode()


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999990019"])
def test_valid_bsns_pass_the_eleven_test(bsn):
    """Known-good BSNs pass the eleven-test."""
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "000000000", "12345678", "1234567890", "12345678a", "", " 11122233"])
def test_malformed_bsns_are_refused(bsn):
    """Wrong checksum, all zeros, wrong length or non-digits fail the eleven-test."""
    assert not is_valid_bsn(bsn)


@pytest.mark.parametrize("digits", [0xFF10, 0x0660, 0x06F0, 0x0966])  # full-width, Arabic-Indic, Persian, Devanagari
def test_a_valid_bsn_in_other_digits_is_refused(digits):
    """123456782 passes the eleven-test, but only in the ASCII digits 0-9: in other digits (which int() reads and
    encode("ascii") does not) it is refused, so no caller reaches pseudonymise with it (issue 12, item 5)."""
    other = "".join(chr(digits + int(d)) for d in "123456782")
    assert is_valid_bsn("123456782") and not is_valid_bsn(other)


def test_pseudonym_is_keyed_and_stable():
    """The same BSN gives the same pseudonym under one key and another under a different key."""
    other = base64.b64encode(b"x" * 32).decode()
    assert pseudonymise("111222333", KEY) == pseudonymise("111222333", KEY)
    assert pseudonymise("111222333", KEY) != pseudonymise("111222333", other)
    assert "111222333" not in pseudonymise("111222333", KEY)
