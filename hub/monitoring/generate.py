"""A year of fictitious cases for one region, run through the hub's own services, so that the monitor can be
seen (and tested) with data: DJI's notifications open them, the coordinator weighs, plans and evaluates, DJI
ends the detentions, the municipality acknowledges handovers. Every statistics row comes from the same hooks
as in production (hub.monitoring.facts). Development and tests only: the BSNs are random valid numbers.

    python -m hub.monitoring.generate --year 2025 --cases 220 --small GM0376=3
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from sqlmodel import Session

from hub.auth.principal import Caller
from hub.cases import notifications
from hub.cases import service as cases
from hub.cases.lifecycle import CaseEventType, transition
from hub.cases.schemas import BasicCondition, DetentionEndedCreate, DetentionStartedCreate
from hub.cases.service import CaseContext
from hub.reference import municipalities

if TYPE_CHECKING:
    from hub.exchange.service.context import ExchangeContext

# (client_id of the holder, activity, category, an answer) asked for each case with consent and a plan
ASKED = (
    ("{code}-social", "reintegration", "housing", {"housing": {"situation": "homeless"}}),
    ("reclassering-nederland", "reintegration", "income", {"income": {"source": "none"}}),
)

STATUSES = ("in_order", "not_in_order", "unknown")


def random_bsn(rng: random.Random) -> str:
    """A nine-digit number that passes the eleven-test (fictitious)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def _municipality_plan(region: str, count: int, small: dict[str, int], rng: random.Random) -> list[str]:
    codes = sorted(m.cbs_code for m in municipalities().values() if m.region == region)
    plan = [code for code, n in small.items() for _ in range(n)]
    others = [c for c in codes if c not in small]
    plan += [rng.choice(others) for _ in range(count - len(plan))]
    return plan


def generate(
    session: Session,
    ctx: CaseContext,
    caller: Callable[[str], Caller],
    *,
    region: str,
    year: int,
    count: int,
    small: dict[str, int] | None = None,
    seed: int = 14,
    exchange: Callable[[Caller, datetime], ExchangeContext] | None = None,
) -> int:
    """Open, run and close `count` cases of `region` starting in `year` (`small`: municipality -> exact count).
    `caller(client_id)` gives the acting partner; `exchange(caller, now)` (optional) the exchange's context, to
    ask and answer requests through the exchange's services. Flushes per case; the caller commits."""
    rng = random.Random(seed)  # noqa: S311  # fictitious, reproducible test data
    dji, zvh = caller("dji-pi-nieuwegein"), caller(f"zvh-{region}")
    for n, code in enumerate(_municipality_plan(region, count, small or {}, rng)):
        started = date(year, rng.randint(1, 12), rng.randint(1, 28))
        bsn = random_bsn(rng)
        sheet = {c.value: {"status": rng.choice(STATUSES)} for c in BasicCondition}
        opened = notifications.detention_started(
            session,
            ctx,
            dji,
            DetentionStartedCreate.model_validate(
                {
                    "notification_id": f"GEN-{year}-{n:05d}",
                    "subject": {"bsn": bsn, "name": "Fictief", "birth_date": "1990-01-01"},
                    "prison": "PI Nieuwegein",
                    "started_on": started.isoformat(),
                    "municipality": code,
                    "information_sheet": {"conditions": sheet},
                }
            ),
        )
        case_id = opened.result.case_id
        ask = None
        if exchange is not None:
            ask = partial(_ask_and_answer, session, exchange, caller, rng, zvh, case_id, code, started)
        _run(session, ctx, rng, dji, zvh, case_id, started, bsn, f"GEN-{year}-{n:05d}", sheet, ask)
    return count


def _step(session, ctx, zvh, case_id: str, event: dict) -> None:
    from pydantic import TypeAdapter

    from hub.cases.schemas import CoordinatorEvent

    cases.record_event(session, ctx, zvh, case_id, TypeAdapter(CoordinatorEvent).validate_python(event))


