"""Cursor (keyset) pagination for every list.

A route takes `PageParams` (a named dependency: `?cursor=...&limit=...`), the repository builds its
filtered, ordered statement, and `paginate()` applies the cursor and returns a `Page`:

    page = paginate(session, statement, (Case.created_at, Case.id), params)
    return Page[CasePublic](items=[...], next_cursor=page.next_cursor)

The cursor is opaque to clients (base64url JSON of the last row's sort key); it only moves a position
inside a list that the repository has already filtered, so a forged cursor shows nothing extra. The
order is descending on the key columns, newest first; the last column must be unique (an id).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from hub.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")
Row = TypeVar("Row")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next one (null: the end)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Opaque; null on the last page.")


@dataclass(frozen=True, slots=True)
class PageParams:
    cursor: str | None
    limit: int


def page_params(
    cursor: Annotated[str | None, Query(max_length=512, description="Opaque cursor from `next_cursor`.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(cursor=cursor, limit=limit)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True, slots=True)
class Slice(Generic[Row]):
    rows: list[Row]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, columns: tuple[Any, ...]) -> list[Any]:
    """The sort key in a cursor, typed like `columns`; a malformed cursor is a 422 naming `cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong shape")
        return [_from_json(v, c) for v, c in zip(values, columns, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "De cursor is ongeldig; gebruik next_cursor uit het vorige antwoord.", field="cursor"
        ) from exc


def paginate(
    session: Session, statement: SelectOfScalar[Row], columns: tuple[Any, ...], params: PageParams
) -> Slice[Row]:
    """Rows after the cursor, newest first by `columns`, at most `params.limit`, and the next cursor."""
    if params.cursor:
        statement = statement.where(_after(columns, decode_cursor(params.cursor, columns)))
    statement = statement.order_by(*(c.desc() for c in columns)).limit(params.limit + 1)
    rows = list(session.exec(statement))
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, c.key) for c in columns])
    return Slice(rows=rows, next_cursor=next_cursor)


def _after(columns: tuple[Any, ...], values: list[Any]) -> ColumnElement[bool]:
    """Keyset condition for descending order: (a, b) < (x, y), written out for every database."""
    head, *rest = columns
    if not rest:
        return head < values[0]
    return or_(head < values[0], and_(head == values[0], _after(tuple(rest), values[1:])))


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _from_json(value: Any, column: Any) -> Any:
    python_type = column.type.python_type
    if python_type is datetime:
        parsed = datetime.fromisoformat(value)
        return parsed
    if python_type is date:
        return date.fromisoformat(value)
    if not isinstance(value, python_type):
        raise TypeError("cursor value of the wrong type")
    return value
