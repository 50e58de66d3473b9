"""The remote policy decision point: an OPA server over its REST API, via opa-python-client.

Chosen when `HUB_OPA_URL` is set. Every call has `HUB_OPA_TIMEOUT_SECONDS` as its timeout and no
retries (a retry would multiply the time a partner waits before the refusal). opa-python-client raises
raw `requests` errors and returns a body without `result` for an undefined rule: both become
`PolicyUnavailable`, and so the enforcement point denies. Every call carries the hub's bearer token
(`HUB_OPA_TOKEN_FILE`); OPA refuses a call without it (401, deploy/opa/authz.rego), which is a refusal too.

The revision is that of what the OPA server runs, not of the hub's own copy of `policies/`. It cannot be
the embedded engine's `sha256:` revision: that hashes the raw bytes of every file, and OPA hands back a
module's raw text but only the parsed value of a data document. So it is a revision of its own kind,
`opa-sha256:` (`ServedContent`), over:

- every policy module OPA holds except test modules (`*_test.rego`) and OPA's own `system.*` packages (the
  API authorization): its path below `HUB_OPA_POLICIES_ROOT` (or, apart, its whole id when it lies outside)
  and its raw text;
- every data document at the path of a `data.json` of the local copy (`dt/register`, ...), as RFC 8785
  canonical JSON.

The same function over the local copy gives the local counterpart: a difference is logged loudly as
`policy.revision_mismatch`, naming the paths that differ (OPA decides regardless: it is what runs). The
revision is read at start-up and at every reload (`hub policy reload`, SIGHUP); a decision carries the one
read last. When none is known yet (OPA did not answer at start-up) a decision reads it first, and is
refused when that fails.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import rfc8785
import structlog
from opa_client.opa import OpaClient

from hub.policy.bundle import ENTRYPOINTS, PolicyLoadError, PolicySource, read_source
from hub.policy.pdp import PolicyDecisionPoint, PolicyResult, PolicyUnavailable, Rule

log = structlog.get_logger(__name__)

REVISION_KIND = "opa-sha256:"
DEFAULT_POLICIES_ROOT = "/policies"  # where docker-compose mounts policies/ into the OPA container
_PACKAGE = re.compile(r"^[ \t]*package[ \t]+([A-Za-z_][A-Za-z0-9_.]*)", re.MULTILINE)
_MAX_LOGGED_PATHS = 20


def client_for(url: str, timeout_seconds: float, token: str | None = None) -> OpaClient:
    """An OpaClient for `url` (scheme, host and port only: OPA serves its API at the root), sending
    `Authorization: Bearer <token>` on every call when a token is given."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"HUB_OPA_URL must be an http(s) URL, not {url!r}")
    if parts.path not in ("", "/"):
        raise ValueError("HUB_OPA_URL must not have a path: the hub calls /v1/data/... itself")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return OpaClient(
        host=parts.hostname,
        port=port,
        ssl=parts.scheme == "https",
        retries=0,
        timeout=timeout_seconds,
        token=token or None,
    )


def opa_authz_data(token: str) -> dict[str, Any]:
    """The data document deploy/opa/authz.rego checks the hub's token against: its SHA-256, never the token."""
    return {"hub_authz": {"token_sha256": _sha256(token.encode("utf-8"))}}


