"""Resource-server dependencies: who is calling, proven by a bearer token and named by X-Acting-Person.

@router.get("/v1/things")
def things(caller: CallerDep): ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.auth.errors import CertificateMismatch, DuplicateHeader, InvalidToken, QueryTooLong, TokenInQuery
from hub.auth.mtls import CertificateHeaderInvalid, presented_thumbprint
from hub.auth.principal import Caller
from hub.auth.registry import Registry
from hub.auth.service import ACTING_PERSON_HEADER, acting_person
from hub.auth.tokens import validate_access_token
from hub.db import SessionDep
from hub.logging import contains_jwt

_bearer = HTTPBearer(auto_error=False, description="An access token from POST /oauth/token (private_key_jwt).")
_TOKEN_PARAMETERS = {"access_token", "token", "bearer", "jwt"}
# A longer query string is refused (414) before authentication: no route takes query values anywhere near this
# long (a page cursor is at most 512 characters), and it bounds the work an unauthenticated caller can cause.
MAX_SCANNED_QUERY = 8192


def refuse_token_in_query(request: Request) -> None:
    """RFC 6750 §2.3 is not supported: a token in the URL ends up in logs and browser history.

    Runs before authentication on attacker-chosen input, so its cost is linear and bounded: at most
    MAX_SCANNED_QUERY characters, scanned in one pass (hub.logging.contains_jwt, no backtracking regex).
    """
    query = request.scope.get("query_string", b"")
    if not query:
        return
    if len(query) > MAX_SCANNED_QUERY:
        raise QueryTooLong(f"De query-string is langer dan {MAX_SCANNED_QUERY} tekens.", max_length=MAX_SCANNED_QUERY)
    for name, value in request.query_params.multi_items():
        if name.lower() in _TOKEN_PARAMETERS or contains_jwt(value):
            raise TokenInQuery("Een token hoort in de Authorization-header, nooit in de URL.", parameter=name)


def refuse_duplicate_headers(request: Request) -> None:
    """One Authorization and at most one X-Acting-Person: a second one was ignored silently (issue 12, item 10),
    so a proxy or client that added its own could act under a name nobody chose."""
    for name in ("Authorization", ACTING_PERSON_HEADER):
        if len(request.headers.getlist(name)) > 1:
            raise DuplicateHeader(
                f"De header {name} is meer dan eens meegestuurd; stuur hem precies één keer.", header=name
            )


def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
    x_acting_person: Annotated[
        str | None, Header(alias=ACTING_PERSON_HEADER, description="Employee id of the acting person")
    ] = None,
) -> Caller:
    """The authenticated partner and its acting person, or a 400/401 problem."""
    refuse_token_in_query(request)
    refuse_duplicate_headers(request)
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise InvalidToken("Stuur een toegangstoken als 'Authorization: Bearer <token>'.")
    state = request.app.state
    try:
        peer = request.client.host if request.client else None
        thumbprint = presented_thumbprint(peer, request.headers, state.settings)
    except CertificateHeaderInvalid:
        raise CertificateMismatch("Het clientcertificaat van de proxy is onleesbaar.") from None
    # The request's own session (FastAPI gives every dependency of one request the same one): one connection
    # and one transaction per request, so the revocation check costs no extra checkout, BEGIN and COMMIT.
    valid = validate_access_token(
        session, state.token_key, state.settings, state.registry, credentials.credentials, thumbprint
    )
    actor = acting_person(x_acting_person)
    return Caller(partner=valid.partner, actor=actor, scopes=valid.scopes, token_id=valid.jti)


CallerDep = Annotated[Caller, Depends(current_caller)]


def partner_registry(request: Request) -> Registry:
    """The partner registry loaded at start-up (hub.auth.endpoints.install)."""
    return request.app.state.registry


RegistryDep = Annotated[Registry, Depends(partner_registry)]
