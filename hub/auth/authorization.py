"""`authorize(operation)`: the FastAPI dependency that asks the API-access rule before a route runs."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from fastapi import Request

from hub.auth.deps import CallerDep
from hub.auth.errors import InsufficientScope
from hub.auth.principal import Caller
from hub.policy.errors import OperationForbidden, PolicyUnavailableError

log = structlog.get_logger(__name__)


def authorize(operation: str) -> Callable[..., Caller]:
    """A dependency returning the authenticated Caller when the policy lets its role call `operation`.

    Refuses with 403 `operation_forbidden` naming the rule and reason, or 503 `policy_unavailable` when
    the engine gives no usable answer; and, when the role may call it, with 403 `insufficient_scope` when the
    access token was not issued for `operation` (a down-scoped token, RFC 6750 §3.1).
    """
    from hub.policy.pep import POLICY_UNAVAILABLE, check_operation

    def _authorized(request: Request, caller: CallerDep) -> Caller:
        outcome = check_operation(request.app.state.pdp, caller.partner.role, operation)
        if outcome.allow:
            return _within_scope(caller, operation)
        log.info(
            "policy.operation_refused",
            operation=operation,
            role=caller.partner.role,
            reason=outcome.reason,
            decision_id=outcome.decision_id,
        )
        if outcome.reason == POLICY_UNAVAILABLE:
            raise PolicyUnavailableError(
                "Het beleid kon niet worden geraadpleegd; het verzoek is geweigerd.",
                rule=outcome.rule,
                operation=operation,
                policy_revision=outcome.policy_revision,
            )
        raise OperationForbidden(
            f"De rol '{caller.partner.role}' mag de operatie '{operation}' niet uitvoeren "
            f"(regel {outcome.rule}: {outcome.reason}).",
            rule=outcome.rule,
            reason=outcome.reason,
            operation=operation,
            policy_revision=outcome.policy_revision,
        )

    _authorized.__name__ = f"authorize_{operation.replace('.', '_')}"
    _authorized.operation = operation  # type: ignore[attr-defined] - read by hub.routing and the route tests
    return _authorized


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
