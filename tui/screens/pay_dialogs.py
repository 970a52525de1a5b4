"""The two questions before a payment is sent: accept the fees (their own dialog), or plainly confirm.

Both are `ModalScreen[bool]`: True sends the payment, False (Cancel or Escape) sends nothing.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Static

from tui.api import Quote
from tui.money import format_cents
from tui.screens.dialogs import Dialog
from tui.widgets.payment_view import fee_words


class _PayQuestion(Dialog[bool]):
    """A question before money moves: its body, then the yes button and Cancel (dismissed False)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pay_dialog.cancel", tooltip="Close without paying"),
    ]
    CANCELLED = False
    yes_label = "Pay"

    def body(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pay-dialog"):
            yield from self.body()
            with Horizontal(classes="buttons"):
                yield Button(self.yes_label, id="yes", variant="primary")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)


class FeeDialog(_PayQuestion):
    """The surcharge window of the real portals: the fee, its words, Accept and continue or Cancel."""

    yes_label = "Accept and continue"

    def __init__(self, quote: Quote) -> None:
        super().__init__()
        self.quote = quote

    def body(self) -> ComposeResult:
        quote = self.quote
        yield Static(f"A fee of {format_cents(quote.fees_cents)} applies", classes="dialog-title")
        for part in quote.parts:
            for fee in part.fees:
                line = f"{part.method.label}: {fee_words(fee)}"  # the words name the amount
                yield Static(escape(line), classes="fee-line")
        yield Static(
            f"Total charged: {format_cents(quote.total_cents)} "
            f"({format_cents(quote.amount_cents)} + {format_cents(quote.fees_cents)} in fees).",
            classes="fee-total",
        )
        yield Static("Declining the fee means no payment is made.", classes="hint")


def confirm_words(quote: Quote) -> str:
    """A bank debit is not "paid now": it is sent today and settles in 3 business days."""
    total = format_cents(quote.total_cents)
    banks = [part.method.label for part in quote.parts if part.method.type == "ach"]
    if not banks:
        return f"{total} will be paid now. There is no fee."
    return (
        f"{total} is sent from {' and '.join(banks)} today; bank payments take 3 business days "
        "to settle. There is no fee."
    )


class ConfirmDialog(_PayQuestion):
    """No fee to accept (a bank payment): one plain question before the money moves."""

    def __init__(self, quote: Quote) -> None:
        super().__init__()
        self.quote = quote
        self.yes_label = f"Pay {format_cents(quote.total_cents)}"

    def body(self) -> ComposeResult:
        yield Static("Make this payment?", classes="dialog-title")
        yield Static(escape(confirm_words(self.quote)), classes="fee-total")
