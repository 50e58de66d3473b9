"""No control or invisible formatting characters in any text of any request body (issue 12, item 13): every
request model of the OpenAPI document is a StrictInput, and every text-holding field of each refuses them."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, SecretStr, ValidationError
from sqlmodel import Session, func, select

from hub.cases.models import Case
from hub.config import Settings
from hub.main import create_app
from hub.strict_input import MultiLine, StrictInput, hidden_character
from tests.cases.conftest import DJI, started_body

# NUL, ESC, DEL, a C1 control, RIGHT-TO-LEFT OVERRIDE, LEFT-TO-RIGHT ISOLATE, ZERO WIDTH SPACE, BOM, soft hyphen,
# LINE SEPARATOR, a lone surrogate
HIDDEN = ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff", "\u00ad", "\u2028", "\ud800"]
LINE_BREAKS = ["\n", "\t", "\r\n"]


@pytest.fixture(scope="module")
def bare_app(sqlite_template):
    """The app as create_app builds it (routes and schemas only; nothing is called)."""
    return create_app(Settings(env="dev", database_url=f"sqlite:///{sqlite_template}", log_json=True))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def request_models(app) -> dict[str, type[BaseModel]]:
    """Every model a request body of the app is made of (nested models too), by name."""
    found: dict[str, type[BaseModel]] = {}
    stack = [
        model
        for route in iter_route_contexts(app.routes)
        for body in getattr(route, "dependant", None) and route.dependant.body_params or []
        for model in _models_in(body.field_info.annotation)
    ]
    while stack:
        model = stack.pop()
        if model.__name__ not in found:
            found[model.__name__] = model
            stack += [m for field in model.model_fields.values() for m in _models_in(field.annotation)]
    return found


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def openapi_request_schemas(document: dict[str, Any]) -> set[str]:
    """The object schemas the request bodies of the OpenAPI document refer to, transitively."""
    schemas = document["components"]["schemas"]
    pending = _refs([op.get("requestBody", {}) for item in document["paths"].values() for op in item.values()])
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending |= _refs(schemas.get(name, {})) - seen
    return {name for name in seen if "properties" in schemas[name]}  # objects; enums are no models


def _text_sample(annotation: Any, text: str) -> Any:
    """A value of `annotation` whose text (a string, a list item, a value in an object) is `text`; None when
    the annotation holds no free text (numbers, dates, enums, nested models: those are checked on their own)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str or annotation is Any:
        return text
    if annotation is SecretStr:
        return SecretStr(text)
    if origin is typing.Annotated:
        return _text_sample(args[0], text)
    if origin in (typing.Union, types.UnionType):
        samples = [_text_sample(a, text) for a in args if a is not type(None)]
        return next((s for s in samples if s is not None), None)
    if origin is dict:
        inner = _text_sample(args[1], text)
        return {"housing": inner} if inner is not None else None
    if origin in (list, tuple, set, frozenset):
        inner = _text_sample(args[0], text)
        return [inner] if inner is not None else None
    return None


def text_fields(model: type[BaseModel]) -> list[tuple[str, bool]]:
    return [
        (name, any(m is MultiLine for m in field.metadata))
        for name, field in model.model_fields.items()
        if _text_sample(field.annotation, "x") is not None
    ]


def _assign(model: type[BaseModel], name: str, text: str) -> None:
    value = _text_sample(model.model_fields[name].annotation, text)
    model.__pydantic_validator__.validate_assignment(model.model_construct(), name, value)


def test_every_request_model_of_the_openapi_document_is_strict(bare_app):
    """The request bodies in the OpenAPI document are made of exactly the models the routes take, and each
    of them is a StrictInput (so a new body model that is not fails here)."""
    models = request_models(bare_app)
    assert set(models) == openapi_request_schemas(bare_app.openapi())
    assert len(models) >= 10  # notifications, case events, requests, answers, the audit queries
    assert sorted(name for name, model in models.items() if not issubclass(model, StrictInput)) == []


def test_every_text_field_of_every_request_model_refuses_hidden_characters(bare_app):
    """Each text-holding field (a string, a secret, a free-form object or list) of each request model refuses
    every kind of hidden character with an error on that field; a multi-line field takes line breaks and
    tabs, any other field refuses them."""
    checked = 0
    for model in request_models(bare_app).values():
        for name, multi_line in text_fields(model):
            for char in HIDDEN + ([] if multi_line else LINE_BREAKS):
                with pytest.raises(ValidationError) as refused:
                    _assign(model, name, f"Jan{char}sen")
                assert refused.value.errors()[0]["loc"][0] == name, (model.__name__, name, repr(char))
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("text", ["Regel een\nregel twee", "kolom\tkolom", "Windows\r\nregel"])
def test_a_multi_line_field_takes_line_breaks(text):
    """Tab and newline (CR only before LF) are text in a multi-line field; a lone CR is not."""
    assert hidden_character(text, multi_line=True) is None
    assert hidden_character(text) is not None
    assert hidden_character("oude\rMac", multi_line=True) == "U+000D"


@pytest.mark.parametrize(
    ("where", "text", "field"),
    [
        ("name", "J. de\x00 Vries", "subject.name"),
        ("name", "J. de Vries\u202egpj.exe", "subject.name"),
        ("name", "J. de\nVries", "subject.name"),
        ("prison", "PI\u200bNieuwegein", "prison"),
        ("help_question", "Zoekt\x07woonruimte", "information_sheet.conditions.housing.help_question"),
    ],
)
def test_a_notification_with_a_hidden_character_is_refused_naming_the_field(partner_client, engine, where, text, field):
    """Over HTTP: 422 naming the field, the value never echoed, nothing stored."""
    body = started_body()
    if where == "name":
        body["subject"]["name"] = text
    elif where == "prison":
        body["prison"] = text
    else:
        body["information_sheet"]["conditions"]["housing"]["help_question"] = text
    response = partner_client(DJI).post("/v1/notifications/detention-started", json=body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert text not in response.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 0


def test_a_help_question_may_span_lines(partner_client):
    """help_question is multi-line: a newline in it is accepted."""
    body = started_body()
    body["information_sheet"]["conditions"]["housing"]["help_question"] = "Zoekt woonruimte.\nLiefst in Hilversum."
    assert partner_client(DJI).post("/v1/notifications/detention-started", json=body).status_code == 201
