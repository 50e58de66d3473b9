"""Named dependencies of the cases routes: who may call each operation (the policy's API-access rule, through
hub.auth.authorization.authorize), the case context a request's services get, the policy decision point for the
coordinator's own reads, and the case id of the path."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request

from hub.audit.trace import TraceDep
from hub.auth.authorization import authorize
from hub.auth.principal import Caller
from hub.cases.service import CaseContext
from hub.crypto.envelope import Envelope
from hub.policy.pdp import PolicyDecisionPoint
from hub.policy.register import get_register

DjiDep = Annotated[Caller, Depends(authorize("notification.create"))]
CaseListerDep = Annotated[Caller, Depends(authorize("case.list"))]
CaseReaderDep = Annotated[Caller, Depends(authorize("case.read"))]
CaseStepperDep = Annotated[Caller, Depends(authorize("case.transition"))]


async def case_context(request: Request, trace: TraceDep) -> CaseContext:
    # async: pure and quick (the register is cached), so it runs on the event loop, not in a worker thread
    state = request.app.state
    settings = state.settings
    return CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
        trace=trace,
        follow=state.case_follower,  # installed with the exchange (hub.main); an app without it fails here
    )


CaseContextDep = Annotated[CaseContext, Depends(case_context)]


def policy_point(request: Request) -> PolicyDecisionPoint:
    """The hub's policy decision point (set up at start-up), for the coordinator's own reads."""
    return request.app.state.pdp


PolicyPointDep = Annotated[PolicyDecisionPoint, Depends(policy_point)]
CaseId = Annotated[uuid.UUID, Path(description="The case id (a UUID).")]
