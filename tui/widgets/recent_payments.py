"""The account's last payments, with returns, declines and reversals said in words."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tui.api import Payment
from tui.money import format_cents
from tui.widgets.formatting import format_date
from tui.widgets.payment_view import methods_label


def payment_words(payment: Payment) -> str:
    """What happened to one payment, as the clerk reads it to the customer."""
    status = payment.status
    if status == "returned":
        code = f" ({payment.return_code})" if payment.return_code else ""
        return f"returned by the bank{code}: its invoices are open again"
    if status == "failed":
        return "declined: nothing was paid"
    if status == "pending":
        settles = f", settles {format_date(payment.settles_on)}" if payment.settles_on else ""
        return f"pending at the bank{settles}"
    if status == "voided":
        return "voided: nothing was taken"
    if status == "refunded":
        return "refunded in full"
    if status == "partially_refunded":
        return "partly refunded"
    if status == "succeeded":
        return "paid"
    return status.replace("_", " ")


def _flagged(payment: Payment) -> bool:
    return payment.status in ("returned", "failed")


class RecentPayments(Static):
    """`show(payments)`: one line each, newest first; a return or a decline stands out."""

    def show(self, payments: list[Payment]) -> None:
        if not payments:
            self.update("[dim]No payments in the last 36 months.[/dim]")
            return
        lines = []
        for payment in payments:
            day = payment.created_on or payment.created_at.date()
            line = escape(
                f"{format_date(day)} {payment.confirmation_number} {format_cents(payment.total_cents)} "
                f"{methods_label(payment.parts, name_max=12)}: {payment_words(payment)}"
            )
            lines.append(f"[b $error]{line}[/]" if _flagged(payment) else line)
        self.update("\n".join(lines))
