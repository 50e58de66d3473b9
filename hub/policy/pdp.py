"""The policy decision point: one interface, an embedded regopy engine behind it.

A PDP evaluates one of the rules of `policies/` (`request`, `answer`, `api`) for an input and returns the
raw result with its decision id and the revision of the bundle that made it. It does not interpret the
result: the enforcement point (hub.policy.pep) checks its shape and is the only place that turns it
into a `Decision`. Every failure of the engine is a `PolicyUnavailable`; the enforcement point denies.
"""

from __future__ import annotations

import abc
import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import structlog
from regopy import Bundle, Input, Interpreter

from hub.policy.bundle import ENTRYPOINTS, PolicyLoadError, PolicySource, compile_bundle, read_source

log = structlog.get_logger(__name__)

Rule = Literal["request", "answer", "release", "api", "case_read", "notice_read", "origin_read"]


class PolicyUnavailable(Exception):
    """The engine gave no usable answer (error, undefined, timeout, unreachable). Always means deny."""


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """What the engine said, before the enforcement point checks it."""

    rule: Rule
    value: Any
    decision_id: str
    revision: str


class PolicyDecisionPoint(abc.ABC):
    """Evaluates a policy rule. Implementations raise PolicyUnavailable and nothing else."""

    kind: str = "abstract"

    def decide(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        if rule not in ENTRYPOINTS:
            raise PolicyUnavailable(f"unknown rule {rule!r}")
        log.debug("policy.evaluated", rule=rule, pdp=self.kind)  # counted by bench/exchange.py (debug only)
        try:
            return self._evaluate(rule, input_doc)
        except PolicyUnavailable:
            raise
        except Exception as exc:  # any engine failure is an unavailable policy: fail closed
            raise PolicyUnavailable(f"{type(exc).__name__}: {exc}") from exc

    @abc.abstractmethod
    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult: ...

    @property
    @abc.abstractmethod
    def revision(self) -> str: ...

    @abc.abstractmethod
    def reload(self) -> str:
        """Load the policies again; return the new revision. Raise PolicyLoadError and keep the old
        policies in force when the new ones are invalid."""

    def close(self) -> None:  # noqa: B027 - optional hook, most PDPs hold nothing to release
        """Release resources."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    """One compiled bundle and its revision; replaced as a whole, never changed in place."""

    bundle: Bundle
    revision: str


class EmbeddedPDP(PolicyDecisionPoint):
    """regopy over a compiled bundle: built once per (re)load, one Interpreter per thread.

    regopy's Interpreter is not safe to share between threads (DESIGN.md §8), so each thread keeps its
    own over the shared, read-only bundle. A reload builds the new bundle completely and then swaps one
    reference: a decision reads that reference once, so it never sees half a bundle and always reports
    the revision of the bundle that actually decided.
    """

    kind = "embedded"

    def __init__(self, policies_dir: Path) -> None:
        self.policies_dir = Path(policies_dir)
        self._loaded = self._load()
        self._local = threading.local()
        self._reload_lock = threading.Lock()
        log.info("policy.loaded", pdp=self.kind, revision=self._loaded.revision)

    def _read(self) -> PolicySource:
        return read_source(self.policies_dir)

    def _load(self) -> _Loaded:
        source = self._read()
        return _Loaded(compile_bundle(source), source.revision)

    @property
    def revision(self) -> str:
        return self._loaded.revision

    def reload(self) -> str:
        with self._reload_lock:
            old = self._loaded.revision
            try:
                loaded = self._load()
            except PolicyLoadError as exc:
                log.error("policy.reload_refused", pdp=self.kind, revision=old, error=str(exc))
                raise
            self._loaded = loaded  # the one atomic swap
        log.info("policy.reloaded", pdp=self.kind, old_revision=old, revision=loaded.revision)
        return loaded.revision

    def _interpreter(self) -> Interpreter:
        interpreter = getattr(self._local, "interpreter", None)
        if interpreter is None:
            interpreter = self._local.interpreter = Interpreter()
        return interpreter

    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        loaded = self._loaded
        interpreter = self._interpreter()
        # Refuse what JSON cannot carry (NaN, sets, objects) before it reaches the engine.
        json.dumps(input_doc, allow_nan=False)
        interpreter.set_input(Input(input_doc))
        output = interpreter.query_bundle_entrypoint(loaded.bundle, ENTRYPOINTS[rule])
        if not output.ok():
            raise PolicyUnavailable(f"engine error: {str(output)[:300]}")
        if len(output) != 1 or len(output[0].expressions) != 1:
            raise PolicyUnavailable("undefined result")
        return PolicyResult(rule, output[0].expressions[0], uuid.uuid4().hex, loaded.revision)
