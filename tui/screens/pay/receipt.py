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

    def show(self, payment: Payment) -> None:
        made = "received" if payment.status == "pending" else "made"
        self.query_one("#receipt-title", Static).update(
            f"[b]Thank you — your payment of {format_cents(payment.total_cents)} was {made}.[/b]"
        )
        self.query_one("#receipt-body", Static).update(payment_view(payment))
