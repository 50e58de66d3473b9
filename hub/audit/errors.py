"""Problems of the disclosure log (RFC 9457, via hub.errors): the privacy officer's routes, and the sealing and
pruning jobs (which refuse rather than seal or remove a log that does not verify)."""

from __future__ import annotations

from hub.errors import Conflict, HubError, ServiceUnavailable, ValidationFailed


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


class SealRefused(Conflict):
    """The log does not verify since the last checkpoint, so it is not sealed."""

    code = "audit_seal_refused"


class PruneRefused(Conflict):
    """The segment to prune does not verify, so it is not anchored and not removed."""

    code = "audit_prune_refused"


class AuditWriteFailed(ServiceUnavailable):
    """The disclosure log could not be written, so nothing was released."""

    code = "audit_unavailable"


class WitnessFailed(ServiceUnavailable):
    """The checkpoint could not be written to the witness store, so it is not stored at all."""

    code = "audit_witness_failed"
