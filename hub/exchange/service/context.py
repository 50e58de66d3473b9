"""Everything an exchange service needs besides the session, gathered once per HTTP call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.auth.principal import Caller
from hub.config import Settings
from hub.crypto.envelope import Envelope


@dataclass(frozen=True, slots=True)
class ExchangeContext:
    caller: Caller
    pdp: Any  # hub.policy's decision point (embedded or remote); only hub.policy.pep talks to it
    registry: Any  # hub.auth's partner registry: by_oin(), by_client_id(), find_municipal()
    settings: Settings
    now: datetime
    trace: Any  # hub.audit.trace's W3C trace context of this call
    envelope: Envelope
