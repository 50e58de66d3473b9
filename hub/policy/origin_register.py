"""Python access to the register of the municipality of origin in `policies/dt/origin/data.json` (issue 16).

The rules of the samenwerkingsmodel nazorg by which the coordinator determines a municipality of origin
(`reasons`), the reasons a municipality's social domain may give to contest it (`contest_reasons`), and the
statuses the policy reads (`statuses`), each with its Dutch name. The policy decides with the same file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hub.policy.register import policies_dir_or_default

ORIGIN_FILE = Path("dt") / "origin" / "data.json"


@dataclass(frozen=True, slots=True)
class OriginReason:
    id: str
    name: str  # Dutch label
    rule: str  # Dutch: the rule of the samenwerkingsmodel it applies


@dataclass(frozen=True, slots=True)
class OriginRegister:
    version: str
    statuses: dict[str, str]  # status -> Dutch name
    reasons: dict[str, OriginReason]  # to determine
    contest_reasons: dict[str, OriginReason]  # to contest


def _reasons(raw: dict[str, dict[str, str]]) -> dict[str, OriginReason]:
    return {key: OriginReason(key, entry["name"], entry["rule"]) for key, entry in raw.items()}


@lru_cache(maxsize=8)
def _load(path: Path) -> OriginRegister:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return OriginRegister(
        raw["version"],
        {key: entry["name"] for key, entry in raw["statuses"].items()},
        _reasons(raw["reasons"]),
        _reasons(raw["contest_reasons"]),
    )


def get_origin_register(policies_dir: Path | None = None) -> OriginRegister:
    """The register as the policy files on disk hold it (cached until `invalidate()`)."""
    return _load(policies_dir_or_default(policies_dir) / ORIGIN_FILE)


def invalidate() -> None:
    """Forget the cached register (after a policy reload)."""
    _load.cache_clear()
