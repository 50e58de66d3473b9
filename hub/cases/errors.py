"""Problems of hub.cases, each with a stable code (rendered as RFC 9457 by hub.errors)."""

from __future__ import annotations

from hub.errors import Conflict, Forbidden, LoggedRefusal


class CaseClosedForReading(LoggedRefusal, Conflict):
    code, title = "case_closed", "Casus gesloten"


class ReadRefused(LoggedRefusal, Forbidden):
    code, title = "read_refused", "Inzage geweigerd"


class EvaluationAlreadyRecorded(Conflict):
    code, title = "evaluation_already_recorded", "Evaluatie al vastgelegd"


class TransitionNotAllowed(Conflict):
    code, title = "transition_not_allowed", "Stap niet toegestaan"


class NotificationConflict(Conflict):
    code, title = "notification_conflict", "Melding conflicteert"
