"""A thin adapter from a Starlette request to authlib's OAuth2Request (authlib has no FastAPI integration).

The form is read asynchronously by the route and handed in as a plain dict; the authlib server then runs
synchronously in a worker thread. Repeated parameters are kept (`datalist`) so that authlib can refuse them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from starlette.datastructures import FormData, Headers


class StarlettePayload(OAuth2Payload):
    def __init__(self, form: FormData) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return {key: value for key, value in self._form.items() if isinstance(value, str)}

    @cached_property
    def datalist(self) -> defaultdict[str, list]:
        values: defaultdict[str, list] = defaultdict(list)
        for key, value in self._form.multi_items():
            values[key].append(value)
        return values


class StarletteOAuth2Request(OAuth2Request):
    """What the authlib server sees of one HTTP request, plus the client certificate the proxy verified."""

    def __init__(
        self, method: str, uri: str, headers: Headers, form: FormData, certificate_thumbprint: str | None
    ) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self._form = form
        self.payload = StarlettePayload(form)
        #: x5t#S256 of the client certificate from the trusted proxy, or None
        self.certificate_thumbprint = certificate_thumbprint

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data
