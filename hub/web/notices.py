"""Screens of DJI's risk notices (issue 16): the signal on the coordinator's case page and work queue, the
coordinator's read of a text, and the list and reads of a municipality's security domain (mayors who did not
mandate the ZVH). Each route is authorized by its API twin's operation before anything else; reading a text is
a POST (a button that says it is recorded), decided by the policy and logged by the same service functions as
the API (hub.notices.service)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from hub.auth.principal import Caller
from hub.cases.models import Case
from hub.db import SessionDep
from hub.notices import repository, service
from hub.pagination import PageParams
from hub.reference import municipalities
from hub.web.context import case_context
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.repository import QUEUE_LIMIT, Section, short_reference
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

CaseReadFormDep = Annotated[Authorized, Depends(authorized_form("case.read"))]
InboxDep = Annotated[Caller, Depends(web_authorize("inbox.list"))]
InboxReadFormDep = Annotated[Authorized, Depends(authorized_form("inbox.read"))]

INBOX_PAGE = 50


def case_signal(session: Session, case: Case) -> dict[str, Any]:
    """What the coordinator's case page shows of the notices (never a text): for the template
    notices/case_section.html."""
    return {
        "notices": repository.of_case(session, case.id),
        "signalled_by_dji": service.signalled_by_dji(session, case),
    }


def queue_signal(session: Session, region: str) -> Section:
    """The work queue's signal: the notices on the region's open cases, newest first (notices/queue_section.html)."""
    rows, total = repository.signals_in_region(session, region, QUEUE_LIMIT)
    return Section(rows, total)


@router.post("/casussen/{case_id}/risicomeldingen/{notice_id}")
def read_on_case(
    request: Request, case_id: str, notice_id: str, given: CaseReadFormDep, session: SessionDep
) -> Response:
    """The coordinator reads a notice's text: the policy decides, the log records it (or the refusal)."""
    caller = given.caller

    back = (f"/casussen/{case_id}", f"Terug naar casus {short_reference(case_id)}")
    claim_form(request, session, caller, given.form)
    found = service.read_on_case(session, case_context(request), request.app.state.pdp, caller, case_id, notice_id)
    return _text_page(request, found, "coordinator", back)


@router.get("/risicomeldingen")
def security_inbox(
    request: Request, caller: InboxDep, session: SessionDep, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> Response:
    page = service.security_inbox(session, caller, PageParams(cursor, INBOX_PAGE))
    return render(
        request,
        "notices/inbox.html",
        items=page.rows,
        next_cursor=page.next_cursor,
        security=caller.partner.role == "municipal_security",
    )


@router.post("/risicomeldingen/{notice_id}")
def read_in_inbox(request: Request, notice_id: str, given: InboxReadFormDep, session: SessionDep) -> Response:
    """The security domain reads a notice for its own municipality: the policy decides, the log records it."""
    caller = given.caller

    back = ("/risicomeldingen", "Terug naar de risicomeldingen")
    claim_form(request, session, caller, given.form)
    found = service.read_in_inbox(session, case_context(request), request.app.state.pdp, caller, notice_id)
    return _text_page(request, found, "partner", back)


def _text_page(request: Request, found: service.NoticeText, screens: str, back: tuple[str, str]) -> Response:
    """The text of a notice, in the layout of the reader's screens (`coordinator` or `partner`)."""
    return render(
        request,
        "notices/text.html",
        layout=f"{screens}/layout.html",
        found=found,
        place=municipalities().get(found.notice.municipality),
        back=back,
    )
