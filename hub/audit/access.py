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
from hub.audit.inspection import officer_region, subject_pseudonym_of
from hub.audit.models import AuditRecord
from hub.audit.schemas import AccessEntry, AccessReport
from hub.audit.trace import TraceContext
from hub.auth.principal import Caller

log = structlog.get_logger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HUB_NAME = "het D&T-knooppunt (de hub)"
UNKNOWN = "onbekend"

# The disclosure events a person is told about, with how each is described.
DISCLOSURES: dict[str, str] = {
    "data_released": "verstrekt",
    "handover": "overgedragen bij de warme overdracht",
    "identity_shown": "identificerende gegevens getoond om u te kunnen vinden",
    "data_read": "opnieuw ingezien",
}
IDENTITY = "identificerende gegevens (BSN, naam, geboortedatum)"

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
) -> AccessReport:
    """Build the report for the person with this BSN and log that it was made (one commit)."""
    pseudonym = subject_pseudonym_of(bsn, pseudonym_key)
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
    )
    session.flush()
    log.info("audit.access_report", entries=len(entries), report_seq=logged.seq)
    return AccessReport(
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


def _entry(row: AuditRecord, organisation: OrganisationName, category: CategoryName) -> AccessEntry:
    categories = [category(c) for c in row.categories_released]
    if row.event_type == "identity_shown":
        categories = [IDENTITY]
    receiver, sender = organisation(row.to_oin), organisation(row.from_oin)
    when = _local(row.event_time)
    purpose = row.purpose or UNKNOWN
    basis = row.legal_basis or UNKNOWN
    what = ", ".join(categories) if categories else "geen gegevensinhoud"
    return AccessEntry(
        datum=when,
        ontvanger=receiver,
        ontvanger_oin=row.to_oin,
        verstrekker=sender,
        categorieen=categories,
        doel=purpose,
        grondslag=basis,
        omschrijving=(
            f"Op {when} zijn gegevens over u {DISCLOSURES[row.event_type]}: {receiver} ontving {what} "
            f"van {sender}, voor het doel '{purpose}', op grond van {basis}."
        ),
    )


def _local(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


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
