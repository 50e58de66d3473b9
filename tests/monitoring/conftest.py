from __future__ import annotations

import pytest

from hub.cases.service import CaseContext
from hub.config import Settings
from hub.crypto.envelope import Envelope
from hub.policy.register import get_register
from tests.web.conftest import sign_in  # noqa: F401  # the screens test signs in through the picker


@pytest.fixture
def ctx(settings: Settings) -> CaseContext:
    return CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
    )


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
