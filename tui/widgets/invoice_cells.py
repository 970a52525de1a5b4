"""What one row of the invoice table shows: plain functions of the row and how it is drawn."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from tui.api import InvoiceRow
from tui.money import format_cents
from tui.widgets.formatting import format_date, plural, status_label

MARK = "● "  # a selected invoice
SITE_WIDTH_COMPACT = 14  # an 80-column table shortens site names to this


def number_cell(row: InvoiceRow, *, child: bool, selected: bool) -> Text:
    """The invoice number, marked when selected; a site invoice hangs under its parent."""
    mark = MARK if selected else ""
    if child:
        return Text("└ " + mark + row.number, style="dim" if not mark else "")
    return Text(mark + row.number, style="bold" if mark else "")


def invoice_cells(
    row: InvoiceRow,
    *,
    child: bool,
    selected: bool,
    expanded: bool,
    compact: bool,
    theme: Mapping[str, str],
) -> tuple[str | Text, ...]:
    """Number, site, issued (not when `compact`), due, amount, balance and status, styled by `theme`."""
    site_name = row.site.name if row.site else ""
    if compact and len(site_name) > SITE_WIDTH_COMPACT:
        site_name = site_name[: SITE_WIDTH_COMPACT - 1] + "…"
    if not child and row.is_multi_site:
        site = f"{'▾' if expanded else '▸'} {plural(row.children_count, 'site')}"
    else:
        site = site_name
    label = status_label(row.status, row.past_due)
    if row.past_due and row.status == "open":
        status = Text(label, style=f"bold {theme.get('error', 'red')}")
    elif row.status == "paid":
        status = Text(label, style=theme.get("success", "green"))
    elif row.status == "in_progress":
        status = Text(label, style=theme.get("warning", "yellow"))
    else:
        status = Text(label)
    issued = () if compact else (format_date(row.issued_on),)
    return (
        number_cell(row, child=child, selected=selected),
        site,
        *issued,
        format_date(row.due_on),
        Text(format_cents(row.amount_cents), justify="right"),
        Text(format_cents(row.balance_cents), justify="right"),
        status,
    )
