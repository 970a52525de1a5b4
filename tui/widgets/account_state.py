"""Autopay and paperless as the account has them, in words about the customer (the clerk's 360), and
an email change that waits for its code."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tui.api import Account
from tui.money import format_cents
from tui.widgets.formatting import format_date


def autopay_words(account: Account) -> str:
    autopay = account.autopay
    if not autopay.enabled:
        return "Autopay is off."
    method = f" with {autopay.method_label}" if autopay.method_label else ""
    words = f"Autopay is on{method}."
    if autopay.next_run_on is not None:
        amount = f" for {format_cents(autopay.next_amount_cents)}" if autopay.next_amount_cents else ""
        words += f" Next run {format_date(autopay.next_run_on)}{amount}."
    if autopay.last_failure is not None:
        words += f" Last run failed on {format_date(autopay.last_failure.on)}: {autopay.last_failure.message}"
    return words


def paperless_words(account: Account) -> str:
    if account.paperless:
        return "Paperless: the customer gets bills by email only."
    return "Paperless is off: the customer gets paper bills."


class AccountState(Static):
    """`show(account)` writes the autopay and paperless lines; empty until then."""

    def show(self, account: Account) -> None:
        lines = [autopay_words(account), paperless_words(account)]
        if account.pending_email:
            # A change the customer (or a clerk) asked for and nobody confirmed yet: the code went there.
            lines.append(
                f"A new email waits for its code: {account.pending_email} (the email is still "
                f"{account.email}; e opens the profile)."
            )
        self.update(escape("\n".join(lines)))
