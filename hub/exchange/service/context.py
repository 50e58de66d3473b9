"""Everything an exchange service needs besides the session, gathered once per HTTP call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hub.audit.trace import TraceContext
from hub.auth.principal import Caller
from hub.auth.registry import Registry
from hub.config import Settings
from hub.crypto.envelope import Envelope
from hub.policy.pdp import PolicyDecisionPoint


@dataclass(frozen=True, slots=True)
class ExchangeContext:
    caller: Caller
    pdp: PolicyDecisionPoint  # embedded or remote; only hub.policy.pep talks to it
    registry: Registry  # hub.auth's partner registry
    settings: Settings
    now: datetime
    trace: TraceContext | None  # the W3C trace context of this call; None when a case change made outside
    # an HTTP call (the cases CLI) is followed
    envelope: Envelope
