"""What the routes share: the documented error answers (the OpenAPI document lists them) and the paging
query parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from backend_stub.schemas import MAX_LIMIT, ErrorBody, PlainLine

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, 1..200.")]
# A list's `?cursor=` (the route's parameter is `cursor_`: the name `cursor` is the module that decodes it).
CursorQuery = Annotated[
    PlainLine | None,
    Query(alias="cursor", min_length=1, max_length=512, description="The `next_cursor` of the page before."),
]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Bad input: `param` names the field.",
        401: "Not signed in, or a wrong or expired code.",
        403: "Not allowed for this role.",
        404: "No such resource (or not yours).",
        429: "Too many tries or requests.",
        503: "The server cannot reach its database.",
    }
    return {status: {"model": ErrorBody, "description": text[status]} for status in statuses}
