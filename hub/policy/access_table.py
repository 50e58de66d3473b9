"""The API-access decisions as a table, one per bundle revision.

The `api` rule is given only a role and an operation, so its whole answer is a finite table: one decision per
(role, operation) pair of the hub's vocabulary (hub.auth.principal.ROLES x hub.auth.scopes.ALL_SCOPES). The
table is evaluated through the engine for every pair when a bundle is loaded (at start-up, and again after a
reload), checked to be complete (every pair well-formed), and then answers the access checks for that
revision. Nothing is weakened: the table holds exactly what the engine said for that bundle, and a check of the
current revision never uses the table of another one (a table whose revision is not the decision point's is
built again before it answers). A pair outside the vocabulary is asked of the engine.

A table that cannot be built (an engine error, a result of the wrong shape, a reload in the middle) is no
table: the checks fail closed with `policy_unavailable` until a build succeeds.

The embedded engine's table is a pure function of its bundle, and its revision is a digest of the bundle's
content (hub.policy.bundle), so a table built once is shared by every embedded decision point of the process on
that revision (the test suite builds an app, and so a decision point, per test; a bundle with other content has
another revision and gets its own table). Only the plain `EmbeddedPDP` shares: a subclass, or a remote OPA whose
revision is only what the server says, is always evaluated.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import structlog

from hub.policy.bundle import ContentMemo
from hub.policy.pdp import EmbeddedPDP, PolicyDecisionPoint, PolicyUnavailable
from hub.policy.results import check_api_result

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class AccessTable:
    """The checked `dt.api.decision` of every (role, operation) pair, for one bundle revision."""

    revision: str
    entries: Mapping[tuple[str, str], Mapping[str, Any]]

    def get(self, role: str, operation: str) -> Mapping[str, Any] | None:
        return self.entries.get((role, operation))


def vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roles and operations the hub's callers and routes can present."""
    from hub.auth.principal import ROLES
    from hub.auth.scopes import ALL_SCOPES

    return tuple(ROLES), tuple(ALL_SCOPES)


def build(
    pdp: PolicyDecisionPoint, roles: Iterable[str] | None = None, operations: Iterable[str] | None = None
) -> AccessTable:
    """Evaluate the `api` rule for every pair on the decision point's current bundle. Raises PolicyUnavailable
    when an entry is missing or malformed, or when the bundle changed while the table was being built."""
    default_roles, default_operations = vocabulary()
    roles = tuple(roles if roles is not None else default_roles)
    operations = tuple(operations if operations is not None else default_operations)
    revision: str | None = None  # of the first evaluation (a remote decision point reads it then, if need be)
    entries: dict[tuple[str, str], Mapping[str, Any]] = {}
    for role in roles:
        for operation in operations:
            result = pdp.decide("api", {"role": role, "operation": operation})
            revision = result.revision if revision is None else revision
            if result.revision != revision or revision != pdp.revision:
                raise PolicyUnavailable("the bundle changed while the access table was built")
            entries[(role, operation)] = MappingProxyType(dict(check_api_result(result.value)))
    if len(entries) != len(roles) * len(operations):  # duplicates in the vocabulary would hide a pair
        raise PolicyUnavailable("the access table is incomplete")
    if revision is None:
        raise PolicyUnavailable("the access table has no entries")
    return AccessTable(revision, MappingProxyType(entries))


class _Tables:
    """The table of each decision point, rebuilt when the decision point's revision moves on."""

    def __init__(self) -> None:
        self._tables: weakref.WeakKeyDictionary[PolicyDecisionPoint, AccessTable] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def current(self, pdp: PolicyDecisionPoint) -> AccessTable:
        """The table for the decision point's current revision; built (once, under a lock) when there is none."""
        table = self._tables.get(pdp)
        if table is not None and table.revision == _revision_or_none(pdp):
            return table
        with self._lock:
            table = self._tables.get(pdp)
            if table is not None and table.revision == _revision_or_none(pdp):
                return table
            table = self._build_logged(pdp)
            self._tables[pdp] = table
            return table

    def rebuild(self, pdp: PolicyDecisionPoint) -> AccessTable:
        """Build the table for the current bundle now (after a load or a reload)."""
        with self._lock:
            table = self._build_logged(pdp)
            self._tables[pdp] = table
            return table

    def _build_logged(self, pdp: PolicyDecisionPoint) -> AccessTable:
        try:
            table = _build_or_share(pdp)
        except PolicyUnavailable as exc:
            log.error("policy.access_table_refused", pdp=getattr(pdp, "kind", "unknown"), error=str(exc)[:300])
            raise
        log.info(
            "policy.access_table_built",
            pdp=getattr(pdp, "kind", "unknown"),
            revision=table.revision,
            entries=len(table.entries),
        )
        return table


_SHARED = ContentMemo()  # the embedded engine's tables, by bundle revision (a digest of the bundle's content)


def _build_or_share(pdp: PolicyDecisionPoint) -> AccessTable:
    if type(pdp) is not EmbeddedPDP:
        return build(pdp)
    table: AccessTable = _SHARED.get_or_make(pdp.revision, lambda: build(pdp))
    if table.revision != pdp.revision:  # reloaded while the table was being made: make this one's again
        return build(pdp)
    return table


def _revision_or_none(pdp: PolicyDecisionPoint) -> str | None:
    """None when a remote OPA has not said what it runs yet: the build's first evaluation then reads it."""
    try:
        return pdp.revision
    except PolicyUnavailable:
        return None


TABLES = _Tables()
