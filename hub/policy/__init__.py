"""Policy decision point and enforcement point.

- `make_pdp(settings)`: the embedded regopy engine, or a remote OPA server when `HUB_OPA_URL` is set.
- `hub.policy.pep`: the enforcement point (`decide_request`, `filter_answer`, `check_operation`), the only maker
  of a `Decision`; it raises `PolicyUnavailableError` when the engine cannot decide. The route dependency
  `authorize(operation)` lives with auth (hub.auth.authorization).
- `hub.policy.catalogue`, `hub.policy.register`: read access to the category catalogue and the register
  of processing activities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.config import Settings
from hub.policy.pdp import PolicyDecisionPoint

if TYPE_CHECKING:
    from fastapi import FastAPI


def make_pdp(settings: Settings) -> PolicyDecisionPoint:
    """The PDP the settings ask for. Raises PolicyLoadError when the policies do not load."""
    if settings.opa_url:
        from hub.policy.remote import RemotePDP

        return RemotePDP(
            settings.opa_url,
            settings.opa_timeout_seconds,
            settings.policies_dir,
            token=settings.read_opa_token(),
            policies_root=settings.opa_policies_root,
        )
    from hub.policy.pdp import EmbeddedPDP

    return EmbeddedPDP(settings.policies_dir)


def install(app: FastAPI, settings: Settings) -> None:
    """Load the policies (refusing to start when they do not compile, or when the embedded engine's API-access
    table is incomplete) and put the PDP on app.state.pdp."""
    from hub.policy.access_table import TABLES
    from hub.policy.bundle import PolicyLoadError
    from hub.policy.pdp import PolicyUnavailable

    pdp = make_pdp(settings)
    try:
        TABLES.rebuild(pdp)  # the api rule for every (role, operation) pair of this bundle
    except PolicyUnavailable as exc:
        if pdp.kind == "embedded":
            raise PolicyLoadError(f"the API-access table of the policy is incomplete: {exc}") from exc
        # a remote OPA that does not answer yet: the first access check builds it (or is refused)
    app.state.pdp = pdp


def on_startup(app: FastAPI) -> None:
    """In the serving process: reload on SIGHUP, and register for `hub policy reload`."""
    from hub.policy.reload import install_sighup, register_process

    app.state.policy_sighup = install_sighup(app.state.pdp)
    if app.state.policy_sighup:
        register_process()


def on_shutdown(app: FastAPI) -> None:
    from hub.policy.reload import unregister_process

    if getattr(app.state, "policy_sighup", False):
        unregister_process()
    app.state.pdp.close()
