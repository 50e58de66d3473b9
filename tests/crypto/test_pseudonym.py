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


def test_pseudonym_is_keyed_and_stable():
    """The same BSN gives the same pseudonym under one key and another under a different key."""
    other = base64.b64encode(b"x" * 32).decode()
    assert pseudonymise("111222333", KEY) == pseudonymise("111222333", KEY)
    assert pseudonymise("111222333", KEY) != pseudonymise("111222333", other)
    assert "111222333" not in pseudonymise("111222333", KEY)
