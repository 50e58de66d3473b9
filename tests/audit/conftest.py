"""Fixtures of the disclosure-log tests: the real dev log key, subjects as real pseudonyms, and an appender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from hub.audit.models import AuditRecord
from hub.audit.service import record
from hub.audit.signing import LogSigner, load_signer
from hub.config import Settings
from hub.crypto.pseudonym import pseudonymise

DEMO_BSN = "999993653"  # a test BSN that passes the eleven-test
OTHER_BSN = "999990019"
DJI_OIN = "00000009990000016000"
ZVH_OIN = "00000009990000017000"
MUNICIPALITY_OIN = "00000009990000011000"


@dataclass(frozen=True)
class Activity:
    """The shape of hub.policy's ActivityRef, as the exchange passes it in."""

    id: str = "reintegration"
    version: str = "1.0.0"
    name: str = "Re-integratie: ondersteuning op de basisvoorwaarden"
    legal_basis: str = "Pbw art. 18a jo. Pm art. 20d; AVG art. 6 lid 1 sub e"
    retention_days: int = 730
    confidentiality: str = "vertrouwelijk"


@dataclass(frozen=True)
class Decision:
    """The fields of hub.policy's Decision that the log takes."""

    decision_id: str = "dec-1"
    policy_revision: str = "a" * 64
    activity: Activity = Activity()


@pytest.fixture
def signer(settings: Settings) -> LogSigner:
    return load_signer(settings)


@pytest.fixture
def subject(settings: Settings) -> str:
    return pseudonymise(DEMO_BSN, settings.pseudonym_key.get_secret_value())


@pytest.fixture
def other_subject(settings: Settings) -> str:
    return pseudonymise(OTHER_BSN, settings.pseudonym_key.get_secret_value())


def append(session: Session, subject: str, count: int = 1, **overrides) -> list[AuditRecord]:
    """Append `count` released-data records about `subject` and commit."""
    fields = dict(event_type="data_released", decision=Decision(), case_id="case-1", data_request_id="req-1",
                  from_oin=MUNICIPALITY_OIN, to_oin=ZVH_OIN, from_actor="mw-17", to_actor="coord-3",
                  categories_released=["housing", "income"], categories_withheld=["care"],
                  denial_reasons={"care": "no_consent"})
    fields.update(overrides)
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
            for name in ("audit_record_no_update", "audit_record_no_delete", "audit_checkpoint_no_update",
                         "audit_checkpoint_no_delete"):
                connection.execute(text(f"DROP TRIGGER {name}"))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
