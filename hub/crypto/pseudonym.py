"""Pseudonyms for data subjects: a keyed HMAC of the BSN. The BSN itself is never stored in the log."""

from __future__ import annotations

import hashlib
import hmac

from hub.config import decode_key

PSEUDONYM_TYPE = "hmac-sha256-bsn"


def is_valid_bsn(bsn: str) -> bool:
    """The BSN eleven-test: nine ASCII digits 0-9, weights 9..2 and -1 for the last, sum divisible by 11, not zero.

    Only ASCII: str.isdigit() also accepts full-width, Arabic-Indic and other digits, which int() reads, so
    "１２３４５６７８２" passed the eleven-test and then failed in encode("ascii") as a 500 (issue 12, item 5)."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        return False
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and total != 0


def pseudonymise(bsn: str, key_b64: str) -> str:
    """The subject's pseudonym: hex HMAC-SHA256 of the BSN under the hub's pseudonym key."""
    key = decode_key(key_b64, "HUB_PSEUDONYM_KEY")  # strict base64, exactly 32 bytes (ConfigurationError)
    return hmac.new(key, bsn.encode("ascii"), hashlib.sha256).hexdigest()
