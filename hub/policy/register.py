"""Python access to the register of processing activities in `policies/dt/register/data.json`.

`ActivityRef` is what a decision and a disclosure-log record carry about the activity: id, version,
Dutch name, legal basis, retention and confidentiality.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

REGISTER_FILE = Path("dt") / "register" / "data.json"


class UnknownActivity(KeyError):
    """The activity is not in the register."""


@dataclass(frozen=True, slots=True)
class ActivityRef:
    id: str
    version: str
    name: str  # Dutch
    legal_basis: str  # citation, e.g. "Pbw art. 18a; AVG art. 6 lid 1 sub e"
    retention_days: int
    confidentiality: str

    @classmethod
    def from_policy(cls, value: dict[str, Any]) -> ActivityRef:
        return cls(
            str(value["id"]),
            str(value["version"]),
            str(value["name"]),
            str(value["legal_basis"]),
            int(value["retention_days"]),
            str(value["confidentiality"]),
        )


@dataclass(frozen=True, slots=True)
class Activity:
    """A full register entry."""

    ref: ActivityRef
    purpose: str
    direction: str  # "request": the coordinator asks a holder; "provide": the coordinator sends (handover)
    legal_basis: tuple[dict[str, str], ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Register:
    version: str
    activities: dict[str, Activity]

    def get(self, activity: str) -> Activity:
        try:
            return self.activities[activity]
        except KeyError:
            raise UnknownActivity(activity) from None


def policies_dir_or_default(policies_dir: Path | None) -> Path:
    if policies_dir is not None:
        return Path(policies_dir)
    from hub.config import get_settings

    return get_settings().policies_dir


@lru_cache(maxsize=8)
def _load(path: Path) -> Register:
    raw = json.loads(path.read_text(encoding="utf-8"))
    activities = {}
    for key, entry in raw["activities"].items():
        ref = ActivityRef(
            entry["id"],
            entry["version"],
            entry["name"],
            entry["legal_basis_text"],
            int(entry["retention_days"]),
            entry["confidentiality"],
        )
        activities[key] = Activity(
            ref, entry["purpose"], entry["direction"], tuple(entry["legal_basis"]), tuple(entry["categories"])
        )
    return Register(raw["version"], activities)


def get_register(policies_dir: Path | None = None) -> Register:
    """The register as the policy files on disk hold it (cached until `invalidate()`)."""
    return _load(policies_dir_or_default(policies_dir) / REGISTER_FILE)


def activity(activity_id: str, policies_dir: Path | None = None) -> Activity:
    return get_register(policies_dir).get(activity_id)


def invalidate() -> None:
    """Forget the cached register (after a policy reload)."""
    _load.cache_clear()
