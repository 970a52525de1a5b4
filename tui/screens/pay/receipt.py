"""The receipt: what was paid, how, and the confirmation number, from the server's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.money import format_cents
from tui.widgets.payment_view import payment_view

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from tui.api import Payment


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
        self.query_one("#receipt-body", Static).update(payment_view(payment))
