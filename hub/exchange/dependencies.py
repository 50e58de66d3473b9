"""Named dependencies of the exchange routes: one `ExchangeContext` per API operation.

Each one first runs the policy's API-access rule for its operation (hub.auth.authorization.authorize), so a route
that takes, say, `AnswerSubmitContext` cannot run for a role the policy does not allow to answer.
"""

# No `from __future__ import annotations` here: the dependency's annotations refer to a local variable
# (the operation's authorize dependency), which FastAPI can only see when they are real objects.
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from hub.audit.trace import TraceDep
from hub.auth.authorization import authorize
from hub.auth.principal import Caller
from hub.crypto.envelope import EnvelopeDep
from hub.exchange.service.context import ExchangeContext

# The exchange's clock, a named dependency so that tests move time instead of waiting for it.
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def get_clock() -> Clock:
    """Override with `app.dependency_overrides[get_clock]` to run the exchange at another moment."""
    return system_clock


def clock_in_force(request: Request) -> Clock:
    """`get_clock`, or the clock a test set with `app.dependency_overrides[get_clock]`. Read here rather than
    solved as a dependency: a sync dependency is a worker-thread hop per call (issue 15)."""
    return request.app.dependency_overrides.get(get_clock, get_clock)()


def exchange_context(operation: str) -> Callable[..., Coroutine[Any, Any, ExchangeContext]]:
    authorized = authorize(operation)

    # async: it only gathers what the dependencies above resolved, so FastAPI runs it on the event loop
    # instead of handing it to a worker thread (one thread hop less per call; issue 15)
    async def dependency(
        request: Request,
        caller: Annotated[Caller, Depends(authorized)],
        trace: TraceDep,
        envelope: EnvelopeDep,
    ) -> ExchangeContext:
        state = request.app.state
        return ExchangeContext(
            caller=caller,
            pdp=state.pdp,
            registry=state.registry,
            settings=state.settings,
            now=clock_in_force(request)(),
            trace=trace,
            envelope=envelope,
        )

    dependency.__name__ = f"exchange_context_{operation.replace('.', '_')}"
    return dependency


RequestCreateContext = Annotated[ExchangeContext, Depends(exchange_context("request.create"))]
RequestListContext = Annotated[ExchangeContext, Depends(exchange_context("request.list"))]
RequestReadContext = Annotated[ExchangeContext, Depends(exchange_context("request.read"))]
InboxListContext = Annotated[ExchangeContext, Depends(exchange_context("inbox.list"))]
InboxReadContext = Annotated[ExchangeContext, Depends(exchange_context("inbox.read"))]
AnswerSubmitContext = Annotated[ExchangeContext, Depends(exchange_context("answer.submit"))]
HandoverCreateContext = Annotated[ExchangeContext, Depends(exchange_context("handover.create"))]
HandoverAcknowledgeContext = Annotated[ExchangeContext, Depends(exchange_context("handover.acknowledge"))]
