"""The receipt: what was paid, how, and the confirmation number, from the server's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.money import format_cents
from tui.widgets.payment_view import (
    allocations_table,
    parts_view,
    payment_facts,
    pending_note,
    totals,
)

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from tui.api import Payment


def receipt_view(payment: Payment) -> RenderableType:
    """The facts beside Payment/Fees/Total, then the bank's note, then the invoices and methods.

    At 80x24 the totals and the note are on screen above "Done" however many invoices were paid:
    the long lists come last and scroll.
    """
    top = Table.grid(padding=(0, 4))
    top.add_column()
    top.add_column()
    top.add_row(payment_facts(payment), totals(payment.amount_cents, payment.fees_cents, payment.total_cents))
    pieces: list[RenderableType] = [top]
    note = pending_note(payment)
    if note:
        pieces += [Text(""), Text(note, style="italic")]
    pieces += [
        Text(""),
        allocations_table(payment.allocations, payment.credit_cents),
        Text(""),
        parts_view(payment.parts, show_status=len(payment.parts) > 1),
    ]
    return Group(*pieces)


class ReceiptStep(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("", id="receipt-title")
        yield Static("", id="receipt-body")

    def show(self, payment: Payment, *, clerk: bool = False) -> None:
        made = "received" if payment.status == "pending" else "made"
        amount = format_cents(payment.total_cents)
        # A clerk reads the receipt to the caller: it speaks about the customer, not to them.
        title = (
            f"The customer's payment of {amount} was {made}."
            if clerk
            else (f"Thank you — your payment of {amount} was {made}.")
        )
        self.query_one("#receipt-title", Static).update(f"[b]{title}[/b]")
        self.query_one("#receipt-body", Static).update(receipt_view(payment))
