"""The service contexts a screen needs, built as the API's dependencies build them (same keys, same clock)."""

from __future__ import annotations

from fastapi import Request

from hub.audit.trace import TraceContext, new_trace
from hub.auth.principal import Caller
from hub.cases.service import CaseContext
from hub.crypto.envelope import Envelope
from hub.exchange.dependencies import clock_in_force
from hub.exchange.service.context import ExchangeContext
from hub.policy.register import get_register


def _trace() -> TraceContext:
    return new_trace()


def exchange_context(request: Request, caller: Caller) -> ExchangeContext:
    state = request.app.state
    clock = clock_in_force(request)
    return ExchangeContext(
        caller=caller,
        pdp=state.pdp,
        registry=state.registry,
        settings=state.settings,
        now=clock(),
        trace=_trace(),
        envelope=Envelope.from_settings(state.settings),
    )


def case_context(request: Request) -> CaseContext:
    settings = request.app.state.settings
    return CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
        trace=_trace(),
        follow=request.app.state.case_follower,  # a step on a screen is followed as one through the API
    )
