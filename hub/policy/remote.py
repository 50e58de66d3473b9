"""The remote policy decision point: an OPA server over its REST data API, via opa-python-client.

Chosen when `HUB_OPA_URL` is set. Every call has `HUB_OPA_TIMEOUT_SECONDS` as its timeout and no
retries (a retry would multiply the time a partner waits before the refusal). opa-python-client raises
raw `requests` errors and returns a body without `result` for an undefined rule: both become
`PolicyUnavailable`, and so the enforcement point denies.

The revision reported is the SHA-256 of the local `policies/` files. That is true only when the OPA
server runs the same files, as docker-compose does by mounting `policies/` (`opa run --server --watch`).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import structlog
from opa_client.opa import OpaClient

from hub.policy.bundle import ENTRYPOINTS, compile_bundle, read_source
from hub.policy.pdp import PolicyDecisionPoint, PolicyResult, PolicyUnavailable, Rule

log = structlog.get_logger(__name__)


def client_for(url: str, timeout_seconds: float) -> OpaClient:
    """An OpaClient for `url` (scheme, host and port only: OPA serves its API at the root)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"HUB_OPA_URL must be an http(s) URL, not {url!r}")
    if parts.path not in ("", "/"):
        raise ValueError("HUB_OPA_URL must not have a path: the hub calls /v1/data/... itself")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return OpaClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", retries=0,
                     timeout=timeout_seconds)


class RemotePDP(PolicyDecisionPoint):
    """Asks an OPA server. Fails closed on every transport error, bad status, timeout or undefined."""

    kind = "remote"

    def __init__(self, url: str, timeout_seconds: float, policies_dir: Path) -> None:
        self.url = url
        self.policies_dir = Path(policies_dir)
        self._client = client_for(url, timeout_seconds)
        self._revision = read_source(self.policies_dir).revision
        log.info("policy.loaded", pdp=self.kind, revision=self._revision, opa=_origin(url))

    @property
    def revision(self) -> str:
        return self._revision

    def reload(self) -> str:
        """Check the local files (they must compile) and take their revision.

        The OPA server reloads the mounted files itself (`--watch`); the hub only refuses to claim a
        revision that does not compile.
        """
        source = read_source(self.policies_dir)
        compile_bundle(source)
        old, self._revision = self._revision, source.revision
        log.info("policy.reloaded", pdp=self.kind, old_revision=old, revision=source.revision)
        return source.revision

    def healthy(self) -> bool:
        return self._client.check_health()

    def _evaluate(self, rule: Rule, input_doc: dict[str, Any]) -> PolicyResult:
        revision = self._revision
        package, _, name = ENTRYPOINTS[rule].rpartition("/")
        try:
            body = self._client.query_rule(input_doc, package.replace("/", "."), name)
        except requests.Timeout as exc:
            raise PolicyUnavailable("OPA timed out") from exc
        except requests.RequestException as exc:
            raise PolicyUnavailable(f"OPA unreachable or failed: {type(exc).__name__}") from exc
        except ValueError as exc:  # a body that is not JSON
            raise PolicyUnavailable("OPA answered with a body that is not JSON") from exc
        if not isinstance(body, dict) or "result" not in body:
            raise PolicyUnavailable("OPA returned no result (undefined rule)")
        decision_id = body.get("decision_id")
        if not isinstance(decision_id, str) or not decision_id:
            decision_id = uuid.uuid4().hex
        return PolicyResult(rule, body["result"], decision_id, revision)

    def close(self) -> None:
        self._client.close_connection()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"
