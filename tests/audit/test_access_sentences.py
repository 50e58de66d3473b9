"""The access report's sentence for every entry type, exactly as a person reads it (issue 12, item 14)."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.audit.access import DISCLOSURES
from tests.audit.conftest import DEMO_BSN, DJI_OIN, append
from tests.audit.test_api import HILVERSUM_SOCIAL_OIN as MUNICIPALITY_OIN
from tests.audit.test_api import PO, ZVH_OIN

MOMENT = dt.datetime(2026, 3, 2, 13, 5, tzinfo=dt.UTC)  # 14:05 in Amsterdam (CET)
WHY = (
    "Dit gebeurde voor het doel ‘Re-integratie: ondersteuning op de basisvoorwaarden’, "
    "op grond van Pbw art. 18a jo. Pm art. 20d; AVG art. 6 lid 1 sub e."
)
ZVH = "Zorg- en Veiligheidshuis Gooi en Vechtstreek"
MUNICIPALITY = "Gemeente Hilversum, sociaal domein"
DJI = "DJI, Penitentiaire Inrichting Nieuwegein"

SENTENCES = {
    "data_released": (
        dict(from_oin=MUNICIPALITY_OIN, to_oin=ZVH_OIN, categories_released=["housing", "income"]),
        f"Op 02-03-2026 om 14:05 zijn gegevens over u verstrekt aan {ZVH}. De gegevens kwamen van {MUNICIPALITY}. "
        f"Het ging om: huisvesting en inkomen. {WHY}",
    ),
    "handover": (
        dict(from_oin=ZVH_OIN, to_oin=MUNICIPALITY_OIN, categories_released=["housing", "income", "care"]),
        f"Op 02-03-2026 om 14:05 zijn bij de warme overdracht gegevens over u overgedragen aan {MUNICIPALITY}. "
        f"De gegevens kwamen van {ZVH}. Het ging om: zorg, huisvesting en inkomen. {WHY}",
    ),
    "identity_shown": (
        dict(from_oin=None, to_oin=ZVH_OIN, categories_released=["identity"]),
        "Op 02-03-2026 om 14:05 zijn uw identificerende gegevens (BSN, naam, geboortedatum) getoond aan "
        f"{ZVH}. Zo kon die organisatie u vinden. {WHY}",
    ),
    "data_read": (
        dict(from_oin=DJI_OIN, to_oin=ZVH_OIN, categories_released=["housing"]),
        f"Op 02-03-2026 om 14:05 zijn gegevens over u ingezien door {ZVH}. De gegevens kwamen van {DJI}. "
        f"Het ging om: huisvesting. {WHY}",
    ),
}


def test_every_entry_type_has_a_sentence_here():
    """No entry type of the access report goes without its exact sentence in this test."""
    assert set(SENTENCES) == set(DISCLOSURES)


@pytest.mark.parametrize("event_type", sorted(SENTENCES))
def test_entry_sentence_is_written_whole(client, auth_headers, session, subject, event_type):
    """Each entry type reads as one whole, correct Dutch text: when, to whom, from whom, what, why."""
    fields, expected = SENTENCES[event_type]
    append(
        session,
        subject,
        1,
        event_type=event_type,
        event_time=MOMENT,
        categories_withheld=[],
        denial_reasons={},
        **fields,
    )
    body = client.post("/v1/audit/access-report", json={"bsn": DEMO_BSN}, headers=auth_headers(PO)).json()
    assert [entry["omschrijving"] for entry in body["verstrekkingen"]] == [expected]


def test_entry_without_purpose_or_legal_basis_still_reads_whole(client, auth_headers, session, subject):
    """A record without an activity says so in a whole sentence instead of "op grond van onbekend"."""
    append(
        session,
        subject,
        1,
        event_type="data_released",
        decision=None,
        event_time=MOMENT,
        categories_released=["housing"],
        categories_withheld=[],
        denial_reasons={},
    )
    body = client.post("/v1/audit/access-report", json={"bsn": DEMO_BSN}, headers=auth_headers(PO)).json()
    assert body["verstrekkingen"][0]["omschrijving"].endswith(
        "Het ging om: huisvesting. Het doel en de wettelijke grondslag zijn niet vastgelegd."
    )