@dataclass(frozen=True, slots=True)
class ServedContent:
    """The policy content an OPA server runs (or the local copy would), as entry -> SHA-256 of its content.

    Entries are `module:<path>` (raw text of a module below the policy root, by its path there),
    `module-id:<id>` (raw text of a module outside it, by OPA's id: never confused with the former) and
    `data:<path>` (RFC 8785 canonical JSON of a data document).
    """

    digests: Mapping[str, str]

    @classmethod
    def of(
        cls,
        modules: Iterable[tuple[str, str]],
        documents: Iterable[tuple[str, Any]],
        foreign_modules: Iterable[tuple[str, str]] = (),
    ) -> ServedContent:
        digests = {f"module:{path}": _sha256(text.encode("utf-8")) for path, text in modules}
        digests.update({f"module-id:{module_id}": _sha256(text.encode("utf-8")) for module_id, text in foreign_modules})
        digests.update({f"data:{path}": _sha256(rfc8785.dumps(value)) for path, value in documents})
        return cls(digests)

    @property
    def revision(self) -> str:
        digest = hashlib.sha256()
        for entry in sorted(self.digests):
            digest.update(entry.encode("utf-8") + b"\0" + self.digests[entry].encode("ascii") + b"\0")
        return REVISION_KIND + digest.hexdigest()

    def differences(self, other: ServedContent) -> list[str]:
        """The entries that differ, or that only one of the two holds."""
        return sorted(
            e for e in self.digests.keys() | other.digests.keys() if self.digests.get(e) != other.digests.get(e)
        )


def data_document_paths(policies_dir: Path) -> tuple[str, ...]:
    """The data documents of a policy folder: the folders holding a data.json (`dt/register`, ...)."""
    paths = sorted(
        {p.parent.relative_to(policies_dir).as_posix() for p in policies_dir.rglob("data.json") if p.is_file()}
    )
    if "." in paths:
        raise PolicyLoadError(
            "a data.json at the root of the policy folder cannot be read back from OPA apart "
            "from the rules: put it in a folder"
        )
    return tuple(paths)


def local_content(source: PolicySource, documents: Iterable[str]) -> ServedContent:
    """The content the OPA server should run, computed from the local copy (`read_source`)."""
    return ServedContent.of(source.modules, ((path, _lookup(source.data, path)) for path in documents))


