"""Stand-ins for two policy types, the decision a disclosure-log record takes: just their fields, so a log test can
write a record without asking the policy engine (the tests of hub.policy use the real types)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Activity:
    """The shape of hub.policy's ActivityRef, as the exchange passes it in."""

    id: str = "reintegration"
    version: str = "1.0.0"
    name: str = "Re-integratie: ondersteuning op de basisvoorwaarden"
    legal_basis: str = "Pbw art. 18a jo. Pm art. 20d; AVG art. 6 lid 1 sub e"
    retention_days: int = 730
    confidentiality: str = "vertrouwelijk"


@dataclass(frozen=True)
class Decision:
    """The fields of hub.policy's Decision that the log takes."""

    decision_id: str = "dec-1"
    policy_revision: str = "a" * 64
    activity: Activity = Activity()
