"""`make demo` / `python -m partners.demo`: the seed scenario, told step by step, against a real hub.

It talks to the hub at --hub-url (default http://127.0.0.1:8000) with each partner's own client and
development key. When nothing answers there, it starts a hub of its own on a free 127.0.0.1 port, with a
fresh SQLite database in a temporary folder, and stops it at the end. It prints every step in plain words,
with the hub's Dutch explanations as the hub returns them, and at the end the disclosure log of the case
as the privacy officer sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from partners.client import DEFAULT_HUB_URL, DEV_KEYS, HubClient
from partners.notice_branch import notice_branch
from partners.scenario import ACTORS, Scenario, Step, StepFailed
from partners.scenario_origin import OriginBranch

REGISTRY_DIR = Path(__file__).resolve().parent / "registry"
ROOT = Path(__file__).resolve().parent.parent

app = typer.Typer(add_completion=False, help=__doc__)


def partner_names() -> dict[str, str]:
    """OIN and client_id -> organisation name, from the public registry files."""
    names: dict[str, str] = {}
    for path in REGISTRY_DIR.glob("*.json"):
        entry = json.loads(path.read_text(encoding="utf-8"))
        names[entry["oin"]] = names[entry["client_id"]] = entry["name"]
    return names


NAMES = partner_names()


# -- a hub to talk to -------------------------------------------------------------------------------------


def hub_answers(url: str) -> bool:
    try:
        return httpx.get(url.rstrip("/") + "/health/live", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def own_hub() -> Iterator[str]:
    """Start a development hub on a free port with a fresh database; yield its URL; stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="dt-hub-demo-") as folder:
        env = {
            **os.environ,
            "HUB_ENV": "dev",
            "HUB_ISSUER": url,
            "HUB_LOG_LEVEL": "WARNING",
            "HUB_DATABASE_URL": f"sqlite:///{folder}/demo.db",
        }
        hub = str(Path(sys.executable).parent / "hub")  # the operator's command, installed beside python
        subprocess.run([hub, "dev-keys"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        subprocess.run([hub, "migrate"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            [hub, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(150):
                if hub_answers(url):
                    break
                if process.poll() is not None:
                    raise RuntimeError("the hub did not start (run `make run` to see why)")
                time.sleep(0.1)
            else:
                raise RuntimeError("the hub did not answer within 15 seconds")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


# -- telling the story -------------------------------------------------------------------------------------


def say(text: str = "", indent: int = 0) -> None:
    typer.echo(" " * indent + text)


def describe(step: Step) -> None:
    who = f"{NAMES.get(step.actor, step.actor)} ({ACTORS.get(step.actor, '-')})"
    say(f"▸ {step.title}")
    say(f"{who} → HTTP {step.response.status_code}", 2)
    body = step.body if step.response.content else None
    if step.response.status_code >= 400 and isinstance(body, dict):
        say(f"geweigerd: {body.get('detail')} [{body.get('code')}]", 4)
        return
    for line in details(body):
        say(line, 4)


def details(body: Any) -> list[str]:
    """The lines worth showing of a step's answer."""
    if not isinstance(body, dict):
        return []
    if "notification_id" in body:
        return [f"casus {body['case_id']} (toestand: {body['state']})"]
    if "responder" in body and "categories" in body:  # a decided request
        return _request_lines(body)
    if "released" in body and "withheld" in body:  # an answer receipt
        return [f"doorgegeven: {', '.join(body['released']) or '(niets)'}", *_withheld_lines(body["withheld"])]
    if "values" in body:  # a released answer
        return [f"{category}: {json.dumps(values, ensure_ascii=False)}" for category, values in body["values"].items()]
    if "subject" in body:  # the inbox detail or the handover content
        subject = body["subject"]
        lines = [f"betreft: {subject['name']}, geboren {subject['birth_date']}, BSN ******{subject['bsn'][-3:]}"]
        return lines + [f"categorieën: {', '.join(body['categories'])}"]
    if "recipient" in body and body.get("acknowledged_at"):  # an acknowledged handover
        return [f"status: {body['status']}; de casus is gesloten"]
    if "recipient" in body:  # a handover
        lines = [f"status: {body['status']}; overgedragen: {', '.join(body['categories']) or '(niets)'}"]
        return lines + [
            f"niet overgedragen: {r['category']} — {r['explanation']} ({r['reason']})" for r in body["refused"]
        ]
    if "items" in body:
        return [f"{len(body['items'])} open verzoek(en) in de inbox"]
    if "to_state" in body:
        return [f"casus: {body['from_state']} → {body['to_state']}"]
    if "case_origin" in body:  # a determination or contest of the municipality of origin
        return [f"herkomst: {body['case_origin']}, gemeente {body['municipality']}, reden {body['reason']}"]
    return []


def _request_lines(body: dict[str, Any]) -> list[str]:
    allowed = [c["category"] for c in body["categories"] if c["outcome"] == "allowed"]
    lines = [
        f"aan: {body['responder']['name']}; activiteit: {body['activity']['id']}; status: {body['status']}",
        f"toegestaan: {', '.join(allowed) or '(niets)'}",
    ]
    lines += [
        f"GEWEIGERD: {c['category']} — {c['explanation']} ({c['reason']})"
        for c in body["categories"]
        if c["outcome"] == "denied"
    ]
    return lines


def _withheld_lines(withheld: list[dict[str, Any]]) -> list[str]:
    return [f"tegengehouden: {_withheld_part(w)} — {w['explanation']}" for w in withheld]


def _withheld_part(withheld: dict[str, Any]) -> str:
    """`care`, `housing.at_risk_of_loss`, or `housing (2 velden buiten de catalogus)`: the hub never names
    fields outside the catalogue, it counts them."""
    count = withheld.get("fields_not_in_catalogue")
    if count:
        return f"{withheld['category']} ({count} {'veld' if count == 1 else 'velden'} buiten de catalogus)"
    return withheld["category"] + (f".{withheld['field']}" if withheld.get("field") else "")


def print_log(records: list[dict[str, Any]], which: str = "deze casus") -> None:
    say()
    say(f"Het verwerkingenlogboek van {which} ({len(records)} records, zoals de FG het ziet):")
    for r in records:
        parties = f"{_short(r.get('from_oin'))} → {_short(r.get('to_oin'))}"
        categories = ", ".join(r.get("categories_released") or [])
        withheld = ", ".join(f"{c} ({r['denial_reasons'].get(c, '')})" for c in r.get("categories_withheld") or [])
        say(f"#{r['seq']:>3} {r['event_type']:<16} {parties:<70} {r.get('activity_id') or ''}", 2)
        if categories:
            say(f"verstrekt: {categories}", 8)
        if withheld:
            say(f"niet verstrekt: {withheld}", 8)


def _short(oin: str | None) -> str:
    return NAMES.get(oin, oin) if oin else "de hub"


def run_scenario(url: str) -> int:
    clients: dict[str, HubClient] = {}

    def client_for(client_id: str) -> HubClient:
        if client_id not in clients:
            clients[client_id] = HubClient(
                client_id, DEV_KEYS / f"{client_id}.key.pem", base_url=url, actor=ACTORS[client_id]
            )
        return clients[client_id]

    # A fresh notification id per run, so the demo can run again against the same hub.
    return tell(Scenario(client_for=client_for, notification_prefix=f"PI-NWG-DEMO-{uuid.uuid4().hex[:8]}"))


def tell(scenario: Scenario) -> int:
    """Run the scenario, describing each step as it happens, then print the case's disclosure log; then the
    branch of a second person whose municipality of origin is unknown (issue 16), and its log."""
    scenario.on_step = describe
    try:
        scenario.run()
        print_log(scenario.steps[-1].body["records"])
        say("\nZijtak: een 18b-melding van DJI voor dezelfde inwoner van Hilversum, bij een nieuwe detentie.\n")
        branch = notice_branch(scenario)
        print_log(branch.steps[-1].body["records"])
        say()
        say("Tweede persoon: de gemeente van herkomst is onbekend, wordt vastgesteld, betwist en opnieuw beslist.")
        say()
        OriginBranch(scenario).run()
    except StepFailed as failure:
        say(f"\nDe demo stopte: {failure}")
        return 1
    print_log(scenario.steps[-1].body["records"], "de tweede casus")
    return 0


@app.command()
def main(hub_url: Annotated[str, typer.Option(help="The hub to talk to")] = DEFAULT_HUB_URL) -> None:
    """Run the seed scenario against the hub at --hub-url, or against a hub of its own."""
    if hub_answers(hub_url):
        say(f"Hub gevonden op {hub_url}.\n")
        raise typer.Exit(run_scenario(hub_url))
    say(f"Geen hub op {hub_url}; de demo start er zelf een (met een lege database).\n")
    with own_hub() as url:
        code = run_scenario(url)
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
