"""Authenticated appends (review finding H6): every log record carries HMAC-SHA256(key, record hash).

The key (HUB_LOG_MAC_KEY, 32 random bytes in base64) lives in the hub's settings, never in the database, so
whoever can write the log tables directly cannot make a record that verifies with the key: a forged INSERT, or
a tail changed and rehashed after the last checkpoint, fails live verification (reason `unauthenticated`).
Offline verification with the public log key alone still works from the signed checkpoints; given the key,
it checks the MACs too.

The hub process configures the key once (`configure`, called by hub.audit.install and the audit CLI). A process
that never did falls back to the settings from the environment; without any key a record is written with no MAC
(and a warning), which verification with the key then reports, so such a gap is never silent.
"""

from __future__ import annotations

import hashlib
import hmac

import structlog

from hub.config import ConfigurationError, Settings, decode_key, get_settings

log = structlog.get_logger(__name__)

_configured: bytes | None = None
_warned = False


def load_key(settings: Settings) -> bytes:
    """The MAC key from the settings; refuse a missing or malformed one, and outside development any unsafe
    setting (a development value among them), as load_signer does."""
    if settings.env != "dev":
        settings.check_safe()
    if settings.log_mac_key is None:
        raise ConfigurationError("HUB_LOG_MAC_KEY is not set: the disclosure log cannot authenticate its records")
    return decode_key(settings.log_mac_key.get_secret_value(), "HUB_LOG_MAC_KEY")


def configure(key: bytes) -> None:
    """Use this key for every append in this process."""
    global _configured  # noqa: PLW0603 - one process-wide secret, like the settings themselves
    _configured = key


def current_key() -> bytes | None:
    """The configured key, else the one in the environment's settings, else None (appends go without MAC)."""
    if _configured is not None:
        return _configured
    global _warned  # noqa: PLW0603
    try:
        return configure_from(get_settings())
    except ConfigurationError:
        if not _warned:
            log.warning("audit.mac_key_missing")
            _warned = True
        return None


def configure_from(settings: Settings) -> bytes:
    key = load_key(settings)
    configure(key)
    return key


def record_mac(key: bytes, record_hash: str) -> str:
    """Hex HMAC-SHA256 of a record's hash."""
    return hmac.new(key, record_hash.encode("ascii"), hashlib.sha256).hexdigest()


def mac_matches(key: bytes, record_hash: str, mac: str | None) -> bool:
    return (
        isinstance(mac, str) and isinstance(record_hash, str) and hmac.compare_digest(record_mac(key, record_hash), mac)
    )
