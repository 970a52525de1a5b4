"""Step 1's invoices: each selected invoice as a line (paid in full unless edited) and the table of them.

The table only shows lines and says which row a key was pressed on (its messages); the step that
owns the lines decides what that does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui.money import format_cents
from tui.widgets.formatting import format_date, plural

if TYPE_CHECKING:
    from tui.api import InvoiceRow


@dataclass
class InvoiceLine:
    """One selected invoice in step 1: paid in full unless its amount was edited."""

    row: InvoiceRow
    amount_cents: int
    included: bool = True

    @property
    def edited(self) -> bool:
        return self.amount_cents != self.row.balance_cents


class PayInvoicesTable(DataTable[object]):
    """The selected invoices with what each pays; Space and Ctrl+E post ToggleLine and EditLine."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space", "toggle_line", "Pay/skip", id="pay.toggle_invoice", tooltip="Pay or skip this invoice"
        ),
        Binding(
            "ctrl+e", "edit_line", "Edit amount", id="pay.edit_amount", tooltip="Pay part of this invoice"
        ),
    ]

    class ToggleLine(Message):
        """Pay or skip the line under the cursor."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class EditLine(Message):
        """Edit what the line under the cursor pays."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def action_toggle_line(self) -> None:
        if self.row_count:
            self.post_message(self.ToggleLine(self.cursor_row))

    def action_edit_line(self) -> None:
        if self.row_count:
            self.post_message(self.EditLine(self.cursor_row))

    def show(self, lines: list[InvoiceLine]) -> None:
        """Draw the lines again, keeping the cursor on the same row."""
        if not self.columns:
            self.add_columns("Invoice", "Due", "Balance", "Paying")
        cursor = self.cursor_row
        self.clear()
        for index, line in enumerate(lines):
            row = line.row
            name = row.number + (f" ({plural(row.children_count, 'site')})" if row.is_multi_site else "")
            if not line.included:
                paying = Text("skip", style="dim", justify="right")
            else:
                paying = Text(
                    format_cents(line.amount_cents) + (" *" if line.edited else ""), justify="right"
                )
            self.add_row(
                Text(name),
                format_date(row.due_on),
                Text(format_cents(row.balance_cents), justify="right"),
                paying,
                key=str(index),
            )
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)
