"""OAuth scopes, derived from a partner's role.

A scope is the name of an API operation (the same names as the policy's route operations in
docs/ARCHITECTURE.md). A token carries the scopes its role grants, or fewer when the partner asks for fewer
(a down-scoped token for a batch job). Both are enforced on every call by `authorize(operation)`
(hub.auth.authorization): the policy must let the role call the operation, and the token's scope must name it
(else 403 `insufficient_scope`).
"""

from __future__ import annotations

from hub.auth.principal import Role

_ANSWERING = ("inbox.list", "inbox.read", "answer.submit")

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "dji": frozenset({"notification.create", *_ANSWERING}),
    "zvh_coordinator": frozenset(
        {
            "case.list",
            "case.read",
            "case.transition",
            "request.create",
            "request.list",
            "request.read",
            "handover.create",
            "origin.determine",
        }
    ),
    "municipal_social": frozenset({*_ANSWERING, "handover.acknowledge", "origin.contest"}),
    "municipal_security": frozenset(_ANSWERING),
    "police": frozenset(_ANSWERING),
    "probation": frozenset(_ANSWERING),
    "privacy_officer": frozenset({"audit.query", "audit.integrity", "audit.access_report", "audit.report"}),
    # The region's policy staff: the anonymous statistics of its region, nothing else (hub.monitoring).
    "region_analyst": frozenset({"monitor.read"}),
}

ALL_SCOPES: tuple[str, ...] = tuple(sorted(set().union(*ROLE_SCOPES.values())))


def scopes_for(role: Role) -> frozenset[str]:
    return ROLE_SCOPES[role]


def granted_scope(role: Role, requested: str | None) -> str | None:
    """The scope string to grant, or None when something outside the role was asked (never narrowed).

    No `scope` parameter means every scope of the role.
    """
    allowed = scopes_for(role)
    if requested is None or not requested.strip():
        return " ".join(sorted(allowed))
    asked = set(requested.split())
    if not asked <= allowed:
        return None
    return " ".join(sorted(asked))
