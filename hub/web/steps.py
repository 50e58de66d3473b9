"""The coordinator's steps (Bezoek, Weging, Plan, Toeleiding, Sluiten) and the handover. Like the API, one
POST route applies every step through the transition table (hub.cases.service.record_event)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from hub.auth.principal import Caller
from hub.cases import service as cases
from hub.cases.schemas import BasicCondition, CloseReason, CoordinatorEvent
from hub.db import SessionDep
from hub.errors import NotFound
from hub.exchange.schemas import HandoverPublic
from hub.exchange.service import handover, ports
from hub.web import repository
from hub.web.context import case_context, exchange_context
from hub.web.dependencies import Authorized, authorized_form, claim_form, web_authorize
from hub.web.templating import render

router = APIRouter(include_in_schema=False)

StepPageDep = Annotated[Caller, Depends(web_authorize("case.transition"))]
StepFormDep = Annotated[Authorized, Depends(authorized_form("case.transition"))]
HandoverPageDep = Annotated[Caller, Depends(web_authorize("handover.create"))]
HandoverFormDep = Annotated[Authorized, Depends(authorized_form("handover.create"))]

STEPS = (
    "visit_recorded",
    "weighing_recorded",
    "plan_recorded",
    "outreach_started",
    "evaluation_recorded",
    "case_closed",
)
_EVENT = TypeAdapter(CoordinatorEvent)
# Who may carry out a plan's action: the partners' roles (the plan schema's partner_role is a free string).
PLAN_PARTNERS = ("municipal_social", "municipal_security", "police", "probation", "dji", "zvh_coordinator")


def plan_form() -> dict[str, Any]:
    """The Plan step's form, from the catalogue's plan schema (policies/dt/schemas): one block per basic
    condition the schema names (the actions' `domain`), and the schema's lengths."""
    schema = ports.category_schema("plan")["properties"]
    action = schema["actions"]["items"]["properties"]
    return {
        "domains": [str(d) for d in action["domain"]["enum"]],
        "action_length": action["action"]["maxLength"],
        "contact_length": schema["contact_municipality"]["maxLength"],
        "partners": PLAN_PARTNERS,
    }


def _step_page(request: Request, caller: Caller, session, case_id: str, step: str, *, errors=(), status_code=200):
    case, _, allowed = cases.case_detail(session, caller, case_id)
    if step not in STEPS:
        raise NotFound("Deze stap bestaat niet.")
    return render(
        request,
        "coordinator/step.html",
        status_code=status_code,
        case=case,
        step=step,
        allowed=step in allowed,
        ref=repository.short_reference,
        conditions=[c.value for c in BasicCondition],
        reasons=[r.value for r in CloseReason],
        plan=plan_form() if step == "plan_recorded" else None,
        errors=list(errors),
    )


@router.get("/casussen/{case_id}/stap/{step}")
def step_form(request: Request, case_id: str, step: str, caller: StepPageDep, session: SessionDep) -> Response:
    return _step_page(request, caller, session, case_id, step)


def _event_from(form) -> dict[str, Any]:
    step = str(form.get("type", ""))
    if step == "visit_recorded":
        return {"type": step, "visited_on": str(form.get("visited_on", ""))}
    if step == "weighing_recorded":
        return {"type": step, "consent": str(form.get("consent", "")), "risk": str(form.get("risk", ""))}
    if step == "plan_recorded":
        actions = []
        for domain in plan_form()["domains"]:
            action = str(form.get(f"action.{domain}", "")).strip()
            if action:
                entry = {"domain": domain, "action": action}
                partner = str(form.get(f"partner.{domain}", "")).strip()
                if partner:
                    entry["partner_role"] = partner
                actions.append(entry)
        plan: dict[str, Any] = {"agreed_on": str(form.get("agreed_on", "")), "actions": actions}
        contact = str(form.get("contact_municipality", "")).strip()
        if contact:
            plan["contact_municipality"] = contact
        return {"type": step, "plan": plan}
    if step == "case_closed":
        return {"type": step, "reason": str(form.get("reason", ""))}
    if step == "evaluation_recorded":
        given = {c.value: str(form.get(f"status.{c.value}", "")) for c in BasicCondition}
        return {"type": step, "conditions": {c: v for c, v in given.items() if v}}
    return {"type": step}


_FIELD_MESSAGES = {
    "visited_on": ("bezoekdatum", "Vul de datum van het bezoek in."),
    "consent": ("toestemming", "Kies of de persoon toestemming geeft."),
    "risk": ("risico", "Kies of er een risico is gesignaleerd."),
    "reason": ("reden", "Kies de reden van sluiten."),
    "plan": ("afgesproken", "Vul de datum van de afspraak en ten minste één actie in."),
    "conditions": ("evaluatie", "Kies voor elke basisvoorwaarde: op orde, niet op orde of onbekend."),
}


@router.post("/casussen/{case_id}/stap")
def record_step(request: Request, case_id: str, given: StepFormDep, session: SessionDep) -> Response:
    caller, form = given.caller, given.form
    step = str(form.get("type", ""))
    if step == "case_closed" and form.get("bevestigd") != "ja":
        return _step_page(
            request,
            caller,
            session,
            case_id,
            step,
            errors=[("bevestigd", "Bevestig dat u de casus sluit.")],
            status_code=422,
        )
    try:
        event = _EVENT.validate_python(_event_from(form))
    except ValidationError as error:
        fields = {str(e["loc"][1]) if len(e["loc"]) > 1 else "type" for e in error.errors()}
        errors = [_FIELD_MESSAGES.get(f, ("type", "Kies een geldige stap.")) for f in sorted(fields)]
        return _step_page(request, caller, session, case_id, step, errors=errors, status_code=422)

    claim_form(request, session, caller, form)
    cases.record_event(session, case_context(request), caller, case_id, event)
    return RedirectResponse(f"/casussen/{case_id}", status_code=303)


@router.get("/casussen/{case_id}/overdracht")
def handover_page(request: Request, case_id: str, caller: HandoverPageDep, session: SessionDep) -> Response:
    """What would go and what would not, and why: the policy's decision on the category names, for the case as
    it is now, decided without recording (nothing is decrypted or disclosed). Sending decides again."""
    case = cases.get_case_in_region(session, case_id, caller.partner.region)
    preview = handover.preview_handover(session, exchange_context(request, caller), case_id)
    return render(request, "coordinator/handover.html", case=case, ref=repository.short_reference, preview=preview)


@router.post("/casussen/{case_id}/overdracht")
def send_handover(request: Request, case_id: str, given: HandoverFormDep, session: SessionDep) -> Response:
    caller = given.caller
    ctx = exchange_context(request, caller)

    claim_form(request, session, caller, given.form)
    created = handover.create_handover(session, ctx, case_id)
    return render(
        request,
        "coordinator/handover_result.html",
        result=HandoverPublic.from_row(created, ctx.registry),
        ref=repository.short_reference,
    )
