"""Python access to the category catalogue: `policies/dt/catalogue/data.json` (holders, sensitivity,
fields; what the policy decides with) and `policies/dt/schemas/data.json` (the JSON Schema of each
category's answer, to validate what a responder sends). Both are part of the policy bundle and its
revision; this module only reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator

Sensitivity = Literal["personal", "special", "criminal", "police"]

CATALOGUE_FILE = Path("dt") / "catalogue" / "data.json"
SCHEMAS_FILE = Path("dt") / "schemas" / "data.json"


class UnknownCategory(KeyError):
    """The category is not in the catalogue."""


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str  # Dutch, shown to people
    holders: frozenset[str]
    sensitivity: Sensitivity
    requires_signalled_risk: bool
    schema: dict[str, Any]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.schema.get("properties", {}))


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    categories: dict[str, Category]

    def get(self, category: str) -> Category:
        try:
            return self.categories[category]
        except KeyError:
            raise UnknownCategory(category) from None

    def schema_for(self, category: str) -> dict[str, Any]:
        return self.get(category).schema

    def validator_for(self, category: str) -> Draft202012Validator:
        return Draft202012Validator(self.schema_for(category), format_checker=Draft202012Validator.FORMAT_CHECKER)

    def holders(self, category: str) -> frozenset[str]:
        return self.get(category).holders

    def sensitivity(self, category: str) -> Sensitivity:
        return self.get(category).sensitivity


def _policies_dir(policies_dir: Path | None) -> Path:
    if policies_dir is not None:
        return Path(policies_dir)
    from hub.config import get_settings

    return get_settings().policies_dir


class CatalogueError(ValueError):
    """The catalogue files disagree with each other."""


@lru_cache(maxsize=8)
def _load(policies_dir: Path) -> Catalogue:
    raw = json.loads((policies_dir / CATALOGUE_FILE).read_text(encoding="utf-8"))
    schemas = json.loads((policies_dir / SCHEMAS_FILE).read_text(encoding="utf-8"))["schemas"]
    categories = {}
    for key, entry in raw["categories"].items():
        schema = schemas[key]
        Draft202012Validator.check_schema(schema)
        if set(schema.get("properties", {})) != set(entry["fields"]):
            raise CatalogueError(f"{key}: the schema's properties differ from the catalogue's fields")
        categories[key] = Category(
            key,
            entry["name"],
            frozenset(entry["holders"]),
            entry["sensitivity"],
            bool(entry.get("requires_signalled_risk", False)),
            schema,
        )
    return Catalogue(raw["version"], categories)


def get_catalogue(policies_dir: Path | None = None) -> Catalogue:
    """The catalogue as the policy files on disk hold it (cached until `invalidate()`)."""
    return _load(_policies_dir(policies_dir))


def schema_for(category: str, policies_dir: Path | None = None) -> dict[str, Any]:
    return get_catalogue(policies_dir).schema_for(category)


def schema_errors(category: str, value: Any, field: str) -> list[dict[str, str]]:
    """Where `value` breaks the category's JSON Schema: the field path (under `field`) and the rule, never
    the submitted value, so the list can go into a problem response and a log line."""
    validator = get_catalogue().validator_for(category)
    errors = []
    for error in sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
        path = ".".join(str(p) for p in error.absolute_path)
        errors.append({"field": field + (f".{path}" if path else ""), "rule": str(error.validator)})
    return errors


def holders(category: str, policies_dir: Path | None = None) -> frozenset[str]:
    return get_catalogue(policies_dir).holders(category)


def sensitivity(category: str, policies_dir: Path | None = None) -> Sensitivity:
    return get_catalogue(policies_dir).sensitivity(category)


def invalidate() -> None:
    """Forget the cached catalogue (after a policy reload)."""
    _load.cache_clear()
