"""How a quote and a payment read on screen: invoices and amounts, each part with its fee words, totals.

Methods show as brand or bank and the last 4 digits only ("Visa •••• 4242"), as the server tells them.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tui.api import Allocation, Fee, Payment, PaymentPart, Quote
from tui.money import format_cents
from tui.widgets.formatting import format_date

PAYMENT_STATUS = {
    "succeeded": "Succeeded",
    "pending": "Pending",
    "failed": "Failed",
    "returned": "Returned",
    "voided": "Voided",
    "refunded": "Refunded",
    "partially_refunded": "Part refunded",
}
BUSINESS_PHONE = "1-800-555-0142"


def payment_status(payment: Payment, *, long: bool = False) -> str:
    """The status as people say it. A refund names how much went back: "Refunded $20.00" in a table
    (beside the payment's amount), "Part refunded: $20.00 of $82.20" in full (`long`); a returned split's
    refunded card part as well as the return ("Returned R01" and "Refunded $40.00")."""
    label = PAYMENT_STATUS.get(payment.status, payment.status.replace("_", " ").capitalize())
    if payment.status == "returned" and payment.return_code:
        returned = f"{label} {payment.return_code}"
        if not payment.refunded_cents:
            return returned
        # A split whose bank part came back and whose card part was then refunded: the status stays
        # "returned", and both are said (in a table on a second line of the row).
        back = format_cents(payment.refunded_cents)
        return f"{returned} · refunded {back}" if long else f"{returned}\nRefunded {back}"
    if payment.status in ("refunded", "partially_refunded") and payment.refunded_cents:
        back = format_cents(payment.refunded_cents)
        if long:
            return f"{label}: {back} of {format_cents(payment.amount_cents)}"
        return f"Refunded {back}"
    return label


def methods_label(parts: list[PaymentPart], name_max: int | None = None) -> str:
    """The methods of a payment, e.g. "Visa •••• 4242 + Cascade Com… •••• 6789".

    `name_max` shortens long bank names for narrow tables, always keeping the last 4 digits.
    """
    return " + ".join(_method_label(part, name_max) for part in parts)


def _method_label(part: PaymentPart, name_max: int | None) -> str:
    label, last4 = part.method.label, part.method.last4
    if name_max is None or not last4:
        return label
    name = label.removesuffix(f" •••• {last4}")
    if len(name) > name_max:
        name = name[: name_max - 1] + "…"
    return f"{name} •••• {last4}"


def _money(cents: int, style: str = "") -> Text:
    return Text(format_cents(cents), justify="right", style=style)


def allocations_table(allocations: list[Allocation], credit_cents: int = 0) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("Invoice")
    table.add_column("Amount", justify="right")
    per_invoice: dict[str, int] = {}  # an invoice two parts of a split pay is one line
    for allocation in allocations:
        per_invoice[allocation.number] = per_invoice.get(allocation.number, 0) + allocation.amount_cents
    for number, cents in per_invoice.items():
        table.add_row(Text(number), _money(cents))
    if credit_cents:
        table.add_row("Account credit", _money(credit_cents))
    return table


def fee_words(fee: Fee) -> str:
    """The server's description of a fee, which names its amount and whether it is refunded."""
    if fee.description:
        return fee.description
    refund = "refundable" if fee.refundable else "not refundable"
    return f"{fee.kind.title()} fee ({format_cents(fee.amount_cents)}, {refund})"


def parts_view(parts: list[PaymentPart], *, show_status: bool = False) -> RenderableType:
    return Group(parts_table(parts, show_status=show_status), *fee_lines(parts))


def fee_lines(parts: list[PaymentPart]) -> list[Text]:
    lines = []
    for part in parts:
        for fee in part.fees:
            lines.append(Text(f"{part.method.label}: {fee_words(fee)}", style="dim"))
    return lines


def parts_table(parts: list[PaymentPart], *, show_status: bool = False) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("Paid with")
    table.add_column("Amount", justify="right")
    table.add_column("Fee", justify="right")
    if show_status:
        table.add_column("Status")
    for part in parts:
        label = Text(part.method.label)
        row: list[RenderableType] = [label, _money(part.amount_cents), _money(part.fee_cents)]
        if show_status:
            row.append(PAYMENT_STATUS.get(part.status or "", part.status or ""))
        table.add_row(*row)
    return table


def totals(amount_cents: int, fees_cents: int, total_cents: int) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_row("Payment", _money(amount_cents))
    table.add_row("Fees", _money(fees_cents))
    table.add_row(Text("Total", style="bold"), _money(total_cents, "bold"))
    return table


def quote_view(quote: Quote) -> RenderableType:
    return Group(
        allocations_table(quote.allocations, quote.credit_cents),
        Text(""),
        parts_view(quote.parts),
        Text(""),
        totals(quote.amount_cents, quote.fees_cents, quote.total_cents),
    )


def pending_note(payment: Payment) -> str | None:
    if payment.status != "pending":
        return None
    until = format_date(payment.settles_on, empty="they settle")
    if any(part.method.type == "card" for part in payment.parts):  # a split: the card's invoices are paid
        return (
            "Bank payments take 3 business days to settle; what the card paid is paid now, "
            f"the invoices the bank pays show In Progress until {until}."
        )
    if not payment.allocations:  # all of it becomes account credit: there are no invoices to speak of
        when = "when it settles" if payment.settles_on is None else f"on {until}"
        return f"Bank payments take 3 business days to settle; the account credit is added {when}."
    return f"Bank payments take 3 business days to settle; these invoices show In Progress until {until}."


def payment_facts(payment: Payment) -> Table:
    """Confirmation, date, status and where the receipt went."""
    facts = Table(box=None, show_header=False, pad_edge=False, expand=False)
    facts.add_column(style="dim")
    facts.add_column()
    facts.add_row("Confirmation", Text(payment.confirmation_number, style="bold"))
    facts.add_row("Date", format_date(payment.created_on or payment.created_at.date()))
    facts.add_row("Status", payment_status(payment, long=True))
    if payment.receipt_email:
        facts.add_row("Receipt sent to", Text(payment.receipt_email))
    return facts


def payment_view(payment: Payment) -> RenderableType:
    """The history's detail: the facts, what it paid, how, and the totals."""
    pieces: list[RenderableType] = [
        payment_facts(payment),
        Text(""),
        allocations_table(payment.allocations, payment.credit_cents),
        Text(""),
        parts_view(payment.parts, show_status=len(payment.parts) > 1),
        Text(""),
        totals(payment.amount_cents, payment.fees_cents, payment.total_cents),
    ]
    note = pending_note(payment)
    if note:
        pieces += [Text(""), Text(note, style="italic")]
    if payment.status == "returned":
        pieces += [
            Text(""),
            Text("The bank returned this payment: its invoices are open again.", style="bold"),
        ]
    pieces += undo_view(payment)
    return Group(*pieces)


def undo_view(payment: Payment) -> list[RenderableType]:
    """A void (when and why) and the refunds (each amount, when, who and why), under the payment."""
    pieces: list[RenderableType] = []
    if payment.status == "voided":
        when = format_date(payment.voided_at.date()) if payment.voided_at else "—"
        pieces += [Text(""), Text(f"Voided on {when}: nothing was taken, its fees included.", style="bold")]
        if payment.void_reason:
            pieces.append(Text(f"Reason: {payment.void_reason}"))
    if payment.refunds:
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
        table.add_column("Refunded")
        table.add_column("Amount", justify="right")
        table.add_column("By")
        table.add_column("Reason")
        for refund in payment.refunds:
            table.add_row(
                format_date(refund.created_at.date()),
                _money(refund.amount_cents),
                Text(refund.created_by.name if refund.created_by else ""),
                Text(refund.reason),
            )
        total = Text(f"Refunded in all: {format_cents(payment.refunded_cents)}", style="bold")
        pieces += [Text(""), table, total]
    return pieces
