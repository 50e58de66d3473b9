"""The oracle itself: the tool venv holds the pinned OPA, and it decides (tools/opa_oracle.py)."""

from __future__ import annotations

import re

from hub.config import ROOT
from tests.support.oracle import oracle_module


def test_oracle_embeds_the_pinned_opa_version():
    """The bindings in the tool venv were built with OPA 1.20.2, the version compose runs (test_compose.py)."""
    module = oracle_module()
    assert module.embedded_opa_version() == module.OPA_VERSION == "1.20.2"


def test_bindings_are_pinned_by_version_and_hash():
    """tools/opa-requirements.txt pins the one wheel by version and sha256; the Makefile installs with hashes."""
    requirements = (ROOT / "tools" / "opa-requirements.txt").read_text()
    assert "opa-golib-python-bindings==0.4.4" in requirements
    assert "--hash=sha256:d411c901e14b8c7c3023e23e4a944f4cf429c1d31baf80e959e57d11efbfd24a" in requirements
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile
    assert re.search(r"^test:.*\bpolicy-test\b", makefile, re.MULTILINE)  # make test runs `hub policy test`
    assert re.search(r"^policy-test:.*\bopa\b", makefile, re.MULTILINE)


def test_hub_never_imports_the_bindings():
    """The service does not depend on the oracle: no module under hub/ names it."""
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "hub").rglob("*.py")
        if re.search(r"^\s*(import|from)\s+(opa_bindings|opa_oracle)\b", p.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_oracle_decides_like_opas_server(opa_pdp):
    """A decision document comes back as OPA's server would return `result` (sets as arrays)."""
    value = opa_pdp.raw("api", {"role": "zvh_coordinator", "operation": "case.read"})
    assert value == {"allow": True, "reason": None, "rule": "dt.api.allow"}
