"""Problems of the exchange, each with a stable code (rendered as RFC 9457 by hub.errors)."""

from __future__ import annotations

from hub.errors import Conflict, HubError, LoggedRefusal, ValidationFailed


class AlreadyAnswered(Conflict):
    """A request takes one answer; a second one is refused and changes nothing."""

    code, title = "already_answered", "Verzoek al beantwoord"


class RequestNotOpen(Conflict):
    """The request was withdrawn (with the policy's `reason`), refused or has expired: it can no longer be
    answered."""

    code, title = "request_not_open", "Verzoek niet meer open"


class AnswerRefused(Conflict):
    """The policy, asked again when the answer came in, allows none of the request's categories (consent
    withdrawn, the case closed, ...): the answer is refused, not spent; nothing is stored or logged and the
    request stays as it was. The problem names the policy's `reason`."""

    code, title = "answer_refused", "Antwoord niet toegestaan"


class AnswerInvalid(ValidationFailed):
    """An answer's values fail the JSON Schema of their category."""

    code, title = "answer_invalid", "Antwoord voldoet niet aan het schema"


class HandoverRefused(Conflict):
    """The case cannot be handed over (now, or again)."""

    code, title = "handover_refused", "Overdracht niet mogelijk"


class ReleaseRefused(LoggedRefusal, Conflict):
    """The policy, asked again for the case as it is now, allows nothing of what was asked (the case closed,
    consent was withdrawn, ...): nothing is released or shown; the refusal's log record commits."""

    code, title = "release_refused", "Verstrekking geweigerd"


class HandoverAcknowledged(HubError):
    """The municipality acknowledged the handover: its content is no longer read through the hub."""

    status, code, title = 410, "handover_acknowledged", "Overdracht al bevestigd"


class RequestNotWithdrawn(Conflict):
    """Only a request that lost categories to a change of its case is asked again ("opnieuw vragen"); any other
    is refused and nothing changes."""

    code, title = "request_not_withdrawn", "Verzoek niet ingetrokken"
