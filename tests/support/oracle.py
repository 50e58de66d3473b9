"""Real OPA (tools/opa_oracle.py, from the tool venv `make opa` installs) as a decision point for the suite.

`OraclePDP` puts OPA behind the hub's own PolicyDecisionPoint interface, so the decision vectors run through
the real enforcement point on OPA exactly as on the embedded engine and the remote client. It lives in the
tests: `hub/` never imports the bindings.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from hub.config import ROOT, get_settings
from hub.policy.bundle import read_source
from hub.policy.pdp import PolicyDecisionPoint, PolicyResult, PolicyUnavailable, Rule


def oracle_module() -> ModuleType:
    """tools/opa_oracle.py, with the tool venv's OPA bindings importable (fails with `make opa` advice)."""
    name = "opa_oracle"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "opa_oracle.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    module.use_tool_venv(get_settings().opa_oracle_python)
    return module


class OraclePDP(PolicyDecisionPoint):
    """OPA v1.20.2 in-process over a policy directory; the revision is the embedded engine's for the same files."""

    kind = "opa-oracle"

    def __init__(self, policies_dir: Path) -> None:
        module = oracle_module()
        self._oracle = module.OpaOracle(policies_dir)
        self._revision = read_source(Path(policies_dir)).revision
        from opa_bindings import OpaUndefinedError

        self._undefined = OpaUndefinedError

    @property
    def revision(self) -> str:
        return self._revision

    def reload(self) -> str:
        raise NotImplementedError("the oracle is built once per directory")

    def raw(self, rule: str, input_doc: Any) -> Any:
        """The decision document, or raises the bindings' OpaError / OpaUndefinedError."""
        return self._oracle.decide(rule, input_doc)

    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        try:
            value = self._oracle.decide(rule, input_doc)
        except self._undefined as exc:
            raise PolicyUnavailable("undefined result") from exc
        return PolicyResult(rule, value, uuid.uuid4().hex, self._revision)

    def close(self) -> None:
        self._oracle.close()
