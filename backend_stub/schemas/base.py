"""Shared by every wire model: the base class, UTC times, text patterns, id and page bounds, errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.fields import FieldInfo

# Times go out as UTC ISO 8601 with a Z; the database holds naive UTC.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str, when_used="json"),
]
# -- the text rule ---------------------------------------------------------------------------------
# No control character in any text a client sends (PostgreSQL refuses NUL in text; none belongs in a
# name, a number or a message): the Unicode control characters (C0, DEL, C1) are refused everywhere,
# except newline and tab in the multi-line fields (a message, a note). Lone surrogates (a JSON "\ud800"
# that no UTF-8 database can store) are refused too. The patterns state the rule in the document; the
# validator enforces it with a message that names the field. Whitespace is spelled out (no `\s`): regex
# engines disagree about what `\s` means, and the document must say exactly what the server takes.
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_LINE_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f"  # the same, less tab (\x09) and newline (\x0a)
# What str.strip() takes away besides control characters: a field that is trimmed needs one other.
_BLANK = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = _BLANK + r"\ufeff"  # and a zero-width no-break space, in an email address
PLAIN_TEXT = rf"^[^{_CONTROL}]*$"  # one line of text
MULTILINE_TEXT = rf"^[^{_LINE_CONTROL}]*$"  # lines of text: newline and tab allowed
PLAIN_TEXT_NOT_BLANK = rf"^[^{_CONTROL}]*[^{_CONTROL}{_BLANK}][^{_CONTROL}]*$"
MULTILINE_TEXT_NOT_BLANK = rf"^[^{_LINE_CONTROL}]*[^{_CONTROL}{_BLANK}][^{_LINE_CONTROL}]*$"
_EMAIL_PART = rf"[^@{_SPACE}{_CONTROL}]+"
EMAIL_PATTERN = rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"
_SURROGATE = r"\ud800-\udfff"


def text_rule(lines: bool, blank: bool) -> tuple[AfterValidator, FieldInfo]:
    refused = re.compile(rf"[{_LINE_CONTROL if lines else _CONTROL}{_SURROGATE}]")
    what = "other than line breaks and tabs" if lines else "(NUL, a tab, a line break)"

    def check(value: str) -> str:
        if refused.search(value):
            raise ValueError(f"use plain text: no control characters {what}")
        if not blank and not value.strip():
            raise ValueError("enter some text, not only spaces")
        return value

    pattern = {
        (False, True): PLAIN_TEXT,
        (True, True): MULTILINE_TEXT,
        (False, False): PLAIN_TEXT_NOT_BLANK,
        (True, False): MULTILINE_TEXT_NOT_BLANK,
    }[(lines, blank)]
    return AfterValidator(check), Field(json_schema_extra={"pattern": pattern})


# The one rule, as types: a field narrows them with its own Field(max_length=..., examples=...). The
# validators run on the text as sent, before any trimming a route does.
PlainLine = Annotated[str, *text_rule(lines=False, blank=True)]
PlainLines = Annotated[str, *text_rule(lines=True, blank=True)]
FilledLine = Annotated[str, *text_rule(lines=False, blank=False)]  # trimmed by the route: never blank
FilledLines = Annotated[str, *text_rule(lines=True, blank=False)]
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["dana@example.com"])
]


def omittable(**constraints: Any) -> Any:
    """A field a client may leave out but never sends as null (the server refuses a null): None in
    Python when left out (the route reads `model_fields_set`), not nullable in the document."""
    return Field(default=None, **constraints)


MAX_ID = 2**31 - 1  # ids are INTEGER columns (int4 on PostgreSQL)
MAX_LIMIT = 200


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- errors ---------------------------------------------------------------------------------------
class ErrorDetail(Model):
    type: Literal[
        "invalid_request",
        "authentication",
        "permission",
        "not_found",
        "conflict",
        "rate_limited",
        "payment",
        "server",
    ]
    code: str
    message: str
    param: str | None = None


class ErrorBody(Model):
    error: ErrorDetail
