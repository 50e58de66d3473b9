"""Resource-server refusals (RFC 9457 problems). The OAuth endpoints use RFC 6749 §5.2 errors instead."""

from __future__ import annotations

from hub.errors import Forbidden, HubError, Unauthenticated


class InvalidToken(Unauthenticated):
    """The bearer token is missing, malformed, badly signed, expired or meant for someone else (RFC 6750 §3.1)."""

    code, title = "invalid_token", "Ongeldig toegangstoken"


class TokenRevoked(Unauthenticated):
    """The access token was revoked (RFC 7009)."""

    code, title = "token_revoked", "Toegangstoken ingetrokken"


class CertificateMismatch(Unauthenticated):
    """The token is bound to a client certificate (RFC 8705 §3) that this call did not present."""

    code, title = "certificate_mismatch", "Certificaat past niet bij het token"


class InsufficientScope(Forbidden):
    """The access token's scope does not include the operation (RFC 6750 §3.1), whatever the role allows."""

    code, title = "insufficient_scope", "Onvoldoende scope"


class TokenInQuery(HubError):
    """A token was sent in the query string: tokens belong in the Authorization header only (RFC 6750 §2.3)."""

    status, code, title = 400, "token_in_query", "Token in de URL is niet toegestaan"


class ActingPersonMissing(HubError):
    """The `X-Acting-Person` header is missing or malformed."""

    status, code, title = 400, "acting_person_required", "Handelende persoon ontbreekt"


class QueryTooLong(HubError):
    """The query string is longer than any route takes; refused before authentication (bounded work)."""

    status, code, title = 414, "query_too_long", "Query-string te lang"


class DuplicateHeader(HubError):
    """`Authorization` or `X-Acting-Person` sent more than once: which one counts would be a guess."""

    status, code, title = 400, "duplicate_header", "Header meer dan eens meegestuurd"
