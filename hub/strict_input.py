"""`StrictInput`: the base of every request body model. Unknown fields are refused, and every text in the body
(a field, a list item, a key or value of a free-form object, at any depth) is refused when it holds a control
or an invisible formatting character (issue 12, item 13).

Such characters are later shown to people (a name in a municipality's inbox, a help question on a screen):
a NUL cuts the text short in some systems, and a right-to-left override (U+202E) shows it in another order
than it was written. Refused, with 422 naming the field, in every body:

- control characters (Unicode category Cc: C0, DEL, C1); a field marked `MultiLine` may hold tab and newline
  (and a carriage return directly before a newline, as an HTML form sends it);
- formatting characters (category Cf: the bidi embeddings, overrides and isolates, zero-width characters,
  the byte-order mark, the soft hyphen), the line and paragraph separators U+2028 and U+2029, and lone
  surrogates (which JSON's \\ud800 escapes can produce).

    class NoteIn(StrictInput):
        title: str
        text: Annotated[str, MultiLine]
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationInfo, field_validator

_ALWAYS_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_MULTI_LINE_ALLOWED = frozenset("\t\n")


class _MultiLine:
    def __repr__(self) -> str:
        return "MultiLine"


# Field marker: `text: Annotated[str, MultiLine]`, or `Annotated[str | None, MultiLine]` (on the field itself,
# not inside a union): the text may hold tabs and line breaks.
MultiLine = _MultiLine()


def hidden_character(text: str, *, multi_line: bool = False) -> str | None:
    """The first refused character of `text` as `U+XXXX`, or None when the text is clean."""
    for index, char in enumerate(text):
        if unicodedata.category(char) not in _ALWAYS_REFUSED_CATEGORIES:
            continue
        if multi_line and (char in _MULTI_LINE_ALLOWED or (char == "\r" and text[index + 1 : index + 2] == "\n")):
            continue
        return f"U+{ord(char):04X}"
    return None


def _check(value: Any, multi_line: bool) -> None:
    if isinstance(value, str):
        found = hidden_character(value, multi_line=multi_line)
        if found is not None:
            kind = "een stuurteken of onzichtbaar opmaakteken"
            allowed = " (alleen tab en regeleinde zijn hier toegestaan)" if multi_line else ""
            raise ValueError(f"De tekst bevat {kind} ({found}){allowed}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, False)
            _check(item, multi_line)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, multi_line)
    elif isinstance(value, SecretStr):
        _check(value.get_secret_value(), False)
    # A nested StrictInput model checked its own fields; numbers, dates, enums of fixed values hold no text.


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_hidden_characters(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multi_line = field is not None and any(isinstance(m, _MultiLine) for m in field.metadata)
        _check(value, multi_line)
        return value
