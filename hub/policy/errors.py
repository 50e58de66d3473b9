"""Problems the enforcement point raises (RFC 9457 via hub.errors)."""

from __future__ import annotations

from types import MappingProxyType

from hub.errors import Forbidden, ServiceUnavailable


class OperationForbidden(Forbidden):
    """The API-access rule (dt.api.allow) does not let the caller's role call this operation."""

    code = "operation_forbidden"


class PolicyUnavailableError(ServiceUnavailable):
    """The policy engine gave no usable answer; the hub refuses rather than guess. Raised only by the
    enforcement point (hub.policy.pep), on every route alike; nothing is stored, and the client may retry."""

    code = "policy_unavailable"
    title = "Beleid niet beschikbaar"
    headers = MappingProxyType({"Retry-After": "5"})
