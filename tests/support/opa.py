"""The OPA stand-in's bearer token, shared by the tests of the remote decision point.

One random token per test session: the stand-in requires it (deploy/opa/authz.rego through regopy), the
remote decision point sends it, and the log-privacy tests check that it never reaches a log event.
"""

from __future__ import annotations

import secrets
from pathlib import Path

OPA_TOKEN = secrets.token_urlsafe(32)


def write_token_file(folder: Path, token: str = OPA_TOKEN) -> Path:
    """The token in a file, as HUB_OPA_TOKEN_FILE reads it (with a trailing newline, which the hub strips)."""
    path = folder / "opa-token"
    path.write_text(token + "\n")
    return path
