"""Client certificates passed on by a trusted TLS-terminating proxy (RFC 8705, RFC 9440).

uvicorn does not hand the TLS client certificate to the app, so the proxy puts the verified certificate in a
header (`HUB_CLIENT_CERT_HEADER`). That header is believed only when the TCP peer is one of
`HUB_TRUSTED_PROXIES`; from anyone else it is ignored (and logged), so a client cannot claim a certificate.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from urllib.parse import unquote

import structlog
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from hub.config import Settings

log = structlog.get_logger(__name__)


class CertificateHeaderInvalid(ValueError):
    """The trusted proxy sent a certificate header that does not parse."""


def thumbprint(der: bytes) -> str:
    """RFC 8705 §3.1 `x5t#S256`: base64url(SHA-256(DER)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def is_trusted_proxy(peer: str | None, settings: Settings) -> bool:
    if not peer:
        return False
    for entry in settings.trusted_proxies:
        try:
            if ipaddress.ip_address(peer) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if peer == entry:  # a non-IP peer name (e.g. a unix socket or test transport) must match exactly
                return True
    return False


def parse_certificate_header(value: str) -> bytes:
    """The DER bytes of a certificate sent as RFC 9440 `:base64-DER:` or as URL-encoded PEM (nginx)."""
    try:
        if value.startswith(":") and value.endswith(":"):
            der = base64.b64decode(value[1:-1], validate=True)
            return x509.load_der_x509_certificate(der).public_bytes(Encoding.DER)
        pem = unquote(value).encode("ascii")
        return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise CertificateHeaderInvalid(type(error).__name__) from None


def presented_thumbprint(peer: str | None, headers, settings: Settings) -> str | None:
    """The thumbprint of the client certificate the trusted proxy verified, or None when there is none."""
    value = headers.get(settings.client_cert_header)
    if not value:
        return None
    if not is_trusted_proxy(peer, settings):
        log.warning("auth.client_cert.untrusted_peer", peer=peer)
        return None
    return thumbprint(parse_certificate_header(value))
