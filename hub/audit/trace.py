"""W3C Trace Context for the disclosure log (as the Logboek Dataverwerkingen asks).

A partner may send `traceparent: 00-<trace-id>-<parent-id>-<flags>`. It is accepted only when it is exactly
well-formed (version 00, lower-case hex, ids not all zero); then the hub continues the partner's trace and
records the partner's span as the parent. Anything else is not trusted: the hub starts a new trace and logs
that it replaced a malformed header (without echoing it).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Annotated

import structlog
from fastapi import Depends, Request

log = structlog.get_logger(__name__)

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_ZERO_TRACE = "0" * 32
_ZERO_SPAN = "0" * 16


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


def trace_from_request(request: Request) -> TraceContext:
    """The request's trace: the partner's when well-formed, otherwise a new one."""
    header = request.headers.get("traceparent")
    context = parse_traceparent(header)
    if context is None:
        if header is not None:
            log.info("trace.traceparent_replaced", reason="malformed")
        context = new_trace()
    request.state.trace = context
    return context


TraceDep = Annotated[TraceContext, Depends(trace_from_request)]
