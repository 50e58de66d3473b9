"""Who is acting on a screen, and whether the policy lets them: the same `api` rule and operation as the
route's API twin, decided before any form is parsed. Then the form, and its one-time key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from hub.auth.principal import Caller
from hub.auth.scopes import scopes_for
from hub.errors import ValidationFailed
from hub.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    StoredResponse,
    complete,
    reserve,
)
from hub.policy.errors import OperationForbidden
from hub.strict_input import hidden_character
from hub.web.errors import FormAlreadySent, SignInRequired
from hub.web.security import same_origin
from hub.web.sessions import load

log = structlog.get_logger(__name__)

FORM_KEY = "form_key"


def signed_in_caller(request: Request) -> Caller:
    """The signed-in person as a Caller: their partner, their employee id as the acting person, and the
    operations their role's tokens would carry."""
    state = load(request)
    person = state.person
    if person is None:
        raise SignInRequired("U bent niet aangemeld.", expired=state.expired)
    partner = request.app.state.registry.by_client_id(person["client_id"])
    if partner is None:  # the partner left the registry since sign-in
        raise SignInRequired("Uw organisatie is niet (meer) aangesloten.", expired=True)
    return Caller(
        partner=partner,
        actor=person["employee_id"],
        scopes=scopes_for(partner.role),
        token_id=state.reference,
    )


def web_authorize(operation: str) -> Callable[..., Caller]:
    """A dependency: the signed-in Caller, when the policy's API-access rule lets its role call `operation`
    (the operation of the screen's API twin). Unsafe methods are checked for same-origin first."""
    from hub.policy.pep import check_operation  # raises PolicyUnavailableError when it cannot decide

    def _authorized(request: Request) -> Caller:
        same_origin(request)
        caller = signed_in_caller(request)
        outcome = check_operation(request.app.state.pdp, caller.partner.role, operation)
        if outcome.allow and operation in caller.scopes:
            return caller
        log.info("web.operation_refused", operation=operation, role=caller.partner.role, reason=outcome.reason)
        raise OperationForbidden(
            "U mag dit scherm niet gebruiken: uw rol heeft geen toegang tot deze handeling.",
            rule=outcome.rule,
            reason=outcome.reason,
            operation=operation,
            policy_revision=outcome.policy_revision,
        )

    _authorized.__name__ = f"web_authorize_{operation.replace('.', '_')}"
    _authorized.operation = operation  # type: ignore[attr-defined]  # read by the route table test
    return _authorized


@dataclass(frozen=True, slots=True)
class Authorized:
    caller: Caller
    form: FormData


def authorized_form(operation: str) -> Callable[..., Coroutine[Any, Any, Authorized]]:
    """The Caller (as web_authorize) and then, only then, the parsed form."""
    authorized = web_authorize(operation)

    async def _dependency(request: Request, caller: Caller = Depends(authorized)) -> Authorized:  # noqa: B008
        form = await request.form()
        refuse_hidden_characters(form)
        return Authorized(caller=caller, form=form)

    _dependency.__name__ = f"web_form_{operation.replace('.', '_')}"
    _dependency.operation = operation  # type: ignore[attr-defined]
    return _dependency


def refuse_hidden_characters(form: FormData) -> None:
    """No control or invisible formatting character in any field of a screen's form, as in every API body
    (hub.strict_input; issue 12, item 13): a 422 naming the field and the character, never the value. Tab and
    line breaks pass here (a textarea sends CR LF); a single-line field's own model refuses them. Checked before
    anything is parsed or stored: the answer form, for one, has no StrictInput model of its own."""
    for name, value in form.multi_items():
        found = hidden_character(name)
        if found is not None:
            raise ValidationFailed(f"Een veldnaam van het formulier bevat een stuurteken ({found}).", field="formulier")
        found = hidden_character(value, multi_line=True) if isinstance(value, str) else None
        if found is not None:
            raise ValidationFailed(
                f"Het veld '{name}' bevat een stuurteken of onzichtbaar opmaakteken ({found}). "
                "Haal het weg en verstuur het formulier opnieuw; er is niets opgeslagen.",
                field=name,
            )


def claim_form(request: Request, session: Session, caller: Caller, form: FormData) -> None:
    """Spend the form's one-time key, in the request's own transaction: a second submit of the same render
    (a double click, a reload, a replay) is refused and changes nothing."""
    key = str(form.get(FORM_KEY) or "")
    if not 16 <= len(key) <= 64:
        raise FormAlreadySent("Dit formulier mist zijn eenmalige sleutel; open het scherm opnieuw.")
    secret = hmac.new(
        request.app.state.settings.pseudonym_key.get_secret_value().encode(), b"dt-hub web form v1", hashlib.sha256
    ).digest()
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    mac.update(request.url.path.encode())
    mac.update(caller.actor.encode())
    digest = mac.hexdigest()
    try:
        record = reserve(session, caller.partner.client_id, f"web:{key}", digest)
    except (StoredResponse, IdempotencyKeyInUse, IdempotencyKeyReused, InvalidIdempotencyKey):
        raise FormAlreadySent(
            "Dit formulier is al verstuurd. Open het scherm opnieuw om nog iets te doen; er is niets dubbel verwerkt."
        ) from None
    complete(session, record, 303, "text/html", b"")
