"""Answers: the responder sends values per category; the hub validates, filters, encrypts and logs them;
the requester reads what was released.

Order of the checks on an answer (each refusal stores nothing): the request must be addressed to the
caller (404 otherwise, so nobody learns of another's request), still open (409; a withdrawn request names
the policy's reason), not answered yet (409);
category and field names must be well-formed (422, schemas.AnswerCreate) and every category must exist in
the catalogue (422). Fields outside the catalogue are then dropped and counted (hub.exchange.service.release), the
policy decides again (503 and nothing stored when it cannot) and its answer filter says what may be
released (only allowed categories, only the catalogue's fields); when nothing may be released the answer is
refused, not spent (409 `answer_refused` with the policy's reason); the released values must satisfy their
category's JSON Schema (422). What was withheld is stored as category names, catalogue field names of
allowed categories and counts, never values and never a name the responder chose; it is reported to the
responder, and the log holds categories and reason codes.

Every read (the identity for the responder, the answer for the requester) asks the policy again for the
case as it is now and releases only what that decision allows (hub.exchange.service.release).
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from hub.cases.models import Case
from hub.errors import NotFound, ValidationFailed
from hub.exchange import repository
from hub.exchange.errors import AlreadyAnswered, AnswerInvalid, AnswerRefused, RequestNotOpen
from hub.exchange.models import Answer, DataRequest
from hub.exchange.service import disclosure, release
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.ports import (
    answer_filter,
    case_of,
    coordinator_case_read,
    decide_again,
    known_category,
    schema_errors,
    subject_identity,
)
from hub.exchange.service.requests import REQUEST_NOT_FOUND
from hub.policy import enforcement
from hub.policy.pep import Decision

log = structlog.get_logger(__name__)

NOT_ADDRESSED = "Dit verzoek bestaat niet of is niet aan uw organisatie gericht."
CATEGORY_NOT_ALLOWED = "category_not_allowed"  # the answer filter's reason for a category the request does not allow


def answer_purpose(request: DataRequest) -> str:
    """Binds an answer's ciphertext to its request (hub.crypto.envelope's associated data)."""
    return f"answer:{request.id}"


def open_request_for_responder(session: Session, ctx: ExchangeContext, request_id: str) -> DataRequest:
    """The caller's own request, still open; 404 for anyone else's, 409 when it can no longer be answered
    (with the status everybody sees, and for a withdrawn request the policy's reason)."""
    return _still_open(ctx, repository.request_for_responder(session, request_id, ctx.caller.partner.oin))


def locked_open_request(session: Session, ctx: ExchangeContext, request_id: str) -> tuple[DataRequest, Case]:
    """`open_request_for_responder` and its case, read in one statement with both rows locked until the
    transaction ends (hub.exchange.repository): the answer is decided on the case as it is now."""
    found = repository.locked_request_with_case_for_responder(session, request_id, ctx.caller.partner.oin)
    if found is None:
        raise NotFound(NOT_ADDRESSED)
    return _still_open(ctx, found[0]), found[1]


def _still_open(ctx: ExchangeContext, request: DataRequest | None) -> DataRequest:
    if request is None:
        raise NotFound(NOT_ADDRESSED)
    now = request.status_at(ctx.now)
    if now.status == "answered":
        raise AlreadyAnswered(
            "Dit verzoek is al beantwoord; een tweede antwoord wordt niet aanvaard.", data_request_id=request.id
        )
    if now.status == "withdrawn":
        raise RequestNotOpen(
            f"Dit verzoek is ingetrokken: {now.explanation}",
            data_request_id=request.id,
            request_status=now.status,
            reason=now.reason,
        )
    if now.status != "open":
        raise RequestNotOpen(
            f"Dit verzoek is niet meer open (status: {now.status}).",
            data_request_id=request.id,
            request_status=now.status,
        )
    return request


def show_request(session: Session, ctx: ExchangeContext, request_id: str) -> tuple[DataRequest, Any, tuple[str, ...]]:
    """The open request with the person's identifying data, only when the policy, asked again for the case
    as it is now, still allows some of its categories; the showing is logged before it is shown. Returns
    the request, the identity and the categories allowed now."""
    request = open_request_for_responder(session, ctx, request_id)
    case = case_of(session, request.case_id)
    decision = release.refuse_unless_allowed(session, ctx, case, request, decide_again(ctx, case, session, request))
    identity = subject_identity(session, ctx, case)
    disclosure.identity_shown(session, ctx, case, request, decision)
    session.flush()
    log.info("request.identity_shown", request_id=request.id)
    return request, identity, decision.allowed


def check_categories(values: dict[str, dict[str, Any]]) -> None:
    """Every category must exist in the catalogue."""
    unknown = sorted(c for c in values if not known_category(c))
    if unknown:
        raise ValidationFailed(
            f"Onbekende gegevenscategorie: {', '.join(unknown)}.", field="values", categories=unknown
        )


def validate_released(released: dict[str, dict[str, Any]]) -> None:
    """What will be stored must satisfy each category's JSON Schema (fields beyond it were withheld)."""
    errors = [
        error
        for category, value in sorted(released.items())
        for error in schema_errors(category, value, f"values.{category}")
    ]
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        raise AnswerInvalid(f"Het antwoord voldoet niet aan het schema van de categorie in: {fields}.", errors=errors)


def submit_answer(session: Session, ctx: ExchangeContext, request_id: str, values: dict[str, dict[str, Any]]) -> Answer:
    """Validate, filter, encrypt and store an answer with its log records, in one commit."""
    request, case = locked_open_request(session, ctx, request_id)
    check_categories(values)
    offered, extra = release.split_catalogue_fields(values)
    decision, released, withheld = answer_filter(ctx, session, case, request, offered)
    refuse_unless_answerable(request, decision, offered, released)
    validate_released(released)
    entries = withdrawal_reasons(request, release.withheld_entries(decision, withheld, extra))
    answer = Answer(
        request_id=request.id,
        case_id=request.case_id,
        responder_oin=ctx.caller.partner.oin,
        responder_actor=ctx.caller.actor,
        released_categories=sorted(released),
        withheld=entries,
        ciphertext=ctx.envelope.encrypt_json(
            session, request.case_id, answer_purpose(request), released, scope=request.activity_id
        ),
        created_at=ctx.now,
    )
    request.status, request.answered_at = "answered", ctx.now
    session.add(request)
    session.add(answer)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent answer to the same request committed first
        session.rollback()
        raise AlreadyAnswered(
            "Dit verzoek is al beantwoord; een tweede antwoord wordt niet aanvaard.", data_request_id=request_id
        ) from exc
    disclosure.answer_received(session, ctx, case, request, answer, decision, _reasons(entries))
    session.flush()
    log.info("answer.received", request_id=request.id, released=len(released), withheld=len(entries))
    return answer


def refuse_unless_answerable(
    request: DataRequest, decision: Decision, offered: dict[str, Any], released: dict[str, Any]
) -> None:
    """An answer of which the policy, asked again now, allows nothing is refused, not spent: 409 with the
    policy's reason; nothing is stored, no record is written and the request stays open as it was. That is
    the case when the decision allows none of the request's categories (consent withdrawn, the case closed,
    ...), and when the answer holds only categories the request does not allow (any more)."""
    if decision.allowed and released:
        return
    if not decision.allowed:
        denial = decision.refusal or next(iter(decision.denied.values()))
        reason, explanation = denial.reason, denial.explanation_nl
    else:
        withdrawn = next(
            (request.categories_withdrawn[c] for c in sorted(offered) if c in request.categories_withdrawn), None
        )
        reason, explanation = (
            (withdrawn["reason"], withdrawn["explanation"])
            if withdrawn
            else (CATEGORY_NOT_ALLOWED, "Het antwoord bevat geen categorie die dit verzoek toestaat.")
        )
    raise AnswerRefused(
        f"Het beleid staat dit antwoord nu niet toe: {explanation}",
        data_request_id=request.id,
        reason=reason,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )


def withdrawal_reasons(request: DataRequest, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A category the request lost to a change of its case is withheld with the policy's reason and Dutch
    explanation of that withdrawal (request.categories_withdrawn), not as one the request never allowed."""
    return [
        {**entry, "reason": lost["reason"], "explanation": lost["explanation"]}
        if entry["field"] is None
        and entry["reason"] == CATEGORY_NOT_ALLOWED
        and (lost := request.categories_withdrawn.get(entry["category"]))
        else entry
        for entry in entries
    ]


def _reasons(withheld: list[dict[str, Any]]) -> dict[str, str]:
    """Per category the reason code of what was withheld (the log holds codes, never field values)."""
    reasons: dict[str, str] = {}
    for item in withheld:
        reasons.setdefault(item["category"], item["reason"])
    return reasons


def read_answer(
    session: Session, ctx: ExchangeContext, request_id: str
) -> tuple[DataRequest, Answer, dict, list[dict[str, Any]]]:
    """The released answer, for the coordinator that asked: only the categories the policy, asked again for
    the case as it is now, allows; every read is logged before it is returned. Returns the request, the
    answer, the values released now, and the categories withheld (whole) from the requester."""
    # One statement for the request, its case (as it is now, in this transaction), its answer and the data key.
    found = repository.answered_request_for_requester(session, request_id, ctx.caller.partner.oin)
    if found is None:
        raise NotFound(REQUEST_NOT_FOUND)
    request, case, answer, _key = found  # _key: held for the decryption below (the session's map is weak)
    coordinator_case_read(ctx.caller, case)
    if answer is None:
        raise NotFound("Dit verzoek is nog niet beantwoord.", data_request_id=request.id)
    decision = release.refuse_unless_allowed(session, ctx, case, request, decide_again(ctx, case, session, request))
    stored = ctx.envelope.decrypt_json(
        session, request.case_id, answer_purpose(request), answer.ciphertext, scope=request.activity_id
    )
    values = enforcement.allowed_part(stored, decision)
    withheld = release.whole_categories(answer.withheld)
    withheld += [
        {"category": c, "field": None, "reason": decision.denied[c].reason}
        for c in sorted(stored)
        if c not in values and c in decision.denied
    ]
    first = answer.first_read_at is None
    if first:
        answer.first_read_at = ctx.now
        session.add(answer)
    disclosure.answer_read(session, ctx, case, request, answer, decision, sorted(values), first=first)
    session.flush()
    log.info("answer.released" if first else "answer.read", request_id=request.id, released=len(values))
    return request, answer, values, withheld
