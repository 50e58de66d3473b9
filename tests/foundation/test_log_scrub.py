"""The log scrubber (hub.logging.scrub): secrets by key and BSNs/JWTs by shape, at every depth."""

import json
import logging

import pytest
import structlog

from hub.logging import contains_jwt, scrub

BSN = "999993653"  # passes the eleven-test
OTHER_BSN = "123456782"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def _rendered(**event) -> str:
    """The JSON line the hub would write for this event (scrub, then the JSON renderer)."""
    return structlog.processors.JSONRenderer()(None, "info", scrub(None, "info", {"event": "t", **event}))


@pytest.mark.parametrize(
    "value",
    [
        {"fields": {"bsn": BSN}},
        {"withheld": [f"housing.Jan de Vries, BSN {BSN}, schuld"]},
        {"withheld": (f"care.{BSN}x",)},
        {"a": [{"b": [{"c": {"d": f"x{BSN}"}}]}]},
        {"nested": {f"Jan {BSN}": True}},  # a BSN in a dict KEY
        {"set": {f"n{BSN}"}},
        {"number": int(BSN)},
        {"deep": [[[[["", [f"{BSN}"]]]]]]},
    ],
)
def test_nested_bsn_never_reaches_the_line(value):
    """A BSN inside dicts, lists, tuples, sets, dict keys or as a number is redacted at any depth."""
    line = _rendered(**value)
    assert BSN not in line
    assert "[BSN]" in line or "[redacted]" in line


@pytest.mark.parametrize(
    "key", ["authorization", "Client_Assertion", "token", "access_token", "bsn", "values", "answer", "private_key"]
)
def test_sensitive_keys_are_redacted_at_every_depth(key):
    """A value under a secret-sounding key is replaced whole, at the top level and nested."""
    event = scrub(None, "info", {"event": "t", key: {"anything": "x"}, "outer": [{"inner": {key: "s3cr3t"}}]})
    assert event[key] == "[redacted]"
    assert event["outer"][0]["inner"][key] == "[redacted]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{BSN}", "[BSN]"),
        (f"abc{BSN}def", "abc[BSN]def"),  # next to hex letters: caught by the eleven-test
        (f"x{OTHER_BSN}y", "x[BSN]y"),
        (f"0{BSN}", "[BSN]"),  # inside a longer run of digits
        (f"12{OTHER_BSN}", "12[BSN]"),
        ("123456789", "[BSN]"),  # a lone nine-digit run is always redacted (as before)
        ("a123456789", "a123456789"),  # next to a hex letter and failing the eleven-test: kept (a hash)
        ("deadbeef" * 8, "deadbeef" * 8),
        ("12345678", "12345678"),
    ],
)
def test_bsn_shapes(text, expected):
    """Nine digits passing the eleven-test are redacted wherever they stand; hash-like digits that fail it stay."""
    assert scrub(None, "info", {"event": "t", "v": text})["v"] == expected


@pytest.mark.parametrize("value", [JWT, f"Bearer {JWT}", f"prefix-{JWT}-suffix", [{"x": (JWT,)}]])
def test_jwts_are_redacted_at_every_depth(value):
    """Anything shaped like a JWT, alone, embedded or nested, is replaced by [JWT]."""
    line = _rendered(v=value)
    assert "eyJhbGci" not in line and "[JWT]" in line


def test_structure_and_harmless_values_survive():
    """Scrubbing keeps the shape, types and harmless values of an event."""
    event = {
        "event": "case.opened",
        "count": 3,
        "ok": True,
        "ratio": 0.5,
        "none": None,
        "items": [{"category": "housing", "n": 2}],
        "pair": ("a", "b"),
    }
    assert json.loads(_rendered(**event)) == {**event, "pair": ["a", "b"]}


def test_too_deep_structures_are_cut_off():
    """A pathologically deep value is not walked to the end (and not written)."""
    value: list = [BSN]
    for _ in range(200):
        value = [value]
    line = _rendered(v=value)
    assert BSN not in line and "[too deep]" in line


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("eyJ" * 100_000, False),  # hostile: quadratic for a backtracking regex
        ("eyJ" * 100_000 + ".a.b", True),
        ("eyJa." * 50_000, True),
        ("eyJa" + "." * 100_000, False),
        ("-" * 100_000 + "eyJx.y.", True),
        ("eyJx.y", False),  # two segments only
    ],
)
def test_jwt_detection_is_linear_and_exact(text, found):
    """contains_jwt handles long hostile inputs (one pass) and finds exactly the eyJ<x>.<y>.<z> shape."""
    assert contains_jwt(text) is found


def test_a_standard_library_traceback_never_reaches_the_line(capfd):
    """uvicorn logs an error the app already answered with its traceback ("Exception in ASGI application");
    a pydantic error's message quotes the input it refused. Through the hub's logging only the type is left."""
    from pydantic import BaseModel, ValidationError

    from hub.logging import configure_logging

    class Person(BaseModel):
        bsn: int

    configure_logging("INFO", json=True)
    try:
        Person(bsn="111222333 en antwoord: huurschuld")
    except ValidationError:
        logging.getLogger("uvicorn.error").error("Exception in ASGI application\n", exc_info=True)
    lines = [line for line in capfd.readouterr().err.splitlines() if "Exception in ASGI" in line]
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["error_type"] == "ValidationError" and event["level"] == "error"
    assert "111222333" not in lines[0] and "huurschuld" not in lines[0] and "Traceback" not in lines[0]