class RemotePDP(PolicyDecisionPoint):
    """Asks an OPA server. Fails closed on every transport error, bad status, timeout or undefined."""

    kind = "remote"

    def __init__(
        self,
        url: str,
        timeout_seconds: float,
        policies_dir: Path,
        token: str | None = None,
        policies_root: str = DEFAULT_POLICIES_ROOT,
    ) -> None:
        self.url = url
        self.policies_dir = Path(policies_dir)
        self.policies_root = policies_root.rstrip("/")
        self._client = client_for(url, timeout_seconds, token)
        self._documents = data_document_paths(self.policies_dir)
        self._local = local_content(read_source(self.policies_dir), self._documents)
        self._revision: str | None = None
        self._refresh_lock = threading.Lock()
        try:
            self._refresh()
        except PolicyUnavailable as exc:  # decisions will read it, or be refused
            log.warning("policy.revision_unknown", pdp=self.kind, opa=_origin(url), error=str(exc))
        else:
            log.info("policy.loaded", pdp=self.kind, revision=self._revision, opa=_origin(url))

    @property
    def revision(self) -> str:
        if self._revision is None:
            raise PolicyUnavailable("the OPA server has not reported what it runs yet")
        return self._revision

    def reload(self) -> str:
        """Read the local copy again (it must be readable and valid) and what OPA runs now; compare them.

        OPA reloads the mounted files itself (`--watch`); a reload of the hub takes OPA's new revision.
        """
        documents = data_document_paths(self.policies_dir)
        local = local_content(read_source(self.policies_dir), documents)
        old = self._revision
        try:
            revision = self._refresh(local, documents)
        except PolicyUnavailable as exc:
            log.error("policy.reload_refused", pdp=self.kind, revision=old, error=str(exc))
            raise PolicyLoadError(f"the OPA server did not report what it runs: {exc}") from exc
        log.info("policy.reloaded", pdp=self.kind, old_revision=old, revision=revision)
        return revision

    def healthy(self) -> bool:
        return self._client.check_health()

    def served(self, documents: Iterable[str] | None = None) -> ServedContent:
        """What the OPA server runs now: its modules (GET /v1/policies) and its data documents at `documents`
        (default: those of the local copy), GET /v1/data/<path>."""
        listed = self._get("/v1/policies").get("result")
        if not isinstance(listed, list) or not all(
            isinstance(m, dict) and isinstance(m.get("id"), str) and isinstance(m.get("raw"), str) for m in listed
        ):
            raise PolicyUnavailable("OPA listed its policies in an unexpected shape")
        prefix = self.policies_root + "/"
        counted = [(m["id"], m["raw"]) for m in listed if _counts_for_revision(m["id"], m["raw"])]
        modules = [(module_id.removeprefix(prefix), raw) for module_id, raw in counted if module_id.startswith(prefix)]
        foreign = [(module_id, raw) for module_id, raw in counted if not module_id.startswith(prefix)]
        values = []
        for path in self._documents if documents is None else documents:
            body = self._get("/v1/data/" + quote(path))
            if "result" in body:  # an undefined document is left out, so it differs from the local copy
                values.append((path, body["result"]))
        return ServedContent.of(modules, values, foreign)

    def _refresh(self, local: ServedContent | None = None, documents: tuple[str, ...] | None = None) -> str:
        """Read what OPA runs and take its revision (and, on a reload, the new local copy); log a mismatch."""
        with self._refresh_lock:
            local = self._local if local is None else local
            documents = self._documents if documents is None else documents
            served = self.served(documents)
            self._revision, self._local, self._documents = served.revision, local, documents
        differs = served.differences(local)
        if differs:
            log.error(
                "policy.revision_mismatch",
                pdp=self.kind,
                revision=served.revision,
                local_revision=local.revision,
                differs=differs[:_MAX_LOGGED_PATHS],
                more=max(0, len(differs) - _MAX_LOGGED_PATHS),
            )
        return served.revision

    def _get(self, path: str) -> dict[str, Any]:
        # opa-python-client has no call that returns the modules' raw text (get_policies_list keeps only the
        # ids), so this reads through the client's own session: same token, timeout and no retries.
        client = self._client
        try:
            response = client._session.get(f"{client.schema}{client.host}:{client.port}{path}", timeout=client.timeout)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise _unavailable(exc) from exc
        if not isinstance(body, dict):
            raise PolicyUnavailable("OPA answered with a body that is not a JSON object")
        return body

    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        revision = self._revision or self._refresh()
        package, _, name = ENTRYPOINTS[rule].rpartition("/")
        try:
            body = self._client.query_rule(input_doc, package.replace("/", "."), name)
        except (requests.RequestException, ValueError) as exc:
            raise _unavailable(exc) from exc
        if not isinstance(body, dict) or "result" not in body:
            raise PolicyUnavailable("OPA returned no result (undefined rule)")
        decision_id = body.get("decision_id")
        if not isinstance(decision_id, str) or not decision_id:
            decision_id = uuid.uuid4().hex
        return PolicyResult(rule, body["result"], decision_id, revision)

    def close(self) -> None:
        self._client.close_connection()


def _unavailable(exc: Exception) -> PolicyUnavailable:
    """The refusal for a failed call to OPA; never the URL, the headers or the body (they may hold the token)."""
    if isinstance(exc, requests.Timeout):
        return PolicyUnavailable("OPA timed out")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        if exc.response.status_code == 401:
            return PolicyUnavailable(
                "OPA refused the hub's token (401): check HUB_OPA_TOKEN_FILE against OPA's opa-authz.json"
            )
        return PolicyUnavailable(f"OPA answered {exc.response.status_code}")
    if isinstance(exc, requests.RequestException):
        return PolicyUnavailable(f"OPA unreachable or failed: {type(exc).__name__}")
    return PolicyUnavailable("OPA answered with a body that is not JSON")


def _counts_for_revision(module_id: str, raw: str) -> bool:
    """Test modules and OPA's own system.* packages (its API authorization) are not part of the revision."""
    if module_id.endswith("_test.rego"):
        return False
    package = _PACKAGE.search(raw)
    return not (package and (package.group(1) == "system" or package.group(1).startswith("system.")))


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("/"):
        node = node[part]
    return node


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"
