"""Shared by every wire model: the base class, UTC times, text patterns, id and page bounds, errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Times go out as UTC ISO 8601 with a Z; the database holds naive UTC.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str, when_used="json"),
]
# No control characters anywhere (PostgreSQL refuses NUL in text; none belongs in these fields).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
PLAIN_TEXT = r"^[^\x00-\x1f]*$"
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["dana@example.com"])
]
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
