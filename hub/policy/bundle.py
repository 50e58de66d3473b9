"""Reading `policies/` and compiling it into a regopy bundle.

Layout (OPA's own loader convention, so `opa run -s policies/` and `opa test policies/` read the same):
`*.rego` modules (tests `*_test.rego` are skipped here), and `data.json` files whose directory path is
their place in `data` (policies/dt/register/data.json -> data.dt.register).

Every data file is checked against its strict JSON Schema (hub.policy.data_schemas) as it is read, so
invalid data is refused at start-up and at reload like a syntax error.

The revision of a bundle is the SHA-256 over the relative path and content of every policy and data
file, so two hubs running the same files report the same revision.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regopy import Bundle, Interpreter

from hub.policy.data_schemas import data_errors

# Rule name -> entry point in the bundle (and path under OPA's /v1/data/).
ENTRYPOINTS: dict[str, str] = {
    "request": "dt/request/decision",
    "answer": "dt/answer/filter",
    "release": "dt/answer/release",
    "api": "dt/api/decision",
    "case_read": "dt/case_read/decision",
    "notice_read": "dt/notice_read/decision",
    "origin_read": "dt/origin_read/decision",
}


class PolicyLoadError(RuntimeError):
    """The policy files could not be read, parsed or compiled; the running bundle stays in force."""


@dataclass(frozen=True, slots=True)
class PolicySource:
    """The policy files as read from disk, with their revision."""

    modules: tuple[tuple[str, str], ...]  # (relative path, source)
    data: dict[str, Any]
    revision: str


def is_policy_module(path: Path) -> bool:
    return path.suffix == ".rego" and not path.name.endswith("_test.rego")


def read_source(root: Path) -> PolicySource:
    """Read every policy module and data file under `root`; raise PolicyLoadError when one is unreadable."""
    if not root.is_dir():
        raise PolicyLoadError(f"policy directory {root} does not exist")
    digest = hashlib.sha256()
    modules: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    files = sorted(p for p in root.rglob("*") if p.is_file() and (is_policy_module(p) or p.name == "data.json"))
    for path in files:
        relative = path.relative_to(root).as_posix()
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyLoadError(f"{relative}: cannot be read ({exc})") from exc
        if "\0" in text:  # regopy stops reading a module at a NUL: what follows would be silently dropped
            raise PolicyLoadError(f"{relative}: contains a NUL character")
        digest.update(relative.encode() + b"\0" + raw + b"\0")
        if path.suffix == ".rego":
            modules.append((relative, text))
        else:
            _place_data(data, path.parent.relative_to(root).parts, _parse_json(relative, text))
    if not modules:
        raise PolicyLoadError(f"no policy modules in {root}")
    check_data(data)
    return PolicySource(tuple(modules), data, "sha256:" + digest.hexdigest())


class ContentMemo:
    """Results of pure functions of the policy content, by a digest of that content (never by a revision a
    caller supplies): the same modules and data give the same bundle and pass the same checks. A process reads
    its policies once per start and reload, but the test suite builds an app, and so a decision point, per test.
    Bounded and thread-safe; only successes are kept (a failure raises and is worked out again next time)."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


_CHECKED = ContentMemo()
_COMPILED = ContentMemo()


def _digest_of(data: dict[str, Any], modules: tuple[tuple[str, str], ...] = ()) -> str:
    digest = hashlib.sha256()
    for name, text in modules:
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    digest.update(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


def check_data(data: dict[str, Any]) -> None:
    """Refuse policy data that breaks its strict schemas (hub.policy.data_schemas): the request policy
    decides with these facts, so incomplete data is refused like a syntax error."""
    _CHECKED.get_or_make(_digest_of(data), lambda: _check_data(data))


def _check_data(data: dict[str, Any]) -> bool:
    errors = data_errors(data)
    if errors:
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise PolicyLoadError("policy data is invalid: " + "; ".join(errors[:3]) + more)
    return True


def _parse_json(relative: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyLoadError(f"{relative}: invalid JSON ({exc})") from exc


def _place_data(data: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    if not parts:
        if not isinstance(value, dict):
            raise PolicyLoadError("data.json at the policy root must hold an object")
        data.update(value)
        return
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def compile_bundle(source: PolicySource) -> Bundle:
    """Compile the modules and data into a bundle with one plan per entry point. A bundle is read-only once
    built (every thread queries it through an Interpreter of its own), so the same content shares one."""
    return _COMPILED.get_or_make(_digest_of(source.data, source.modules), lambda: _compile(source))


def _compile(source: PolicySource) -> Bundle:
    builder = Interpreter()
    for name, text in source.modules:
        try:
            builder.add_module(name, text)
        except Exception as exc:  # regopy raises RegoError on a module that does not parse
            raise PolicyLoadError(f"{name} does not parse: {_describe(exc)}") from exc
    try:
        builder.add_data(source.data)
        bundle = builder.build(None, list(ENTRYPOINTS.values()))
    except Exception as exc:
        raise PolicyLoadError(f"policy does not compile: {_describe(exc)}") from exc
    if not bundle.ok():
        raise PolicyLoadError(f"policy does not compile: {_describe(bundle.node())}")
    return bundle


_ERROR_MESSAGE = re.compile(r"errormsg \d+:([^)]*)\)")


def _describe(obj: object) -> str:
    """The error messages of a regopy error tree, on one line."""
    text = str(obj)
    messages = list(dict.fromkeys(m.strip() for m in _ERROR_MESSAGE.findall(text)))
    if messages:
        return "; ".join(messages)[:300]
    text = text.strip()
    return text.splitlines()[0][:300] if text else type(obj).__name__
