"""W3C Trace Context for the disclosure log (as the Logboek Dataverwerkingen asks).

A partner may send `traceparent: 00-<trace-id>-<parent-id>-<flags>`. It is accepted only when it is exactly
well-formed (version 00, lower-case hex, ids not all zero). Anything else is not trusted: the hub starts a new
trace and logs that it replaced a malformed header (without echoing it).

A partner's ids never go verbatim into the append-only log (issue 12, item 6: a trace id may embed a BSN and the
log is kept for years). The hub continues the partner's trace under keyed hashes of its ids: HMAC-SHA256 under the
log MAC key (a hub secret the database never sees) with its own label, cut to the W3C lengths. The same partner
trace always gives the same hashed trace, so the records of one partner trace still belong together, and the hub
can answer a partner asking about its trace id. The relation (partner ids, hashed ids) goes to the application
log only (`trace.partner_trace`, which is scrubbed of BSNs like every log line and kept for days, not years).
Without the MAC key the hub drops the partner's trace and starts its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request

from hub.audit import mac

log = structlog.get_logger(__name__)

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16
_HASH_LABEL = b"dt-hub traceparent/1\x00"


@dataclass(frozen=True, slots=True)
class TraceContext:
    """The trace this request belongs to, the hub's own span in it, and the caller's span if any."""

    trace_id: str
    span_id: str
    parent_span_id: str | None = None
    flags: str = "01"

    @property
    def traceparent(self) -> str:
        """The header to pass on downstream: this hub's span as the parent."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"

    def child(self) -> TraceContext:
        """A new span in the same trace, with this span as its parent."""
        return TraceContext(self.trace_id, new_span_id(), self.span_id, self.flags)


def new_trace_id() -> str:
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)


def new_trace() -> TraceContext:
    """A fresh trace, for work that starts at the hub (a job, a CLI command, a request without a header)."""
    return TraceContext(new_trace_id(), new_span_id())


def parse_traceparent(header: str | None) -> TraceContext | None:
    """A TraceContext continuing the caller's trace, or None when the header is absent or malformed."""
    if not header:
        return None
    match = _TRACEPARENT.fullmatch(header)
    if match is None:
        return None
    trace_id, parent_id, flags = match.groups()
    if trace_id == _ZERO_TRACE or parent_id == _ZERO_SPAN:
        return None
    return TraceContext(trace_id, new_span_id(), parent_id, flags)


def hashed_id(key: bytes, value: str) -> str:
    """A partner's trace or span id as the hub keeps it: a keyed hash of the same length."""
    return hmac.new(key, _HASH_LABEL + value.encode("ascii"), hashlib.sha256).hexdigest()[: len(value)]


def pseudonymous(partner: TraceContext, key: bytes | None) -> TraceContext:
    """The hub's trace continuing the partner's, with the partner's ids replaced by keyed hashes (no key: a new
    trace of the hub's own)."""
    if key is None:
        return new_trace()
    parent = hashed_id(key, partner.parent_span_id) if partner.parent_span_id else None
    return TraceContext(hashed_id(key, partner.trace_id), partner.span_id, parent, partner.flags)


def trace_from_request(request: Request) -> TraceContext:
    """The request's trace: the partner's (under keyed hashes) when well-formed, otherwise a new one."""
    header = request.headers.get("traceparent")
    partner = parse_traceparent(header)
    if partner is None:
        if header is not None:
            log.info("trace.traceparent_replaced", reason="malformed")
        context = new_trace()
    else:
        context = pseudonymous(partner, mac.current_key())
        log.info(
            "trace.partner_trace",
            trace_id=context.trace_id,
            parent_span_id=context.parent_span_id,
            partner_trace_id=partner.trace_id,
            partner_parent_span_id=partner.parent_span_id,
        )
    request.state.trace = context
    return context


async def request_trace(request: Request) -> TraceContext:
    """`trace_from_request` as a dependency: async, so FastAPI runs it on the event loop (it parses a header
    and hashes) instead of handing it to a worker thread, a hop that cost more than the work (issue 15)."""
    return trace_from_request(request)


TraceDep = Annotated[TraceContext, Depends(request_trace)]
