"""Fixtures of the disclosure-log tests: the real dev log key, subjects as real pseudonyms, and an appender."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from hub.audit import mac
from hub.audit.models import AuditRecord
from hub.audit.service import record
from hub.audit.signing import LogSigner, load_signer
from hub.cases.models import Case
from hub.config import Settings
from hub.crypto.pseudonym import pseudonymise
from tests.support.policy_standins import Decision

DEMO_BSN = "999993653"  # a test BSN that passes the eleven-test
OTHER_BSN = "999990019"
DJI_OIN = "00000009990000016000"
ZVH_OIN = "00000009990000017000"
MUNICIPALITY_OIN = "00000009990000011000"


@pytest.fixture(autouse=True)
def log_mac_key() -> bytes:
    """The development log MAC key, configured for this process as the hub's install() does."""
    key = mac.load_key(Settings(env="dev", database_url="sqlite://"))
    mac.configure(key)
    return key


@pytest.fixture
def signer(settings: Settings) -> LogSigner:
    return load_signer(settings)


@pytest.fixture
def subject(settings: Settings) -> str:
    return pseudonymise(DEMO_BSN, settings.pseudonym_key.get_secret_value())


@pytest.fixture
def other_subject(settings: Settings) -> str:
    return pseudonymise(OTHER_BSN, settings.pseudonym_key.get_secret_value())


GV, MH = "gooi-en-vechtstreek", "maastricht-heuvelland"  # the officer fg-gooi-en-vechtstreek sees only GV
_MUNICIPALITY = {GV: "GM0402", MH: "GM0935"}


def ensure_case(session: Session, case_id: str, region: str, subject: str) -> None:
    """A real row in hub.cases' table: a record's region is the region of its case (H5)."""
    if session.get(Case, case_id) is None:
        session.add(
            Case(
                id=case_id,
                region=region,
                municipality=_MUNICIPALITY[region],
                subject_pseudonym=subject,
                prison="PI Nieuwegein",
                detention_started_on=dt.date(2026, 1, 5),
                started_notification_id=f"n-{case_id}",
            )
        )
        session.flush()


def append(session: Session, subject: str, count: int = 1, region: str = GV, **overrides) -> list[AuditRecord]:
    """Append `count` released-data records about `subject` (in a case of `region`) and commit."""
    fields = dict(
        event_type="data_released",
        decision=Decision(),
        case_id="case-1",
        data_request_id="req-1",
        from_oin=MUNICIPALITY_OIN,
        to_oin=ZVH_OIN,
        from_actor="mw-17",
        to_actor="coord-3",
        categories_released=["housing", "income"],
        categories_withheld=["care"],
        denial_reasons={"care": "no_consent"},
    )
    fields.update(overrides)
    if fields["case_id"] is not None:
        ensure_case(session, fields["case_id"], region, subject)
    records = [record(session, subject_pseudonym=subject, **fields) for _ in range(count)]
    session.commit()
    return records


def bypass_append_only(engine: Engine) -> None:
    """TEST ONLY: switch off the append-only triggers so a test can play the attacker with DB access.

    On PostgreSQL this needs a superuser (the tests connect as `postgres`); on SQLite the triggers are dropped.
    """
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_record DISABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER"))
        else:
            for name in (
                "audit_record_no_update",
                "audit_record_no_delete",
                "audit_checkpoint_no_update",
                "audit_checkpoint_no_delete",
            ):
                connection.execute(text(f"DROP TRIGGER {name}"))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
