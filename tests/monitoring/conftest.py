from __future__ import annotations

from hub.crypto.envelope import Envelope
from tests.cases.conftest import ctx  # noqa: F401  # the cases' CaseContext, shared
from tests.web.conftest import sign_in  # noqa: F401  # the screens test signs in through the picker


def exchange_factory(app):
    """`exchange(caller, now)` for the generator: the exchange's context on the test app (its real PDP)."""
    from hub.exchange.service.context import ExchangeContext

    state = app.state

    def exchange(caller, now):
        return ExchangeContext(
            caller=caller,
            pdp=state.pdp,
            registry=state.registry,
            settings=state.settings,
            now=now,
            trace=None,
            envelope=Envelope.from_settings(state.settings),
        )

    return exchange
