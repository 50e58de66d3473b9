"""A partner's client for the hub, and the `hub-partner` command line.

The client authenticates with `private_key_jwt` (RFC 7523): it signs a short-lived assertion with the
partner's private key, exchanges it for an access token at POST /oauth/token, keeps the token until shortly
before it expires, and calls the hub with `Authorization: Bearer` and `X-Acting-Person`.

    hub = HubClient("gm0402-social", key_path, base_url="http://127.0.0.1:8000", actor="j.jansen")
    hub.get("/v1/me").json()

Tests pass FastAPI's TestClient as `http`. The token is never printed or logged unless asked for.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from joserfc import jwt
from joserfc.jwk import RSAKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_HUB_URL = "http://127.0.0.1:8000"
DEV_KEYS = Path(__file__).resolve().parent.parent / "certs" / "dev" / "partners"


class HubClientError(RuntimeError):
    """The hub refused to issue a token; carries the RFC 6749 §5.2 error."""

    def __init__(self, status: int, error: str, description: str | None) -> None:
        self.status, self.error, self.description = status, error, description
        super().__init__(f"{status} {error}: {description or ''}".rstrip(": "))


def load_private_key(path: Path) -> RSAKey:
    """A partner's RSA private key (PEM), with its RFC 7638 thumbprint as kid (as in its published JWKS)."""
    key = RSAKey.import_key(Path(path).read_bytes())
    return RSAKey.import_key(key.as_dict(private=True), {"kid": key.thumbprint()})


