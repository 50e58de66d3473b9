"""Jinja2 templates of the screens, with the Dutch labels and the signed-in person in every page."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from hub.web import charts, labels, origin_names
from hub.web.sessions import seconds_left

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _datum(value: Any) -> str:
    """A date as dd-mm-jjjj; a moment as dd-mm-jjjj uu:mm in Dutch time (the hub stores UTC)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(AMSTERDAM)
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _show(value: Any) -> str:
    """An answer value in Dutch: labels for enum values, ja/nee, dates as dd-mm-jjjj, lists joined; a list of
    objects (a plan's actions) one item a line, its basic condition first, a partner's role by its name."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return Markup('<ul class="hub-list">{}</ul>').format(
            Markup("").join(Markup("<li>{}</li>").format(_show(v)) for v in value)
        )
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "—"
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: item[0] != "domain")
        return "; ".join(
            f"{labels.label('field', k)}: {labels.label('role', v) if k == 'partner_role' else _show(v)}"
            for k, v in ordered
        )
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return _datum(date.fromisoformat(value))
        except ValueError:
            return value
    return labels.label("value", value)


def _category(category: str) -> str:
    """The catalogue's Dutch name of a data category."""
    from hub.policy.catalogue import get_catalogue

    found = get_catalogue().categories.get(category)
    return found.name if found is not None else category


def _heading(text: str) -> str:
    """A catalogue name ("inschrijving in de BRP") as the start of a heading: its first letter upper case only."""
    return text[:1].upper() + text[1:]


_env.globals["label"] = labels.label
_env.globals["category"] = _category
_env.globals["categories"] = lambda names: ", ".join(_category(c) for c in names) or "niets"
_env.globals["show"] = _show
_env.filters["datum"] = _datum
_env.filters["kop"] = _heading


def form_key() -> str:
    """A new idempotency key for one render of one form."""
    return uuid.uuid4().hex


_env.globals["form_key"] = form_key
_env.globals["municipality_name"] = origin_names.municipality_name
_env.globals["origin_reason_name"] = origin_names.reason_name
_env.globals["background"], _env.globals["text_colour"] = charts.BACKGROUND, charts.TEXT


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    state = request.scope.get("hub.web_state")
    settings = request.app.state.settings
    person = state.person if state is not None else None
    partner = request.app.state.registry.by_client_id(person["client_id"]) if person else None
    html = _env.get_template(template).render(
        request=request,
        person=person,
        partner=partner,
        idle_seconds=seconds_left(request, state) if state is not None else settings.web_idle_timeout_seconds,
        warning_seconds=settings.web_idle_warning_seconds,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def render_text(template: str, **context: Any) -> str:
    """A template rendered to text without a page around it (a document such as the printable letter)."""
    return _env.get_template(template).render(**context)
