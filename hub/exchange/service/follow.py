"""Open requests follow their case: when a case's consent, risk or state changes, or its detention ends,
every open request on it is decided again, in the same transaction as the change, on the case as it is now.

- The policy is asked through the enforcement point (hub.policy.pep.decide_request) with the same input a
  new request gets, for the categories the request still allows. A request can only lose categories here;
  a withdrawn one is never revived (the coordinator asks again: `renew_request`, "opnieuw vragen", which also
  asks again what a partly withdrawn request lost).
- Nothing left allowed: the request becomes `withdrawn`, with the policy's reason and Dutch explanation. It
  leaves the responder's inbox, and both sides see the same status and reason (DataRequest.status_at).
- Partly allowed: the request keeps only those categories; the others move to `categories_withdrawn`.
- Every re-decision is logged as `request_redecided` with its decision id: the categories still allowed as
  released, the ones withdrawn now as withheld, with their reasons.
- A policy engine that cannot decide refuses the change of the case (503 `policy_unavailable`): nothing of
  the change is stored, the requests stay as they were.

This module flushes, never commits: the change of the case and these re-decisions commit together, or
nothing does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import structlog
from fastapi import FastAPI
from sqlmodel import Session

from hub.auth.principal import Caller, Partner, Role
from hub.cases.models import Case
from hub.cases.service import CaseContext
from hub.exchange import repository
from hub.exchange.errors import RequestNotWithdrawn
from hub.exchange.models import DataRequest
from hub.exchange.schemas import RequestCreate
from hub.exchange.service import disclosure
from hub.exchange.service import requests as service
from hub.exchange.service.context import ExchangeContext
from hub.exchange.service.facts import REQUEST, request_input
from hub.exchange.service.ports import case_facts, decide
from hub.policy.pep import Decision

log = structlog.get_logger(__name__)

WITHDRAWN = "withdrawn"


# -- the case changed ---------------------------------------------------------------------------------


def follow_case(session: Session, ctx: ExchangeContext, case: Case) -> list[DataRequest]:
    """Decide every open request on `case` again, for the case as it is now; returns the requests decided
    again (each with its `request_redecided` record)."""
    followed = []
    for request in repository.open_requests_of_case(session, case.id, lock=True):
        if request.status_at(ctx.now).status != "open":  # expired already: it can no longer be answered
            continue
        decision = decide(ctx, _input(session, ctx, case, request))
        withdrawn = _apply(request, decision, ctx.now)
        session.add(request)
        session.flush()
        disclosure.request_redecided(session, ctx, case, request, decision, withdrawn)
        log.info(
            "request.redecided",
            request_id=request.id,
            status=request.status,
            kept=len(request.categories_allowed),
            withdrawn=sorted(withdrawn),
            reasons=sorted({w["reason"] for w in withdrawn.values()}),
            decision_id=decision.decision_id,
        )
        followed.append(request)
    return followed


def _input(session: Session, ctx: ExchangeContext, case: Case, request: DataRequest) -> dict[str, Any]:
    """The request input of a new request, for the categories the request still allows. A partner gone from
    the registry is described by what the request stored of it (its OIN and role): the policy then decides
    on what is known, and a partner it can no longer place is denied."""
    requester = ctx.registry.by_oin(request.requester_oin) or _stored_partner(request.requester_oin, "zvh_coordinator")
    responder = ctx.registry.by_oin(request.responder_oin) or _stored_partner(
        request.responder_oin, request.responder_role
    )
    return request_input(
        requester,
        responder,
        request.activity_id,
        list(request.categories_allowed),
        case_facts(session, case),
        exchange=REQUEST,
    )


def _stored_partner(oin: str, role: str) -> Partner:
    """The partner as the request row stored it (its role was checked when the registry still knew it)."""
    return Partner(
        oin=oin,
        name="",
        role=cast(Role, role),
        client_id="",
        region=None,
        municipality=None,
        certificate_thumbprint=None,
    )


def _apply(request: DataRequest, decision: Decision, now: datetime) -> dict[str, dict[str, str]]:
    """Keep what the decision allows, move the rest to `categories_withdrawn`; withdraw the request when
    nothing is left. Returns the categories withdrawn now, with reason and explanation."""
    withdrawn = {
        c: {"reason": d.reason, "explanation": d.explanation_nl}
        for c in request.categories_allowed
        if c not in decision.allowed and (d := decision.denied.get(c) or decision.refusal) is not None
    }
    request.categories_allowed = [c for c in request.categories_allowed if c in decision.allowed]
    request.categories_withdrawn = {**request.categories_withdrawn, **withdrawn}
    request.redecision_id, request.redecided_at = decision.decision_id, now
    if not request.categories_allowed:
        first = decision.refusal or next(iter(decision.denied.values()))
        request.status = WITHDRAWN
        request.withdrawal_reason, request.withdrawal_explanation = first.reason, first.explanation_nl
    return withdrawn


class RequestFollower:
    """The exchange's follower of case changes, handed to the cases capability (CaseContext.follow): it
    decides the open requests again with the hub's policy decision point and partner registry."""

    def __init__(self, state: Any) -> None:
        self._state = state  # app.state: pdp, registry, settings (read at each call)

    def __call__(self, session: Session, case_ctx: CaseContext, case: Case, by: Caller, at: datetime) -> None:
        ctx = ExchangeContext(
            caller=by,
            pdp=self._state.pdp,
            registry=self._state.registry,
            settings=self._state.settings,
            now=at,
            trace=case_ctx.trace,
            envelope=case_ctx.envelope,
        )
        follow_case(session, ctx, case)


def install(app: FastAPI) -> None:
    """Cases changed through the API are followed (hub.cases.dependencies.case_context reads this)."""
    app.state.case_follower = RequestFollower(app.state)


# -- "opnieuw vragen" -----------------------------------------------------------------------------------


def renew_request(session: Session, ctx: ExchangeContext, request_id: str) -> DataRequest:
    """Ask again what a request lost to a change of its case: a new request to the same responder, under the
    same activity, for the categories asked that the request no longer covers (all of them for a withdrawn
    request; for one only partly withdrawn, those withdrawn and those denied at first), decided fresh on the
    case as it is now (and refused, like any new request, when the policy still allows nothing). The old
    request stays as it is: withdrawn, or open (or answered) with the categories it kept."""
    old = service.read_request(session, ctx, request_id)
    status = old.status_at(ctx.now)
    if not old.renewable_at(ctx.now):
        raise RequestNotWithdrawn(
            "Alleen een verzoek waarvan (een deel) is ingetrokken, kan opnieuw worden gevraagd "
            f"(status: {status.status}).",
            data_request_id=old.id,
            request_status=status.status,
        )
    categories = [c for c in old.categories_asked if c not in old.categories_allowed]
    body = RequestCreate(responder=old.responder_oin, activity=old.activity_id, categories=categories)
    renewed = service.create_request(session, ctx, old.case_id, body)
    renewed.renewed_from = old.id
    session.add(renewed)
    session.flush()
    log.info("request.renewed", request_id=renewed.id, renewed_from=old.id, status=renewed.status)
    return renewed
