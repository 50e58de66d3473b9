"""Problems of hub.notices, each with a stable code (rendered as RFC 9457 by hub.errors)."""

from __future__ import annotations

from hub.errors import Conflict, Forbidden, LoggedRefusal


class NoticeConflict(Conflict):
    code, title = "notice_conflict", "Melding conflicteert"


class NoticeReadRefused(LoggedRefusal, Forbidden):
    code, title = "notice_read_refused", "Geen toegang"
