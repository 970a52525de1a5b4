"""Step 3, review and pay: the server's quote (what is paid, every fee, the total) and, for a clerk
taking a bank payment by phone, the authorization to read and the box for the customer's yes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Checkbox, Static

from tui.money import format_cents
from tui.widgets.formatting import format_date
from tui.widgets.payment_view import BUSINESS_PHONE, quote_view

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from tui.api import Quote


def phone_script(today: dt.date | None, customer_name: str, amount_cents: int, last4: str) -> str:
    """The words (NACHA TEL) a clerk reads before a bank payment by phone, as markup."""
    when = format_date(today, empty="today")
    return (
        "[b]Read this to the customer:[/b]\n"
        f"“Today, {when}, you, {escape(customer_name)}, authorize Paydesk to debit "
        f"{format_cents(amount_cents)} once from your bank account ending in {last4}. It settles in 3 "
        f"business days. To revoke this authorization, call {BUSINESS_PHONE} before it settles. "
        "Do you agree?”"
    )


class ReviewStep(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("", id="review-body")
        script = Static("", id="phone-script")
        agreed = Checkbox("Customer agreed", id="customer-agreed", compact=True)
        script.display = agreed.display = False
        yield script
        yield agreed

    @property
    def agreed(self) -> Checkbox:
        return self.query_one("#customer-agreed", Checkbox)

    def show(self, quote: Quote, *, by_phone: bool, customer_name: str, today: dt.date | None) -> None:
        """The quote; the phone script and a cleared Customer agreed when a clerk takes a bank part."""
        self.query_one("#review-body", Static).update(quote_view(quote))
        script = self.query_one("#phone-script", Static)
        bank_parts = [part for part in quote.parts if part.method.type == "ach"]
        needed = by_phone and bool(bank_parts)
        script.display = needed
        self.agreed.display = needed
        self.agreed.value = False
        if needed:
            amount = sum(part.amount_cents for part in bank_parts)
            script.update(phone_script(today, customer_name, amount, bank_parts[0].method.last4 or "????"))

    def missing_agreement(self) -> Checkbox | None:
        """The Customer agreed box when it is shown and not checked yet."""
        agreed = self.agreed
        return agreed if agreed.display and not agreed.value else None
