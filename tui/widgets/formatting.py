"""How dates and statuses read on screen; money comes from tui.money.format_cents."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rich.cells import cell_len
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


ELLIPSIS = "…"
# A method's name, its last 4, and what may follow them: a note in brackets (" (pending)"), kept too.
_LAST4 = re.compile(r"(?P<name>.*?)(?P<tail> •••• \d{4}(?: \([^()]*\))?)$")


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, ending in "…" when something was left out."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    kept = ""
    for char in text:
        if cell_len(kept + char) > width - 1:
            break
        kept += char
    return kept.rstrip() + ELLIPSIS


def cut_name(label: str, width: int) -> str:
    """A method's label in `width` cells: the name is cut, the last 4 digits never.

    "Cascade Community Bank •••• 6789" at 20 -> "Cascade Com… •••• 6789", and a note after the digits
    stays with them ("Payment, Cascade Communit… •••• 6789 (pending)"); a label with two methods
    ("Visa •••• 4242 + Paydesk Test Bank •••• 2227") shares the room and keeps both last 4s.
    A label without last 4 digits is cut as any text.
    """
    if cell_len(label) <= width:
        return label
    parts = label.split(" + ")
    if len(parts) > 1:
        left = max(0, width - 3 * (len(parts) - 1))
        rooms: dict[int, int] = {}
        for done, index in enumerate(sorted(range(len(parts)), key=lambda i: cell_len(parts[i]))):
            rooms[index] = min(cell_len(parts[index]), left // (len(parts) - done))  # short ones whole
            left -= rooms[index]
        return " + ".join(cut_name(part, rooms[i]) for i, part in enumerate(parts))
    match = _LAST4.match(label)
    if match is None:
        return cut(label, width)
    tail = match["tail"]
    name_room = max(1, width - cell_len(tail))
    return cut(match["name"], name_room) + tail


def without_reference(description: str, reference: str, width: int) -> str:
    """A statement line's words in `width` cells. When the reference (shown in its own column) makes
    the words too long, it is left out of them rather than cut: "Fees on payment PD-VVGCR7E6" ->
    "Fees on payment", "Fees on payment PD-… not charged" -> "Fees on payment not charged"; last 4
    digits are kept as in `cut_name`."""
    if cell_len(description) <= width:
        return description
    if reference and f" {reference}" in description:
        description = description.replace(f" {reference}", "", 1)
    return cut_name(description, width)


def spare_width(total: int, columns: list[list[str]], padding: int = 2) -> int:
    """What is left of `total` cells for one more table column after these columns (each the widest of
    its header and cells, plus the cell padding) and that column's own padding."""
    used = sum(max((cell_len(cell) for cell in column), default=0) + padding for column in columns)
    return total - used - padding
