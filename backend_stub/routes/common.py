"""What the routes share: the documented error answers (the OpenAPI document lists them, with the codes of
the rules no schema can state), the paging query parameters and the Idempotency-Key header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Header, Query

from backend_stub.schemas import MAX_LIMIT, ErrorBody, PlainLine

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, 1..200.")]
# A list's `?cursor=` (the route's parameter is `cursor_`: the name `cursor` is the module that decodes it).
CursorQuery = Annotated[
    PlainLine | None,
    Query(alias="cursor", min_length=1, max_length=512, description="The `next_cursor` of the page before."),
]
# Checked by idempotency.check_key (400 idempotency_key_missing, missing or not 1..255 printable ASCII,
# not only spaces); the document marks it required (app._openapi) and states the same bounds.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="1..255 printable ASCII; the same on retries. Required: without it the answer is 400.",
        json_schema_extra={"minLength": 1, "maxLength": 255, "pattern": r"^[ -~]*[!-~][ -~]*$"},
    ),
]

# A rule a schema cannot state, by the `code` of its error: the operation's documented answer names it.
Rules = Mapping[int, Mapping[str, str]]

_KEY_REUSED = {"idempotency_key_reused": "a key is used again only with the same body (a retry)"}
_TEXT = {
    400: "Bad input: `param` names the field.",
    401: "Not signed in, or a wrong or expired code.",
    402: "Declined or refused by a payment limit.",
    403: "Not allowed for this role.",
    404: "No such resource (or not yours).",
    409: "A conflict with the state of things: see `code`.",
    422: "The Idempotency-Key was used before with another body.",
    429: "Too many tries or requests.",
    503: "The server cannot reach its database.",
}


def errors(*statuses: int, rules: Rules | None = None) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of an operation. `rules` names, per status, the codes of the rules
    the schema cannot state (a Luhn check, a due date, a fee): they are listed in the answer's description
    and under `x-error-codes`, so a client (and the schemathesis suite) can tell a schema-valid request
    refused by a rule from one the schema should have refused."""
    merged = {status: dict(codes) for status, codes in (rules or {}).items()}
    documented: dict[int | str, dict[str, Any]] = {}
    if 422 in statuses:  # the one 422 there is
        merged.setdefault(422, {}).update(_KEY_REUSED)
    for status in sorted(set(statuses) | set(merged)):
        entry: dict[str, Any] = {"model": ErrorBody, "description": _TEXT[status]}
        codes = merged.get(status)
        if codes:
            words = "; ".join(f"`{code}`: {why}" for code, why in sorted(codes.items()))
            entry["description"] += f" Refused by a rule the schema cannot state: {words}."
            entry["x-error-codes"] = sorted(codes)
        documented[status] = entry
    return documented
