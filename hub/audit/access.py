"""The access report (AVG art. 15, Wpg art. 25): what the hub disclosed about one person, in Dutch.

It lists, for every disclosure record about the person's pseudonym: which organisation received which
categories, from whom, when, for which purpose and under which legal basis. It holds no employee
identifiers, no pseudonym, no case or trace ids, and nothing about anyone else: the look-up is by the
person's pseudonym only (index ix_audit_record_subject_pseudonym), within cases of the officer's own region.
Producing it is itself logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import structlog
from sqlmodel import Session

from hub.audit import events, repository
from hub.audit.errors import InvalidReceivedOn
from hub.audit.inspection import officer_region, subject_pseudonym_of
from hub.audit.models import AuditRecord
from hub.audit.schemas import AccessEntryPublic, AccessReportPublic
from hub.audit.trace import TraceContext
from hub.auth.principal import Caller
from hub.timestamps import as_utc

log = structlog.get_logger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HUB_NAME = "het D&T-knooppunt (de hub)"
UNKNOWN = "onbekend"

# The disclosure events a person is told about, each with its own whole Dutch sentences (issue 12, item 14):
# {moment} "Op 04-12-2026 om 14:05", {sender} and {receiver} organisation names, {what} the categories. Each name
# ends its sentence, so a name with a comma in it ("Gemeente Hilversum, sociaal domein") still reads well.
DISCLOSURES: dict[str, str] = {
    "data_released": (
        "{moment} zijn gegevens over u verstrekt aan {receiver}. De gegevens kwamen van {sender}. Het ging om: {what}."
    ),
    "handover": (
        "{moment} zijn bij de warme overdracht gegevens over u overgedragen aan {receiver}. "
        "De gegevens kwamen van {sender}. Het ging om: {what}."
    ),
    "identity_shown": (
        "{moment} zijn uw identificerende gegevens (BSN, naam, geboortedatum) getoond aan {receiver}. "
        "Zo kon die organisatie u vinden."
    ),
    "data_read": (
        "{moment} zijn gegevens over u ingezien door {receiver}. De gegevens kwamen van {sender}. Het ging om: {what}."
    ),
}
IDENTITY = "identificerende gegevens (BSN, naam, geboortedatum)"
NO_CATEGORIES = "soorten gegevens die niet zijn vastgelegd"
MAX_ANSWER_DAYS = 366  # a date of receipt further back is a typing error, not a late answer

OrganisationName = Callable[[str | None], str]
CategoryName = Callable[[str], str]


def access_report(
    session: Session,
    caller: Caller,
    bsn: str,
    *,
    pseudonym_key: str,
    trace: TraceContext,
    organisation: OrganisationName,
    category: CategoryName,
    received_on: dt.date | None = None,
) -> AccessReportPublic:
    """Build the report for the person with this BSN and log that it was made (one commit). `received_on`, the
    day the request came in, is recorded with it, so the annual report can say how long the answer took."""
    pseudonym = subject_pseudonym_of(bsn, pseudonym_key)
    check_received_on(received_on)
    # Only disclosures in cases of the officer's region (H5): a person with none there gets the same empty
    # report as a BSN the hub never saw, so the report is no "has a detention case" oracle.
    rows = repository.subject_records(session, pseudonym, tuple(DISCLOSURES), officer_region(caller))
    entries = [_entry(row, organisation, category) for row in rows]
    logged = events.access_report(
        session,
        subject_pseudonym=pseudonym,
        trace=trace,
        to_oin=caller.partner.oin,
        to_actor=caller.actor,
        query_filter={"received_on": received_on.isoformat()} if received_on else None,
    )
    session.flush()
    log.info("audit.access_report", entries=len(entries), report_seq=logged.seq)
    return AccessReportPublic(
        titel="Overzicht van verstrekkingen van uw persoonsgegevens",
        toelichting=(
            "Dit overzicht noemt elke keer dat via het D&T-knooppunt gegevens over u zijn verstrekt: welke "
            "organisatie welke soorten gegevens ontving, van wie, wanneer, met welk doel en op welke wettelijke "
            "grondslag. De inhoud van de gegevens en de namen van medewerkers staan er niet in."
        ),
        opgesteld_op=_local(dt.datetime.now(dt.UTC)),
        aantal_verstrekkingen=len(entries),
        verstrekkingen=entries,
        report_seq=logged.seq,
    )


def check_received_on(received_on: dt.date | None) -> None:
    """A request cannot come in after today (Europe/Amsterdam), nor years before it is answered."""
    if received_on is None:
        return
    today = dt.datetime.now(AMSTERDAM).date()
    if not today - dt.timedelta(days=MAX_ANSWER_DAYS) <= received_on <= today:
        raise InvalidReceivedOn(
            f"De datum van ontvangst mag niet na vandaag liggen en niet meer dan {MAX_ANSWER_DAYS} dagen ervoor.",
            field="received_on",
        )


def _entry(row: AuditRecord, organisation: OrganisationName, category: CategoryName) -> AccessEntryPublic:
    categories = [category(c) for c in row.categories_released]
    if row.event_type == "identity_shown":
        categories = [IDENTITY]
    receiver, sender = organisation(row.to_oin), organisation(row.from_oin)
    moment = row.event_time.astimezone(AMSTERDAM)
    sentence = DISCLOSURES[row.event_type].format(
        moment=moment.strftime("Op %d-%m-%Y om %H:%M"),
        sender=sender,
        receiver=receiver,
        what=_listed(categories) if categories else NO_CATEGORIES,
    )
    return AccessEntryPublic(
        datum=_local(row.event_time),
        ontvanger=receiver,
        ontvanger_oin=row.to_oin,
        verstrekker=sender,
        categorieen=categories,
        doel=row.purpose or UNKNOWN,
        grondslag=row.legal_basis or UNKNOWN,
        omschrijving=f"{sentence} {_why(row.purpose, row.legal_basis)}",
        vertrouwelijkheid=row.confidentiality,
    )


def _listed(items: list[str]) -> str:
    """Dutch enumeration: "a", "a en b", "a, b en c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"


def _why(purpose: str | None, basis: str | None) -> str:
    """The purpose and legal basis as a whole sentence, also when either was not recorded."""
    if purpose and basis:
        return f"Dit gebeurde voor het doel ‘{purpose}’, op grond van {basis}."
    if purpose:
        return f"Dit gebeurde voor het doel ‘{purpose}’; de wettelijke grondslag is niet vastgelegd."
    if basis:
        return f"Dit gebeurde op grond van {basis}; het doel is niet vastgelegd."
    return "Het doel en de wettelijke grondslag zijn niet vastgelegd."


def _local(moment: dt.datetime) -> str:
    return as_utc(moment).astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def organisation_namer(registry) -> OrganisationName:
    """Partner names by OIN from the registry (app.state.registry); None is the hub itself."""

    def name(oin: str | None) -> str:
        if oin is None:
            return HUB_NAME
        partner = registry.by_oin(oin) if registry is not None else None
        return partner.name if partner is not None else f"organisatie met OIN {oin}"

    return name


def category_namer(policies_dir) -> CategoryName:
    """Dutch category names from the policy catalogue; the code itself when the catalogue lacks it."""
    from hub.policy.catalogue import UnknownCategory, get_catalogue

    catalogue = get_catalogue(policies_dir)

    def name(code: str) -> str:
        try:
            return catalogue.get(code).name
        except UnknownCategory:
            return code

    return name
