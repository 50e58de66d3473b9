"""`authorize(operation)`: the FastAPI dependency that asks the API-access rule before a route runs.

It is an `OperationAuthorization`, a type: hub.auth.routing recognises a route's authorization by that type
(never by a module or function name), runs it first, and the Idempotency-Key guard depends on it.
"""

from __future__ import annotations

import structlog
from fastapi import Request

from hub.auth.dependencies import CallerDep
from hub.auth.errors import InsufficientScope
from hub.auth.principal import Caller
from hub.policy.errors import OperationForbidden
from hub.policy.pep import check_operation

log = structlog.get_logger(__name__)


class OperationAuthorization:
    """The dependency returning the authenticated Caller when the policy lets its role call `operation`.

    Refuses with 403 `operation_forbidden` naming the rule and reason; the enforcement point raises 503
    `policy_unavailable` when the engine gives no usable answer; and, when the role may call it, 403
    `insufficient_scope` when the access token was not issued for `operation` (a down-scoped token,
    RFC 6750 §3.1).
    """

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.__name__ = f"authorize_{operation.replace('.', '_')}"  # names the dependency in logs and tests

    def __repr__(self) -> str:
        return f"authorize({self.operation!r})"

    def __call__(self, request: Request, caller: CallerDep) -> Caller:
        outcome = check_operation(request.app.state.pdp, caller.partner.role, self.operation)
        if outcome.allow:
            return _within_scope(caller, self.operation)
        log.info(
            "policy.operation_refused",
            operation=self.operation,
            role=caller.partner.role,
            reason=outcome.reason,
            decision_id=outcome.decision_id,
        )
        raise OperationForbidden(
            f"De rol '{caller.partner.role}' mag de operatie '{self.operation}' niet uitvoeren "
            f"(regel {outcome.rule}: {outcome.reason}).",
            rule=outcome.rule,
            reason=outcome.reason,
            operation=self.operation,
            policy_revision=outcome.policy_revision,
        )


def authorize(operation: str) -> OperationAuthorization:
    """The authorization dependency of `operation` (see OperationAuthorization)."""
    return OperationAuthorization(operation)


def _within_scope(caller: Caller, operation: str) -> Caller:
    """The caller, when its access token's scope names `operation` (each scope is an operation name)."""
    if operation in caller.scopes:
        return caller
    log.info("auth.scope_refused", operation=operation, client_id=caller.partner.client_id)
    raise InsufficientScope(
        f"Het toegangstoken geeft geen toegang tot de operatie '{operation}': vraag een token aan met "
        f"scope '{operation}'.",
        operation=operation,
        missing_scope=operation,
    )
