"""Strict JSON Schemas of the policy DATA files, checked whenever the policies are read (start-up, reload,
`hub policy check`, the remote PDP and the OPA stand-in all read through `bundle.read_source`).

The request policy decides with these facts (a category's sensitivity, holders and whether it needs a
signalled risk; an activity's direction and categories; the case states), so an incomplete or mistyped
data file is refused like a syntax error and the running bundle stays in force. The Rego is written as an
allow-list as well (policies/dt/request.rego), so a fact that is missing anyway denies. The schemas live
here and not under policies/, where OPA would load them as data.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

SENSITIVITIES = ["personal", "special", "criminal", "police"]
# "internal": the hub processes for itself (monitoring); no exchange may run under it (exchange_not_activity).
DIRECTIONS = ["request", "provide", "internal"]
CONFIDENTIALITY = ["confidential", "strictly_confidential"]

_IDENTIFIER = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXT = {"type": "string", "minLength": 1}
_IDENTIFIERS = {"type": "array", "items": _IDENTIFIER, "minItems": 1, "uniqueItems": True}


def _record(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all required except `optional`."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _map_of(value: dict[str, Any]) -> dict[str, Any]:
    """An object whose keys are identifiers and whose values are `value`; at least one entry."""
    return {"type": "object", "minProperties": 1, "propertyNames": _IDENTIFIER, "additionalProperties": value}


LEGAL_BASIS = _record({"law": _TEXT, "abbreviation": _TEXT, "article": _TEXT, "note": _TEXT}, optional=("note",))

ACTIVITY = _record(
    {
        "id": _IDENTIFIER,
        "version": _TEXT,
        "name": _TEXT,
        "purpose": _TEXT,
        "direction": {"enum": DIRECTIONS},
        "legal_basis": {"type": "array", "items": LEGAL_BASIS, "minItems": 1},
        "legal_basis_text": _TEXT,
        "categories": _IDENTIFIERS,
        "retention_days": {"type": "integer", "minimum": 1},
        "confidentiality": {"enum": CONFIDENTIALITY},
    }
)

REGISTER = _record({"version": _TEXT, "activities": _map_of(ACTIVITY)})

CATEGORY = _record(
    {
        "name": _TEXT,
        "holders": _IDENTIFIERS,
        "sensitivity": {"enum": SENSITIVITIES},
        "requires_signalled_risk": {"type": "boolean"},
        "fields": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True},
    }
)

CATALOGUE = _record({"version": _TEXT, "categories": _map_of(CATEGORY)})

CASE_STATE = _record({"open": {"type": "boolean"}, "before_weighing": {"type": "boolean"}})

REFERENCE = _record(
    {
        "roles": _IDENTIFIERS,
        "municipal_roles": _IDENTIFIERS,
        "case_states": _map_of(CASE_STATE),
        "consent_values": {
            "type": "array",
            "items": {"enum": ["yes", "no", "unknown"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "risk_values": {"type": "array", "items": {"enum": ["none", "signalled"]}, "minItems": 1, "uniqueItems": True},
        "reasons": _map_of(_record({"explanation": _TEXT})),
        "municipality_regions": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^GM[0-9]{4}$"},
            "additionalProperties": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        },
    }
)

# The municipality of origin (issue 16): its statuses (settled or not, and the reason a request to a
# municipality waits) and the registers of reasons to determine and to contest it, with Dutch labels.
_REASON_ENTRY = _record({"name": _TEXT, "rule": _TEXT})
ORIGIN = _record(
    {
        "version": _TEXT,
        "statuses": _map_of(
            {
                "oneOf": [
                    _record({"settled": {"const": True}, "name": _TEXT}),
                    _record({"settled": {"const": False}, "name": _TEXT, "reason": _IDENTIFIER}),
                ]
            }
        ),
        "reasons": _map_of(_REASON_ENTRY),
        "contest_reasons": _map_of(_REASON_ENTRY),
    }
)

# Each category's answer schema is itself checked as a JSON Schema (below).
ANSWER_SCHEMAS = _record({"version": _TEXT, "schemas": _map_of({"type": "object"})})

# Place in `data` -> schema. Every one of these files must exist.
DATA_SCHEMAS: dict[tuple[str, ...], dict[str, Any]] = {
    ("dt", "register"): REGISTER,
    ("dt", "catalogue"): CATALOGUE,
    ("dt", "reference"): REFERENCE,
    ("dt", "schemas"): ANSWER_SCHEMAS,
    ("dt", "origin"): ORIGIN,
}

_VALIDATORS = {place: Draft202012Validator(schema) for place, schema in DATA_SCHEMAS.items()}


def data_errors(data: dict[str, Any]) -> list[str]:
    """Where the policy data breaks its schemas or its cross-references: one line per problem (path and
    rule, never more than the path), empty when the data is sound."""
    errors: list[str] = []
    for place, validator in _VALIDATORS.items():
        node: Any = data
        for part in place:
            node = node.get(part) if isinstance(node, dict) else None
        name = "/".join(place) + "/data.json"
        if node is None:
            errors.append(f"{name}: missing")
            continue
        for error in sorted(validator.iter_errors(node), key=lambda e: [str(p) for p in e.absolute_path]):
            path = "/".join(str(p) for p in error.absolute_path) or "(root)"
            errors.append(f"{name}: {path}: {error.validator} ({error.message[:120]})")
    if not errors:
        errors.extend(_cross_errors(data["dt"]))
    return errors


def _cross_errors(dt: dict[str, Any]) -> list[str]:
    """What one file says about another: holders are roles, an activity's categories are in the catalogue,
    every category has an answer schema, every answer schema is a valid JSON Schema, and every reason an
    unsettled origin gives has its Dutch explanation."""
    roles = set(dt["reference"]["roles"])
    categories = dt["catalogue"]["categories"]
    schemas = dt["schemas"]["schemas"]
    errors = [
        f"dt/reference/data.json: municipal_roles: {r} is not a role"
        for r in dt["reference"]["municipal_roles"]
        if r not in roles
    ]
    for key, entry in categories.items():
        errors.extend(
            f"dt/catalogue/data.json: categories/{key}/holders: {h} is not a role"
            for h in entry["holders"]
            if h not in roles
        )
        if key not in schemas:
            errors.append(f"dt/schemas/data.json: schemas: {key} has no answer schema")
    for key, entry in dt["register"]["activities"].items():
        if entry["id"] != key:
            errors.append(f"dt/register/data.json: activities/{key}/id: differs from its key")
        errors.extend(
            f"dt/register/data.json: activities/{key}/categories: {c} is not in the catalogue"
            for c in entry["categories"]
            if c not in categories
        )
    errors.extend(
        f"dt/origin/data.json: statuses/{key}/reason: {entry['reason']} has no explanation in dt/reference"
        for key, entry in dt["origin"]["statuses"].items()
        if "reason" in entry and entry["reason"] not in dt["reference"]["reasons"]
    )
    for key, schema in schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            errors.append(f"dt/schemas/data.json: schemas/{key}: not a valid JSON Schema ({exc.message[:120]})")
    return errors
