"""An answer form per category, generated from the category's JSON Schema, and its parsing back.

enum -> choice, boolean -> ja/nee, date -> date field, integer -> number, array of enum -> checkboxes,
array of integers -> numbers separated by commas (the children's ages), string -> text. Other shapes (objects
inside arrays) are not offered on a screen; the API takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData


@dataclass(frozen=True, slots=True)
class Widget:
    category: str
    field: str
    kind: str  # choice | yesno | date | integer | checkboxes | numbers | text
    required: bool
    options: tuple[str, ...] = ()
    maximum: int | None = None

    @property
    def name(self) -> str:
        return f"{self.category}.{self.field}"

    @property
    def id(self) -> str:
        return f"veld-{self.category}-{self.field}".replace("_", "-")


def widgets(category: str, schema: dict[str, Any]) -> list[Widget]:
    required = set(schema.get("required", ()))
    out = []
    for field, spec in schema.get("properties", {}).items():
        widget = _widget(category, field, spec, field in required)
        if widget is not None:
            out.append(widget)
    return out


def _widget(category: str, field: str, spec: dict[str, Any], required: bool) -> Widget | None:
    if "enum" in spec:
        return Widget(category, field, "choice", required, tuple(str(v) for v in spec["enum"]))
    kind = spec.get("type")
    if isinstance(kind, list):  # ["string", "null"]: optional, so an empty field means "not given"
        kind = next((k for k in kind if k != "null"), None)
    if kind == "boolean":
        return Widget(category, field, "yesno", required)
    if kind == "integer":
        return Widget(category, field, "integer", required, maximum=spec.get("maximum"))
    if kind == "string" and spec.get("format") == "date":
        return Widget(category, field, "date", required)
    if kind == "array" and "enum" in spec.get("items", {}):
        return Widget(category, field, "checkboxes", required, tuple(str(v) for v in spec["items"]["enum"]))
    if kind == "array" and spec.get("items", {}).get("type") == "integer":
        return Widget(category, field, "numbers", required)
    if kind == "string":
        return Widget(category, field, "text", required, maximum=spec.get("maxLength"))
    return None


def parse(form: FormData, forms: dict[str, list[Widget]]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """The answer `{category: {field: value}}` from the posted form (categories left empty are not answered),
    and the errors as (field id, Dutch message)."""
    values: dict[str, dict[str, Any]] = {}
    errors: list[tuple[str, str]] = []
    for category, fields in forms.items():
        given: dict[str, Any] = {}
        for widget in fields:
            if widget.kind == "checkboxes":
                chosen = [v for v in form.getlist(widget.name) if v in widget.options]
                if chosen:
                    given[widget.field] = chosen
                continue
            raw = str(form.get(widget.name, "")).strip()
            if not raw:
                continue
            if widget.kind == "choice":
                if raw not in widget.options:
                    errors.append((widget.id, "Kies een waarde uit de lijst."))
                    continue
                given[widget.field] = raw
            elif widget.kind == "yesno":
                if raw not in ("ja", "nee"):
                    errors.append((widget.id, "Kies ja of nee."))
                    continue
                given[widget.field] = raw == "ja"
            elif widget.kind == "integer":
                try:
                    given[widget.field] = int(raw)
                except ValueError:
                    errors.append((widget.id, "Vul een heel getal in."))
            elif widget.kind == "numbers":
                try:
                    given[widget.field] = [int(part) for part in raw.replace(",", " ").split()]
                except ValueError:
                    errors.append((widget.id, "Vul hele getallen in, gescheiden door komma's."))
            else:
                given[widget.field] = raw
        if given:
            missing = [w for w in fields if w.required and w.field not in given]
            for widget in missing:
                errors.append((widget.id, "Dit veld is verplicht als u deze categorie beantwoordt."))
            values[category] = given
    if not values and not errors:
        errors.append(("antwoord", "Vul voor ten minste één categorie iets in."))
    return values, errors


def schema_errors(errors: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The service's schema errors (`values.<category>.<field>...`, hub.policy.catalogue.schema_errors) as
    (field id, Dutch message), tied to the generated field; a whole-category error to the form."""
    out = []
    for error in errors:
        parts = error.get("field", "").split(".")
        if len(parts) >= 3:
            out.append((Widget(parts[1], parts[2], "text", False).id, "Deze waarde past niet bij het veld."))
        else:
            out.append(("antwoord", "Het antwoord voldoet niet aan de vorm van de categorie."))
    return out or [("antwoord", "Het antwoord voldoet niet aan de vorm van de categorie.")]
