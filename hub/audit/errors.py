"""Problems the privacy officer's routes answer with (RFC 9457, via hub.errors)."""

from __future__ import annotations

from hub.errors import HubError, ValidationFailed


class FilterRequired(HubError):
    """A log query without any filter: the privacy officer inspects purposefully, never the whole log."""

    status, code, title = 400, "audit_filter_required", "Filter verplicht"


class InvalidCursor(HubError):
    status, code, title = 400, "invalid_cursor", "Ongeldige cursor"


class InvalidPeriod(HubError):
    status, code, title = 400, "invalid_period", "Ongeldige periode"


class InvalidBsn(ValidationFailed):
    """The BSN in an access request fails the eleven-test (it is never echoed back)."""

    code = "invalid_bsn"


class InvalidReceivedOn(ValidationFailed):
    """The date an access request came in lies after today, or implausibly far back."""

    code = "invalid_received_on"
