"""The answering partners' screens: inbox, the request (opened by a logged POST), the answer forms generated
from the catalogue's schemas, and the receipt. Authorized by the same operations as /v1/inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hub.auth.principal import Caller
from hub.db import SessionDep
from hub.exchange.errors import AnswerInvalid, AnswerRefused, RequestNotOpen
from hub.exchange.schemas import AnswerReceipt, HandoverContent, HandoverItem, HandoverPublic, InboxDetail, InboxItem
from hub.exchange.service import answers, handover, ports
from hub.exchange.service import requests as exchange
from hub.origin import service as origin
from hub.pagination import PageParams
from hub.policy import catalogue
from hub.policy.register import get_register
from hub.web import forms
from hub.web.context import exchange_context
from hub.web.dependencies import FORM_KEY, Authorized, authorized_form, claim_form, web_authorize
from hub.web.labels import label
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

InboxDep = Annotated[Caller, Depends(web_authorize("inbox.list"))]
OpenDep = Annotated[Authorized, Depends(authorized_form("inbox.read"))]
AnswerDep = Annotated[Authorized, Depends(authorized_form("answer.submit"))]


def _activity(request: Request, activity_id: str):
    return get_register(request.app.state.settings.policies_dir).get(activity_id)


INBOX_PAGE = 50


@router.get("/inbox")
def inbox(
    request: Request, caller: InboxDep, session: SessionDep, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> Response:
    ctx = exchange_context(request, caller)
    page = exchange.list_inbox(session, ctx, activity=None, overdue=None, page=PageParams(cursor, INBOX_PAGE))
    items = [InboxItem.from_row(r, ctx.registry, ctx.now) for r in page.rows]
    return render(
        request,
        "partner/inbox.html",
        items=items,
        origin_to_contest=origin.contestable_count(session, caller),  # issue 16: the inbox points to them
        next_cursor=page.next_cursor,
        now=ctx.now,
        activity=lambda a: _activity(request, a),
        names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
    )


def _answer_page(request: Request, ctx, detail, *, errors=(), status_code=200, given=None) -> Response:
    cat = catalogue.get_catalogue()
    return render(
        request,
        "partner/request.html",
        status_code=status_code,
        detail=detail,
        activity=_activity(request, detail.activity.id),
        forms={c: forms.widgets(c, ports.category_schema(c)) for c in detail.categories},
        names={c.id: c.name for c in cat.categories.values()},
        errors=list(errors),
        given=given or {},
        days_left=(detail.due_at - ctx.now).days,
    )


@router.post("/inbox/{request_id}")
def open_request(request: Request, request_id: str, given: OpenDep, session: SessionDep) -> Response:
    """Opening shows the person's name, date of birth and BSN: a logged disclosure, so a POST."""
    caller = given.caller
    ctx = exchange_context(request, caller)

    def shape(shown):
        req, identity, allowed = shown
        schemas = {c: ports.category_schema(c) for c in allowed}
        return _answer_page(
            request, ctx, InboxDetail.for_responder(req, identity, allowed, schemas, ctx.registry, ctx.now)
        )

    claim_form(request, session, caller, given.form)
    return shape(answers.show_request(session, ctx, request_id))


@router.post("/inbox/{request_id}/antwoord")
def submit(request: Request, request_id: str, given: AnswerDep, session: SessionDep) -> Response:
    caller = given.caller
    ctx = exchange_context(request, caller)
    try:
        stored = answers.open_request_for_responder(session, ctx, request_id)
    except RequestNotOpen as closed:  # withdrawn (with the policy's reason), expired, ...
        session.rollback()
        return _refused(request, closed)
    generated = {c: forms.widgets(c, ports.category_schema(c)) for c in stored.categories_allowed}
    values, errors = forms.parse(given.form, generated)
    if errors:
        session.rollback()
        return _form_again(request, ctx, stored, given.form, errors)

    try:
        claim_form(request, session, caller, given.form)
        answer = answers.submit_answer(session, ctx, request_id, values)
        return render(
            request,
            "partner/receipt.html",
            receipt=AnswerReceipt.from_row(answer),
            names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
        )
    except (AnswerRefused, RequestNotOpen) as refused:  # nothing stored, no record: the request stays as it was
        session.rollback()
        return _refused(request, refused)
    except AnswerInvalid as invalid:
        session.rollback()
        return _form_again(request, ctx, stored, given.form, forms.schema_errors(invalid.extra.get("errors", [])))


def _form_again(request: Request, ctx, stored, form, errors) -> Response:
    """The answer form again, filled in as it was sent, with the errors tied to their fields (422). The
    person's identity is not shown again: that needs a new, logged opening."""
    detail = InboxItem.from_row(stored, ctx.registry, ctx.now)
    fields = {w.id: w.field for c in detail.categories for w in forms.widgets(c, ports.category_schema(c))}
    errors = [(f, f"{label('field', fields[f])}: {message}" if f in fields else message) for f, message in errors]
    given = {name: [str(v) for v in form.getlist(name)] for name in form if name != FORM_KEY}
    return _answer_page(request, ctx, detail, errors=errors, status_code=422, given=given)


def _refused(request: Request, refused: RequestNotOpen | AnswerRefused) -> Response:
    """The policy no longer allows an answer: its Dutch reason, and that nothing was sent or recorded."""
    return render(request, "partner/answer_refused.html", status_code=refused.status, refused=refused)


# -- handovers (the municipality's social domain) -------------------------------------------------------

HandoverListDep = Annotated[Caller, Depends(web_authorize("inbox.list"))]
HandoverReadDep = Annotated[Authorized, Depends(authorized_form("inbox.read"))]
AcknowledgeDep = Annotated[Authorized, Depends(authorized_form("handover.acknowledge"))]


@router.get("/overdrachten")
def handovers(request: Request, caller: HandoverListDep, session: SessionDep) -> Response:
    ctx = exchange_context(request, caller)
    rows = handover.list_handovers(session, ctx, status=None, page=PageParams(None, 200)).rows
    return render(
        request,
        "partner/handovers.html",
        items=[HandoverItem.from_row(h, ctx.registry) for h in rows],
        names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
    )


@router.post("/overdrachten/{handover_id}")
def read_handover(request: Request, handover_id: str, given: HandoverReadDep, session: SessionDep) -> Response:
    """The handover's content and the person's identity: a logged read, so a POST."""
    caller = given.caller
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    found = handover.read_handover(session, ctx, handover_id)
    return render(
        request,
        "partner/handover.html",
        content=HandoverContent.for_recipient(*found, ctx.registry),
        names={c.id: c.name for c in catalogue.get_catalogue().categories.values()},
    )


@router.post("/overdrachten/{handover_id}/bevestigen")
def acknowledge(request: Request, handover_id: str, given: AcknowledgeDep, session: SessionDep) -> Response:
    caller = given.caller
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    done = handover.acknowledge(session, ctx, handover_id)
    return render(request, "partner/acknowledged.html", result=HandoverPublic.from_row(done, ctx.registry))
