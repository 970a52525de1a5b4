"""How dates and statuses read on screen; money comes from tui.money.format_cents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text

STATUS_LABELS = {"open": "Open", "in_progress": "In Progress", "paid": "Paid"}


def format_date(day: dt.date | None, empty: str = "—") -> str:
    """2026-11-22 -> "Nov 22, 2026" (the way the portals' help pages write dates)."""
    if day is None:
        return empty
    return day.strftime("%b %d, %Y").replace(" 0", " ")


def status_label(status: str, past_due: bool = False) -> str:
    if past_due and status == "open":
        return "Past Due"
    return STATUS_LABELS.get(status, status.replace("_", " ").title())


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def plain_cells(*cells: Any) -> tuple[Any, ...]:
    """Table cells with every string made a `Text`.

    DataTable and Rich's Table read a plain string as markup: a "[" in text from the server (an address,
    a line item) would be eaten, or raise. Renderables pass through as they are.
    """
    return tuple(Text(cell) if isinstance(cell, str) else cell for cell in cells)


def near_end(cursor_row: int, row_count: int, margin: int, next_cursor: str | None, loading: bool) -> bool:
    """Time to fetch the next page: the cursor is within `margin` rows of the end and there is more."""
    return cursor_row >= row_count - margin and bool(next_cursor) and not loading
