"""Problems of hub.origin, each with a stable code (rendered as RFC 9457 by hub.errors)."""

from __future__ import annotations

from hub.errors import Conflict


class OriginConflict(Conflict):
    """The step does not fit the origin's status now (out of turn)."""

    code, title = "origin_conflict", "Niet mogelijk bij deze herkomst"
