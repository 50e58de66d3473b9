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
