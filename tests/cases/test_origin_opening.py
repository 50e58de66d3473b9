"""Where a case DJI opens goes (hub.origin.service.opening): the municipality's region, or the establishment's when
DJI does not know the municipality; an establishment without a region is refused naming `municipality`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from hub.cases.models import Origin
from hub.errors import ValidationFailed
from hub.origin.service import opening

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_a_named_municipality_gives_its_region_and_origin_notified(make_caller):
    opened = opening(make_caller("dji-pi-nieuwegein"), "GM0935", NOW)  # Maastricht
    assert (opened.region, opened.origin, opened.open_since) == ("maastricht-heuvelland", Origin.notified, None)


def test_no_municipality_goes_to_the_establishments_region_unknown_since_now(make_caller):
    opened = opening(make_caller("dji-pi-nieuwegein"), None, NOW)
    assert (opened.region, opened.origin, opened.open_since) == ("gooi-en-vechtstreek", Origin.unknown, NOW)


def test_an_establishment_without_a_region_must_name_the_municipality(make_caller):
    dji = make_caller("dji-pi-nieuwegein")
    elsewhere = replace(dji, partner=replace(dji.partner, oin="00000009990000099000"))
    with pytest.raises(ValidationFailed) as refused:
        opening(elsewhere, None, NOW)
    assert (refused.value.extra["field"], refused.value.extra["rule"]) == ("municipality", "prison_without_region")


def test_an_unknown_cbs_code_is_refused_naming_municipality(make_caller):
    with pytest.raises(ValidationFailed) as refused:
        opening(make_caller("dji-pi-nieuwegein"), "GM9999", NOW)
    assert refused.value.extra["field"] == "municipality"
