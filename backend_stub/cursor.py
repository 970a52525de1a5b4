"""Opaque keyset cursors: base64url of a small JSON array. A cursor that does not decode is a 400."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from backend_stub.errors import invalid
from backend_stub.schemas import MAX_ID

T = TypeVar("T")


def encode(*values: object) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def page(rows: Sequence[T], limit: int, key: Callable[[T], tuple]) -> tuple[list[T], str | None]:
    """The first `limit` of `rows` (a keyset query fetches limit + 1) and the cursor to the next page, made
    from `key` of the page's last row; None on the last page."""
    if len(rows) <= limit:
        return list(rows), None
    kept = list(rows[:limit])
    return kept, encode(*key(kept[-1]))


def _decode(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _bad() from exc
    if not isinstance(value, list):
        raise _bad()
    return value


def _bad():  # type: ignore[no-untyped-def]
    return invalid(
        "That cursor is not one this server gave out: start again from the first page.",
        "cursor",
        code="invalid_cursor",
    )


def _id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise _bad()
    return value


def decode_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    value = _decode(cursor)
    if len(value) != 1:
        raise _bad()
    return _id(value[0])


def decode_date_id(cursor: str | None) -> tuple[date, int] | None:
    return _decode_stamp_id(cursor, date.fromisoformat)


def decode_date_id_count(cursor: str | None, scope: str) -> tuple[tuple[date, int] | None, int | None]:
    """A keyset cursor of (ISO date, id) and the list's count it carries, made by `encode(day, id, count,
    scope)`: the count of the list's first page, so the other pages need not count again. A cursor made for
    another `scope` (other filters) or without a count still pages, and the list is counted again."""
    if cursor is None:
        return None, None
    value = _decode(cursor)
    if len(value) == 4:
        count, made_for = value[2], value[3]
        value = value[:2]
        if not (isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_ID):
            raise _bad()
        if made_for != scope:
            count = None
    else:
        count = None
    return _stamp_id(value, date.fromisoformat), count


def decode_datetime_id(cursor: str | None) -> tuple[datetime, int] | None:
    return _decode_stamp_id(cursor, datetime.fromisoformat)


def _decode_stamp_id(cursor: str | None, parse: Callable[[str], T]) -> tuple[T, int] | None:
    """A keyset cursor of (ISO date or time, id); anything else a client sends is a 400."""
    if cursor is None:
        return None
    return _stamp_id(_decode(cursor), parse)


def _stamp_id(value: list, parse: Callable[[str], T]) -> tuple[T, int]:
    if len(value) != 2 or not isinstance(value[0], str):
        raise _bad()
    try:
        stamp = parse(value[0])
    except ValueError as exc:
        raise _bad() from exc
    return stamp, _id(value[1])
