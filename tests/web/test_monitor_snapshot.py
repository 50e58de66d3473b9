"""The monitor shows a year only once it is over, and then always the same frozen figures (second reader's
finding: a live monitor opened before and after one case closes gives that case by subtraction)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from hub.monitoring import report
from hub.monitoring.models import MonitoringFact, MonitoringSnapshot
from tests.web.test_monitor import ANALYST, REGION, YEAR, year_of_cases

__all__ = ["year_of_cases"]  # the fixture used here

ONE_MORE_CASE = [  # the `case` group of one more closed case of Hilversum, as hub.monitoring.facts writes it
    ("case", "closed"),
    ("detention_length", "longer"),
    ("consent", "yes"),
    ("risk", "signalled"),
    ("outreach", "no"),
    ("handover", "confirmed"),
    ("notice_18b", "yes"),
    ("notice_bij", "no"),
    ("origin_start", "known"),
    ("origin_disputed", "no"),
]


def _add_case(engine, year: int) -> None:
    with Session(engine) as session:
        for measure, value in ONE_MORE_CASE:
            session.add(MonitoringFact(region=REGION, municipality="GM0402", year=year, measure=measure, value=value))
        session.commit()


def test_a_closed_year_is_frozen_at_its_first_view(client, sign_in, year_of_cases, app):
    """The first view of a year that is over freezes it; a case that closes afterwards changes the rows but
    not one figure of the screen or the CSV, so the two downloads subtract to nothing."""
    sign_in(ANALYST)
    first_csv = client.get(f"/monitor?jaar={YEAR}&formaat=csv").text
    first_page = client.get(f"/monitor?jaar={YEAR}").text
    engine = app.state.engine
    with Session(engine) as session:
        before = report.live_figures(session, REGION, YEAR)

    _add_case(engine, YEAR)

    with Session(engine) as session:
        assert report.live_figures(session, REGION, YEAR) != before  # the rows did change
        stored = session.exec(select(func.count()).select_from(MonitoringSnapshot)).one()
    assert client.get(f"/monitor?jaar={YEAR}&formaat=csv").text == first_csv
    assert client.get(f"/monitor?jaar={YEAR}").text == first_page
    assert stored == 1


def test_a_running_year_shows_no_figures(client, sign_in, app):
    """Rows of the year that is running are not shown on any form, and nothing is frozen yet."""
    this_year = date.today().year
    _add_case(app.state.engine, this_year)
    sign_in(ANALYST)
    page = client.get(f"/monitor?jaar={this_year}")
    assert page.status_code == 200
    assert f"De cijfers over {this_year} verschijnen na afloop van het jaar" in page.text
    assert "<table" not in page.text and "Hilversum" not in page.text
    for form in ("csv", "pdf"):
        assert client.get(f"/monitor?jaar={this_year}&formaat={form}").status_code == 404
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(MonitoringSnapshot)).one() == 0


def test_the_default_year_is_the_last_one_that_is_over(client, sign_in, year_of_cases, app):
    """Without `jaar` the monitor opens the last year that is over, with its figures and the day they froze."""
    sign_in(ANALYST)
    page = client.get("/monitor").text
    assert f"Monitor Detentie en Terugkeer {YEAR}" in page and "Blaricum" in page
    with Session(app.state.engine) as session:
        frozen = session.get(MonitoringSnapshot, (REGION, YEAR))
    assert frozen is not None and f"Vastgesteld op {frozen.taken_on:%d-%m-%Y}" in page
