"""Every value a screen can show has a Dutch label (hub/web/labels.py)."""

from __future__ import annotations

import json
from typing import get_args

import pytest

from hub.audit.service import EVENT_TYPES
from hub.auth.principal import ROLES
from hub.auth.scopes import ALL_SCOPES
from hub.cases.lifecycle import CaseEventType
from hub.cases.models import CaseState, Consent, Origin, Risk
from hub.cases.schemas import BasicCondition, CloseReason, ConditionStatus
from hub.config import ROOT
from hub.exchange.models import HandoverStatus, RequestStatus
from hub.notices.models import Addressee, NoticeKind
from hub.policy.catalogue import get_catalogue
from hub.web import labels
from hub.web.steps import STEPS

POLICY = ROOT / "policies" / "dt"


def _schema_names() -> tuple[set[str], set[str]]:
    fields: set[str] = set()
    values: set[str] = set()

    def walk(spec: dict) -> None:
        if "enum" in spec:
            values.update(str(v) for v in spec["enum"])
        for name, inner in spec.get("properties", {}).items():
            fields.add(name)
            walk(inner)
        if isinstance(spec.get("items"), dict):
            walk(spec["items"])

    for category in get_catalogue().categories.values():
        fields.add(category.id)
        walk(category.schema)
    return fields, values


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("state", {s.value for s in CaseState}),
        ("consent", {c.value for c in Consent}),
        ("risk", {r.value for r in Risk}),
        ("event", {e.value for e in CaseEventType}),
        ("audit", set(EVENT_TYPES)),
        ("status", set(get_args(RequestStatus))),
        ("handover", set(get_args(HandoverStatus))),  # a refused handover's result page showed "refused"
        ("condition", {s.value for s in ConditionStatus}),
        ("close", {r.value for r in CloseReason}),
        ("origin", {o.value for o in Origin}),
        ("value", {c.value for c in BasicCondition}),  # the plan's and the information sheet's blocks
        ("step", set(STEPS)),  # the coordinator's steps as actions ("Bezoek vastleggen")
        ("role", set(ROLES)),
        ("reason", set(json.loads((POLICY / "reference" / "data.json").read_text())["reasons"])),
        ("field", _schema_names()[0]),
        ("value", _schema_names()[1]),
        ("sensitivity", {c.sensitivity for c in get_catalogue().categories.values()}),
        ("operation", set(ALL_SCOPES)),
        ("notice_kind", {k.value for k in NoticeKind}),
        ("notice_addressee", {a.value for a in Addressee}),
    ],
)
def test_every_value_has_a_dutch_label(kind, values):
    missing = sorted(v for v in values if v not in labels.ALL[kind])
    assert missing == [], f"no Dutch label for {kind}: {missing}"


def test_the_answer_filter_reasons_have_labels():
    # The enforcement point's own reasons (docs/ARCHITECTURE.md, filter_answer) besides the policy's.
    for reason in ("category_not_allowed", "unknown_category", "category_not_in_activity", "field_not_in_catalogue"):
        assert reason in labels.REASONS


def test_label_falls_back_visibly():
    assert labels.label("state", "closed") == "Gesloten"
    assert labels.label("value", True) == "ja"
    assert labels.label("value", None) == "—"
