"""DJI's form for a prison without a system connection: a detention notification with its information
sheet, through the same service as POST /v1/notifications/detention-started."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases.schemas import BasicCondition, ConditionStatus, DetentionEndedCreate, DetentionStartedCreate
from hub.db import SessionDep
from hub.reference import municipalities
from hub.web import repository
from hub.web.context import case_context
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

NotifyPageDep = Annotated[Caller, Depends(web_authorize("notification.create"))]
NotifyFormDep = Annotated[Authorized, Depends(authorized_form("notification.create"))]

UNKNOWN = "onbekend"

# Form field -> (element id, Dutch message) for the error summary.
_MESSAGES = {
    "notification_id": ("meldingsnummer", "Vul het meldingsnummer in (letters, cijfers, . _ : -)."),
    "bsn": ("bsn", "Vul een geldig BSN in (9 cijfers, elfproef)."),
    "name": ("naam", "Vul de naam in."),
    "birth_date": ("geboortedatum", "Vul de geboortedatum in."),
    "prison": ("inrichting", "Vul de inrichting in."),
    "started_on": ("begindatum", "Vul de begindatum van de detentie in."),
    "expected_release_on": ("einddatum", "De verwachte einddatum is geen geldige datum."),
    "municipality": ("gemeente", "Kies de gemeente van herkomst."),
    "conditions": ("voorwaarden", "Geef bij ten minste één basisvoorwaarde de status."),
}


def _form_page(request: Request, *, errors=(), status_code=200) -> Response:
    return render(
        request,
        "dji/notification.html",
        status_code=status_code,
        errors=list(errors),
        places=sorted(municipalities().values(), key=lambda m: m.name),
        conditions=[c.value for c in BasicCondition],
        statuses=[s.value for s in ConditionStatus],
    )


@router.get("/meldingen/nieuw")
def notification_form(request: Request, caller: NotifyPageDep) -> Response:
    return _form_page(request)


def _body(form) -> dict:
    conditions = {}
    for condition in BasicCondition:
        status = str(form.get(f"status.{condition.value}", ""))
        if status:
            entry = {"status": status}
            question = str(form.get(f"vraag.{condition.value}", "")).strip()
            if question:
                entry["help_question"] = question
            conditions[condition.value] = entry
    return {
        "notification_id": str(form.get("notification_id", "")).strip(),
        "subject": {
            "bsn": str(form.get("bsn", "")).strip(),
            "name": str(form.get("name", "")).strip(),
            "birth_date": str(form.get("birth_date", "")),
        },
        "prison": str(form.get("prison", "")).strip(),
        "started_on": str(form.get("started_on", "")),
        "expected_release_on": str(form.get("expected_release_on", "")) or None,
        # "onbekend": DJI does not know the municipality of origin (issue 16); the hub sends the case to the ZVH
        # of the establishment's region, herkomst onbekend.
        "municipality": None if form.get("municipality") == UNKNOWN else str(form.get("municipality", "")),
        "information_sheet": {"conditions": conditions},
    }


@router.post("/meldingen/nieuw")
def notify(request: Request, given: NotifyFormDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    try:
        data = DetentionStartedCreate.model_validate(_body(form))
    except ValidationError as error:
        # Only field names go into the messages, never the values (a BSN).
        fields = []
        for e in error.errors():
            loc = [str(p) for p in e["loc"]]
            name = "conditions" if "information_sheet" in loc else loc[-1] if loc[0] == "subject" else loc[0]
            fields.append(name)
        errors = list(dict.fromkeys(_MESSAGES.get(f, ("meldingsnummer", "Controleer het formulier.")) for f in fields))
        return _form_page(request, errors=errors, status_code=422)

    claim_form(request, session, caller, form)
    outcome = notifications.detention_started(session, case_context(request), caller, data)
    return render(
        request,
        "dji/notified.html",
        result=outcome.result,
        created=outcome.created,
        ref=repository.short_reference,
    )


@router.get("/meldingen/einde")
def ended_form(request: Request, caller: NotifyPageDep) -> Response:
    return render(request, "dji/ended.html", errors=[])


_ENDED_MESSAGES = {
    "notification_id": ("meldingsnummer", "Vul het meldingsnummer van deze melding in."),
    "started_notification_id": ("startmelding", "Vul het meldingsnummer van de startmelding in."),
    "bsn": ("bsn", "Vul het BSN in."),
    "ended_on": ("einddatum", "Vul de datum in waarop de detentie eindigde."),
}


@router.post("/meldingen/einde")
def notify_ended(request: Request, given: NotifyFormDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    body = {
        "notification_id": str(form.get("notification_id", "")).strip(),
        "started_notification_id": str(form.get("started_notification_id", "")).strip(),
        "bsn": str(form.get("bsn", "")).strip(),
        "ended_on": str(form.get("ended_on", "")),
    }
    try:
        data = DetentionEndedCreate.model_validate(body)
    except ValidationError as error:
        fields = dict.fromkeys(str(e["loc"][0]) for e in error.errors())
        errors = [_ENDED_MESSAGES[f] for f in fields if f in _ENDED_MESSAGES]
        return render(request, "dji/ended.html", status_code=422, errors=errors)

    claim_form(request, session, caller, form)
    outcome = notifications.detention_ended(session, case_context(request), caller, data)
    return render(
        request, "dji/notified.html", result=outcome.result, created=outcome.created, ref=repository.short_reference
    )
