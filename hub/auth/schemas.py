"""API models of the auth capability."""

from __future__ import annotations

from pydantic import BaseModel


class PartnerPublic(BaseModel):
    oin: str
    name: str
    role: str
    client_id: str
    region: str | None
    municipality: str | None


class Me(BaseModel):
    """Who the hub believes is calling."""

    partner: PartnerPublic
    actor: str
    scopes: list[str]
