"""Step 3, review and pay: the server's quote (what is paid, every fee, the total) and, for a clerk
taking the payment by phone, the words to read to the customer before their "yes".

The words come from the server (the quote's `script`: the same words it emails for a phone bank
payment). A server without them gets the words below, written as the backend writes them today.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from tui.money import format_cents
from tui.widgets.formatting import format_date
from tui.widgets.payment_view import BUSINESS_PHONE, quote_view

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from tui.api import PaymentPart, Quote

READ_ALOUD = "Read this to the customer:"


def phone_script(today: dt.date | None, customer_name: str, amount_cents: int, last4: str) -> str:
    """The words (NACHA TEL) a clerk reads before a bank payment by phone, as plain text."""
    when = format_date(today, empty="today")
    return (
        f"Today, {when}, you, {customer_name}, authorize Paydesk to debit "
        f"{format_cents(amount_cents)} once from your bank account ending in {last4}. It settles in 3 "
        f"business days. To revoke this authorization, call {BUSINESS_PHONE} before it settles. "
        "Do you agree?"
    )


def card_words(part: PaymentPart) -> str:
    """The words a clerk reads before a card part: its amount, each fee and whether it is refunded."""
    ending = f"the card ending in {part.method.last4}" if part.method.last4 else "the card"
    words = f"You are paying {format_cents(part.amount_cents)} with {ending}."
    for fee in part.fees:
        refund = "refundable" if fee.refundable else "not refundable"
        words += f" A {fee.kind} fee of {format_cents(fee.amount_cents)} is added, and it is {refund}."
    if part.fee_cents:
        total = format_cents(part.amount_cents + part.fee_cents)
        words += f" In all, {total} is charged to the card today."
    return words + " Do you agree?"


def fallback_words(quote: Quote, customer_name: str, today: dt.date | None) -> list[str]:
    """Today's words, one paragraph per part, for a server whose quote carries no `script`."""
    paragraphs = []
    for part in quote.parts:
        if part.method.type == "ach":
            last4 = part.method.last4 or "????"
            paragraphs.append(phone_script(today, customer_name, part.amount_cents, last4))
        else:
            paragraphs.append(card_words(part))
    return paragraphs


def words_markup(paragraphs: list[str]) -> str:
    """The paragraphs to read, as markup: the server's text escaped, each paragraph quoted."""
    quoted = "\n\n".join(f"“{escape(paragraph)}”" for paragraph in paragraphs)
    return f"[b]{READ_ALOUD}[/b]\n{quoted}"


class ReviewStep(VerticalScroll):
    def __init__(self, *, id: str, classes: str) -> None:
        super().__init__(id=id, classes=classes)
        self.words: list[str] = []  # the paragraphs read aloud on this review (none for a customer)

    def compose(self) -> ComposeResult:
        # The words first: the clerk reads them as the step opens, the figures they name follow.
        script = Static("", id="phone-script")
        script.display = False
        yield script
        yield Static("", id="review-body")

    def show(self, quote: Quote, *, by_phone: bool, customer_name: str, today: dt.date | None) -> None:
        """The quote; for a clerk, the words to read aloud (the server's, else today's)."""
        self.query_one("#review-body", Static).update(quote_view(quote))
        script = self.query_one("#phone-script", Static)
        script.display = by_phone
        self.words = []
        if by_phone:
            self.words = (
                list(quote.script.paragraphs)
                if quote.script is not None and quote.script.paragraphs
                else fallback_words(quote, customer_name, today)
            )
            script.update(words_markup(self.words))
        self.scroll_home(animate=False)