class HubClient:
    """Gets and caches an access token for one partner, and calls the hub on behalf of an acting person."""

    def __init__(
        self,
        client_id: str,
        key: RSAKey | Path | str,
        *,
        base_url: str = DEFAULT_HUB_URL,
        actor: str | None = None,
        http: httpx.Client | None = None,
        alg: str = "RS256",
        scope: str | None = None,
        refresh_margin_seconds: int = 30,
    ) -> None:
        self.client_id = client_id
        self.key = key if isinstance(key, RSAKey) else load_private_key(Path(key))
        self.base_url = base_url.rstrip("/")
        self.actor = actor
        self.alg = alg
        self.scope = scope
        self.refresh_margin_seconds = refresh_margin_seconds
        self.http = http or httpx.Client(timeout=10.0)
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.token_response: dict[str, Any] = {}

    @property
    def token_endpoint(self) -> str:
        return self.base_url + "/oauth/token"

    def assertion(self, *, audience: str | None = None, lifetime_seconds: int = 60) -> str:
        """A fresh private_key_jwt client assertion: iss = sub = client_id, aud = token endpoint, 256-bit jti."""
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience or self.token_endpoint,
            "iat": now,
            "exp": now + lifetime_seconds,
            "jti": secrets.token_urlsafe(32),
        }
        header = {"alg": self.alg, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=[self.alg])

    def authenticated_form(self, **fields: str) -> dict[str, str]:
        """Form fields that authenticate this client (a fresh assertion), plus `fields`."""
        return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": self.assertion(), **fields}

    def fetch_token(self, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """Ask the hub for a new access token; raises HubClientError with the OAuth error on refusal."""
        form = self.authenticated_form(grant_type="client_credentials")
        if self.scope:
            form["scope"] = self.scope
        response = self.http.post(self.token_endpoint, data=form, headers=headers)
        body = _json_or_empty(response)
        if response.status_code != 200:
            raise HubClientError(
                response.status_code, body.get("error", "unknown_error"), body.get("error_description")
            )
        self.token_response = body
        self._token = body["access_token"]
        self._token_expires_at = time.time() + int(body.get("expires_in", 0))
        return body

    def access_token(self) -> str:
        """The cached access token, renewed shortly before it expires."""
        if self._token is None or time.time() >= self._token_expires_at - self.refresh_margin_seconds:
            self.fetch_token()
        assert self._token is not None
        return self._token

    def headers(self, actor: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.access_token()}"}
        acting = actor or self.actor
        if acting:
            headers["X-Acting-Person"] = acting
        return headers

    def request(
        self, method: str, path: str, *, actor: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.http.request(
            method, self.base_url + path, headers={**self.headers(actor), **(headers or {})}, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def revoke(self, token: str | None = None) -> httpx.Response:
        """Revoke a token of this partner (RFC 7009); by default the cached one, which is then dropped."""
        target = token or self.access_token()
        form = self.authenticated_form(token=target, token_type_hint="access_token")  # noqa: S106 - a hint name
        response = self.http.post(self.base_url + "/oauth/revoke", data=form)
        if target == self._token:
            self._token, self._token_expires_at = None, 0.0
        return response

    def introspect(self, token: str | None = None) -> httpx.Response:
        """Introspect a token of this partner (RFC 7662)."""
        target = token or self.access_token()
        return self.http.post(self.base_url + "/oauth/introspect", data=self.authenticated_form(token=target))


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# ---- the `hub-partner` command line -------------------------------------------------------------------------

app = typer.Typer(help="A partner's client for the D&T exchange hub", no_args_is_help=True)

ClientIdOpt = Annotated[
    str, typer.Option("--client-id", envvar="HUB_PARTNER_CLIENT_ID", help="The partner's client_id in the registry")
]
KeyOpt = Annotated[
    Path | None,
    typer.Option("--key", envvar="HUB_PARTNER_KEY", help="Private key (PEM); default certs/dev/partners/<id>.key.pem"),
]
ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", envvar="HUB_PARTNER_ACTOR", help="Employee id of the acting person (X-Acting-Person)"),
]
HubUrlOpt = Annotated[str, typer.Option("--hub-url", envvar="HUB_URL", help="Base URL of the hub")]


def make_http() -> httpx.Client:
    """The HTTP client the CLI uses (tests substitute FastAPI's TestClient here)."""
    return httpx.Client(timeout=10.0)


def _client(client_id: str, key: Path | None, actor: str | None, hub_url: str) -> HubClient:
    return HubClient(
        client_id, key or DEV_KEYS / f"{client_id}.key.pem", base_url=hub_url, actor=actor, http=make_http()
    )


def _print_response(response: httpx.Response) -> None:
    try:
        typer.echo(jsonlib.dumps(response.json(), indent=2, ensure_ascii=False))
    except ValueError:
        typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(code=1)


def _guarded(action):
    try:
        return action()
    except HubClientError as error:
        typer.echo(f"token refused: {error}", err=True)
        raise typer.Exit(code=1) from None
    except httpx.HTTPError as error:
        typer.echo(f"hub unreachable: {type(error).__name__}", err=True)
        raise typer.Exit(code=2) from None


@app.command()
def token(
    client_id: ClientIdOpt,
    key: KeyOpt = None,
    hub_url: HubUrlOpt = DEFAULT_HUB_URL,
    actor: ActorOpt = None,
    show: Annotated[bool, typer.Option("--show", help="Print the access token itself")] = False,
) -> None:
    """Get an access token; prints its scope and lifetime (the token only with --show).

    --actor is accepted like on the other commands but unused: a token names the partner, each call the person.
    """
    body = _guarded(lambda: _client(client_id, key, actor, hub_url).fetch_token())
    if show:
        typer.echo(body["access_token"])
    else:
        typer.echo(f"token for {client_id}: scope={body.get('scope')!r}, expires_in={body.get('expires_in')}s")


@app.command()
def get(
    path: str, client_id: ClientIdOpt, actor: ActorOpt = None, key: KeyOpt = None, hub_url: HubUrlOpt = DEFAULT_HUB_URL
) -> None:
    """GET a hub path (e.g. /v1/me) as the partner and acting person."""
    _print_response(_guarded(lambda: _client(client_id, key, actor, hub_url).get(path)))


@app.command()
def post(
    path: str,
    client_id: ClientIdOpt,
    json: Annotated[str, typer.Option("--json", help="JSON body, or @file to read it from a file")] = "{}",
    actor: ActorOpt = None,
    key: KeyOpt = None,
    hub_url: HubUrlOpt = DEFAULT_HUB_URL,
) -> None:
    """POST a JSON body to a hub path as the partner and acting person."""
    text = Path(json[1:]).read_text(encoding="utf-8") if json.startswith("@") else json
    try:
        body = jsonlib.loads(text)
    except ValueError:
        typer.echo("--json is not valid JSON", err=True)
        raise typer.Exit(code=2) from None
    _print_response(_guarded(lambda: _client(client_id, key, actor, hub_url).post(path, json=body)))
