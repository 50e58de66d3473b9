"""Routes of the disclosure log: the public log key, and the privacy officer's API under /v1/audit.

Every /v1/audit route is for the role privacy_officer only (policy operations audit.*). A BSN travels only in
a POST body. Queries and reports write an inspection record; the access report writes an access_report record;
the request's unit of work (hub.db.SessionDep) commits that record only once the answer has been rendered.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from hub.audit.access import access_report, category_namer, organisation_namer
from hub.audit.dependencies import AccessReportCaller, IntegrityCaller, QueryCaller, ReportCaller
from hub.audit.inspection import RecordPageResult, integrity, query_records
from hub.audit.reports import KINDS, Report, run_report
from hub.audit.schemas import (
    AccessReportCreate,
    AccessReportPublic,
    CheckpointPublic,
    IntegrityPublic,
    RecordPage,
    RecordPublic,
    RecordQuery,
    ReportFormat,
)
from hub.audit.trace import TraceDep
from hub.audit.verify import SealLimits
from hub.auth.routing import AuthorizedRoute
from hub.db import SessionDep
from hub.errors import NotFound
from hub.openapi import problem_responses

router = APIRouter(
    prefix="/v1/audit",
    tags=["audit"],
    responses=problem_responses(403),  # privacy officer only
    route_class=AuthorizedRoute,
)
well_known = APIRouter(tags=["audit"])


@well_known.get("/.well-known/dt-hub-log-key", summary="The public Ed25519 key that signs log checkpoints")
def log_key(request: Request) -> dict[str, Any]:
    return request.app.state.log_signer.verifier.jwk


@router.post("/records/query", response_model=RecordPage, summary="Query the log (at least one filter)")
def query(body: RecordQuery, request: Request, session: SessionDep, caller: QueryCaller, trace: TraceDep) -> RecordPage:
    key = request.app.state.settings.pseudonym_key.get_secret_value()
    return _record_page(query_records(session, caller, body, key, trace))


def _record_page(page: RecordPageResult) -> RecordPage:
    return RecordPage(
        records=[RecordPublic.from_row(r) for r in page.records],
        next_cursor=page.next_cursor,
        inspection_seq=page.inspection_seq,
    )


@router.get("/integrity", response_model=IntegrityPublic, summary="Verify the chain; list the newest checkpoints")
def integrity_check(request: Request, session: SessionDep, caller: IntegrityCaller) -> IntegrityPublic:
    # The one commit in a route, and it must stay here, not in SessionDep: it ends the request's transaction
    # (token validation, nothing else) BEFORE the work, because verification reads on connections of its own,
    # and on SQLite the request's open transaction would hold the process's write lock all that time.
    session.commit()
    state = request.app.state
    signer = state.log_signer
    verifier = signer.verifier
    result = integrity(
        state.engine,
        verifier,
        mac_key=state.log_mac_key,
        limits=SealLimits.from_settings(state.settings),
        witnesses=[signer.witness] if signer.witness is not None else [],
    )
    return IntegrityPublic(
        verification=result.verification.as_dict(),
        checkpoints_total=result.checkpoints_total,
        checkpoints=[CheckpointPublic.from_row(c) for c in result.checkpoints],
        public_key=verifier.jwk,
    )


@router.post("/access-report", response_model=AccessReportPublic, summary="Access report for one person (AVG art. 15)")
def access(
    body: AccessReportCreate, request: Request, session: SessionDep, caller: AccessReportCaller, trace: TraceDep
) -> AccessReportPublic:
    state = request.app.state
    return access_report(
        session,
        caller,
        body.bsn.get_secret_value(),
        pseudonym_key=state.settings.pseudonym_key.get_secret_value(),
        trace=trace,
        organisation=organisation_namer(getattr(state, "registry", None)),
        category=category_namer(state.settings.policies_dir),
        received_on=body.received_on,
    )


@router.get(
    "/reports/{kind}",
    summary="Disclosures, refusals or unusual patterns over a period (JSON or CSV)",
    responses=problem_responses(404),
)
def report(
    kind: str,
    request: Request,
    session: SessionDep,
    caller: ReportCaller,
    trace: TraceDep,
    period_from: Annotated[dt.datetime, Query()],
    period_to: Annotated[dt.datetime, Query()],
    format: Annotated[ReportFormat, Query()] = "json",
) -> Response:  # noqa: A002 - the API's parameter name
    if kind not in KINDS:
        raise NotFound(f"Onbekend rapport '{kind}'; kies uit: {', '.join(KINDS)}.", field="kind")
    state = request.app.state
    result = run_report(
        session,
        caller,
        kind,
        period_from,
        period_to,
        name=organisation_namer(getattr(state, "registry", None)),
        settings=state.settings,
        trace=trace,
    )
    return _report_response(result, format)


def _report_response(result: Report, fmt: ReportFormat) -> Response:
    if fmt == "csv":
        return PlainTextResponse(
            result.as_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{result.kind}.csv"'},
        )
    return JSONResponse(result.as_json())