def _ask_and_answer(session, exchange, caller, rng, zvh, case_id: str, code: str, started: date) -> None:
    """The coordinator asks the holders; each answers after 0-9 days (the exchange's own services)."""
    from hub.exchange.schemas import RequestCreate
    from hub.exchange.service.answers import submit_answer
    from hub.exchange.service.requests import create_request

    asked_at = datetime(started.year, started.month, started.day, 10, tzinfo=UTC) + timedelta(days=10)
    for holder, activity, category, answer in ASKED:
        responder = holder.format(code=code.lower())
        body = RequestCreate(responder=responder, activity=activity, categories=[category])
        request = create_request(session, exchange(zvh, asked_at), case_id, body)
        answered_at = asked_at + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 6))
        submit_answer(session, exchange(caller(responder), answered_at), request.id, answer)


def _run(session, ctx, rng, dji, zvh, case_id, started, bsn, started_id, sheet, ask) -> None:
    short = rng.random() < 0.45  # about half of all detentions last under four weeks
    days = rng.randint(3, 27) if short else rng.randint(28, 400)
    consent = "yes" if rng.random() < 0.6 else "no"
    risk = "signalled" if rng.random() < 0.25 else "none"
    _step(session, ctx, zvh, case_id, {"type": "screening_started"})
    if not short:
        _step(session, ctx, zvh, case_id, {"type": "weighing_recorded", "consent": consent, "risk": risk})
        if consent == "yes":
            if ask is not None:
                ask()
            plan = {
                "agreed_on": (started + timedelta(days=20)).isoformat(),
                "actions": [{"domain": "housing", "action": "-"}],
            }
            _step(session, ctx, zvh, case_id, {"type": "plan_recorded", "plan": plan})
        elif risk == "signalled":
            _step(session, ctx, zvh, case_id, {"type": "outreach_started"})
    ended = DetentionEndedCreate.model_validate(
        {
            "notification_id": f"{started_id}-END",
            "started_notification_id": started_id,
            "bsn": bsn,
            "ended_on": (started + timedelta(days=days)).isoformat(),
        }
    )
    notifications.detention_ended(session, ctx, dji, ended)
    case = cases.get_case(session, case_id)
    assert case is not None
    if case.state == "handed_over":
        if case.plan_ciphertext is not None:
            after = {
                c: ("in_order" if s["status"] == "in_order" or rng.random() < 0.5 else "not_in_order")
                for c, s in sheet.items()
            }
            _step(session, ctx, zvh, case_id, {"type": "evaluation_recorded", "conditions": after})
        transition(session, case, CaseEventType.handover_sent, zvh)
        if rng.random() < 0.8:
            transition(session, case, CaseEventType.handover_acknowledged, zvh)
        else:
            _step(session, ctx, zvh, case_id, {"type": "case_closed", "reason": "handover_not_possible"})
    session.flush()


def main() -> None:  # pragma: no cover - a development convenience around generate()
    from hub.auth.registry import load_registry
    from hub.auth.scopes import scopes_for
    from hub.config import ROOT, get_settings
    from hub.crypto.envelope import Envelope
    from hub.db import make_engine
    from hub.policy.register import get_register

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="gooi-en-vechtstreek")
    # the last year that is over: the monitor shows a year only then (hub.monitoring.snapshot)
    parser.add_argument("--year", type=int, default=date.today().year - 1)
    parser.add_argument("--cases", type=int, default=220)
    parser.add_argument("--small", action="append", default=[], help="CBS=count, e.g. GM0376=3")
    args = parser.parse_args()
    settings = get_settings()
    if settings.pseudonym_key is None or settings.database_url is None:
        raise SystemExit("HUB_PSEUDONYM_KEY and HUB_DATABASE_URL are needed (make run sets them)")
    registry = load_registry(ROOT / "partners" / "registry", settings)

    def caller(client_id: str) -> Caller:
        partner = registry.by_client_id(client_id)
        assert partner is not None
        return Caller(partner=partner, actor="generator", scopes=scopes_for(partner.role), token_id="generator")  # noqa: S106  # a label, not a secret

    ctx = CaseContext(
        envelope=Envelope.from_settings(settings),
        pseudonym_key=settings.pseudonym_key.get_secret_value(),
        register=get_register(settings.policies_dir),
    )
    small = {code: int(n) for code, n in (s.split("=") for s in args.small)}
    with Session(make_engine(settings.database_url)) as session:
        made = generate(session, ctx, caller, region=args.region, year=args.year, count=args.cases, small=small)
        session.commit()
    print(f"{made} cases generated for {args.region}, {args.year}")


if __name__ == "__main__":  # pragma: no cover
    main()
