"""W3C traceparent: accepted from partners only when well-formed, created otherwise."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from hub.audit.trace import hashed_id, parse_traceparent, pseudonymous, trace_from_request

GOOD = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_wellformed_traceparent_continues_the_partners_trace():
    """The partner's trace id is kept; its span becomes our parent; we get a fresh span of our own."""
    context = parse_traceparent(GOOD)
    assert context.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert context.parent_span_id == "00f067aa0ba902b7"
    assert len(context.span_id) == 16 and context.span_id != context.parent_span_id
    assert context.traceparent == f"00-{context.trace_id}-{context.span_id}-01"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
        "00-999993653999993653999993653abcde-00f067aa0ba902b7-01\n",
    ],
)
def test_malformed_traceparent_is_not_trusted(header):
    """Wrong version, case, length, all-zero ids or trailing parts: rejected."""
    assert parse_traceparent(header) is None


@pytest.mark.parametrize("headers", [[], [(b"traceparent", b"00-bad")]])
def test_request_without_valid_header_gets_a_new_trace(headers):
    """A missing or malformed header yields a fresh trace without a parent span."""
    request = Request({"type": "http", "headers": headers, "state": {}})
    context = trace_from_request(request)
    assert len(context.trace_id) == 32 and context.parent_span_id is None
    assert request.state.trace is context


def test_partner_trace_is_kept_only_as_keyed_hashes(log_mac_key):
    """The request's trace continues the partner's under keyed hashes of its ids (same partner trace, same
    hashed trace), never the partner's ids themselves; without the MAC key the hub starts its own trace."""
    request = Request({"type": "http", "headers": [(b"traceparent", GOOD.encode())], "state": {}})
    context = trace_from_request(request)
    partner = parse_traceparent(GOOD)
    assert context.trace_id == hashed_id(log_mac_key, partner.trace_id) != partner.trace_id
    assert context.parent_span_id == hashed_id(log_mac_key, partner.parent_span_id) != partner.parent_span_id
    assert len(context.trace_id) == 32 and len(context.parent_span_id) == 16
    assert pseudonymous(partner, log_mac_key).trace_id == context.trace_id
    unkeyed = pseudonymous(partner, None)
    assert unkeyed.trace_id != partner.trace_id and unkeyed.parent_span_id is None
