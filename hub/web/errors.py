"""Problems of hub.web, each with a stable code (rendered as RFC 9457 by hub.errors)."""

from __future__ import annotations

from typing import Any

from hub.errors import Conflict, Forbidden, HubError


class SignInRequired(HubError):
    """No signed-in person (or the session ended): the screens send the browser to sign in."""

    status, code, title = 401, "sign_in_required", "Aanmelden nodig"

    def __init__(self, detail: str, *, expired: bool = False, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.expired = expired


class FormAlreadySent(Conflict):
    code, title = "form_already_sent", "Formulier al verstuurd"


class CrossSiteRequest(Forbidden):
    code, title = "cross_site_request", "Verzoek van een andere website"


class SignInFailed(HubError):
    status, code, title = 400, "sign_in_failed", "Aanmelden mislukt"
