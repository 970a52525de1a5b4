"""A clerk undoes a payment from its history: Void (a card payment of today, a pending bank payment) or
Refund (a settled card payment, all that is left or part of it).

Each dialog asks for a reason, says in words what will happen, and sends the request itself, so the
server's refusal (too late to void, more than is left, no identity check) shows in the dialog, which
stays open with the field to fix marked. One UndoAttempt (one Idempotency-Key) per dialog: a lost
answer is sent again with the same key and never voids or refunds twice; after a refusal, which
changed nothing, the corrected request goes as a new attempt. Dismissed with the voided Payment or the
Refund, or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from tui.api import (
    ApiError,
    NotAuthenticated,
    Payment,
    PaymentOutcomeUnknown,
    PaymentPart,
    Refund,
    UndoAttempt,
)
from tui.checks import required
from tui.money import format_cents, input_dollars
from tui.screens.dialogs import Dialog
from tui.widgets.formatting import cut_name
from tui.widgets.pay_fields import Check, FieldProblem, MoneyInput, SayingInput, first_problem
from tui.widgets.payment_view import methods_label
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

T = TypeVar("T")

REASON_MAX = 500
_no_reason = required("reason (the customer is told it)")


def reason_problem(value: str) -> str | None:
    if _no_reason(value):
        return _no_reason(value)
    if len(value.strip()) > REASON_MAX:
        return f"Keep the reason to {REASON_MAX} characters."
    return None


# ---- what will happen, in words (plain functions over the payment) ---------------------------------


def _invoices(payment: Payment, parts: set[int] | None = None) -> str:
    """The invoices the payment paid (only those the parts `parts` paid, when given), each once."""
    numbers = ", ".join(
        dict.fromkeys(
            allocation.number
            for allocation in payment.allocations
            if parts is None or allocation.part_index is None or allocation.part_index in parts
        )
    )
    return numbers or "none"


def _is_split(payment: Payment) -> bool:
    return len(payment.parts) > 1


def _card_indexes(payment: Payment) -> set[int]:
    """The card parts whose money stayed paid (a refund gives back only theirs)."""
    return {
        index
        for index, part in enumerate(payment.parts)
        if part.method.type == "card" and part.status not in ("voided", "returned")
    }


def _refundable(part: PaymentPart) -> int:
    return part.amount_cents + sum(fee.amount_cents for fee in part.fees if fee.refundable)


def refund_shares(payment: Payment, amount_cents: int) -> dict[int, int]:
    """How a refund of `amount_cents` falls on the card parts (part index → cents), as the server spreads
    it: each card part in order gives back up to what it paid, after the earlier refunds."""
    shares: dict[int, int] = {}
    start, end, low = payment.refunded_cents, payment.refunded_cents + amount_cents, 0
    for index in sorted(_card_indexes(payment)):
        high = low + _refundable(payment.parts[index])
        shares[index] = max(0, min(high, end) - max(low, start))
        low = high
    return shares


def void_outcomes(payment: Payment) -> list[str]:
    """What a void does to each part, in words, in the parts' order."""
    outcomes = []
    for part in payment.parts:
        if part.method.type == "card":
            fee = f", nor its {format_cents(part.fee_cents)} fee" if part.fee_cents else ""
            outcomes.append(f"voided: nothing is taken{fee}")
        else:
            outcomes.append("voided: the debit is never sent")
    return outcomes


def refund_outcomes(payment: Payment, amount_cents: int | None) -> list[str]:
    """What refunding `amount_cents` (None: not readable yet) does to each part, in the parts' order."""
    most = refund_shares(payment, payment.refundable_cents)  # what each card part has left to give back
    shares = refund_shares(payment, amount_cents) if amount_cents else {}
    outcomes = []
    for index, part in enumerate(payment.parts):
        if part.status == "returned":
            code = f" ({payment.return_code})" if payment.return_code else ""
            outcomes.append(f"already returned by the bank{code}")
        elif part.method.type != "card":
            outcomes.append("stays paid: a bank payment is not refunded")
        elif not most.get(index):
            outcomes.append("refunded in full already")
        elif not amount_cents:
            outcomes.append(f"refunded: up to {format_cents(most[index])}")
        elif shares.get(index):
            outcomes.append(f"refunded: {format_cents(shares[index])}")
        else:
            outcomes.append("kept: this amount comes from the other card")
    return outcomes


def parts_table(payment: Payment, outcomes: list[str]) -> Table:
    """Each part of a split on its own line: its method (the last 4 digits always whole), its amount, and
    what will happen to it."""
    amounts = [format_cents(part.amount_cents) for part in payment.parts]
    method_width = min(24, max(len(part.method.label) for part in payment.parts))
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=method_width)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1)
    for part, amount, outcome in zip(payment.parts, amounts, outcomes, strict=True):
        table.add_row(Text(cut_name(part.method.label, method_width)), Text(amount), Text(outcome))
    return table


def void_words(payment: Payment) -> list[str]:
    """What a void does to this payment, one sentence a line (a split's parts are said by the parts
    table, void_outcomes)."""
    cards = [part for part in payment.parts if part.method.type == "card"]
    banks = [part for part in payment.parts if part.method.type == "ach"]
    words = []
    if cards and not _is_split(payment):
        fee = f" and its {format_cents(payment.fees_cents)} fee are" if payment.fees_cents else " is"
        words.append(
            f"The card payment of {format_cents(sum(p.amount_cents for p in cards))}{fee} voided: "
            f"nothing is taken from {methods_label(cards)}."
        )
    if banks and not _is_split(payment):
        words.append(
            f"The bank debit of {format_cents(sum(p.amount_cents for p in banks))} from "
            f"{methods_label(banks)} is cancelled: it is never sent."
        )
    if payment.allocations:
        words.append(f"The invoices it paid are open again: {_invoices(payment)}.")
    if payment.credit_cents:
        words.append(f"The {format_cents(payment.credit_cents)} of account credit it made is taken back.")
    if cards:
        words.append("It no longer counts toward the limit of card payments.")
    words.append("The customer is emailed that it was voided. A void cannot be undone.")
    return words


def refund_words(payment: Payment, amount_cents: int | None) -> list[str]:
    """What refunding `amount_cents` (None: not readable yet) of this payment does."""
    left = payment.refundable_cents
    indexes = _card_indexes(payment)
    cards = [part for index, part in enumerate(payment.parts) if index in indexes]
    words = []
    if amount_cents is None:
        words.append(f"Up to {format_cents(left)} can be refunded to {methods_label(cards)}.")
    else:
        words.append(f"{format_cents(amount_cents)} goes back to {methods_label(cards)}.")
    kept = sum(fee.amount_cents for part in cards for fee in part.fees if not fee.refundable)
    if kept:
        words.append(f"The {format_cents(kept)} fee is not refundable: it is kept.")
    # A split's refund takes back only what its card parts made and paid; the server names each part.
    split = _is_split(payment)
    credit = sum(part.credit_cents for part in cards) if split else payment.credit_cents
    paid = "the card paid" if split else "it paid"
    if credit:
        words.append(
            f"It comes first out of the account credit the payment made (up to "
            f"{format_cents(credit)}), then reopens the invoices {paid}, newest first."
        )
    else:
        invoices = _invoices(payment, indexes if split else None)
        words.append(f"It reopens the invoices {paid}, newest first ({invoices}).")
    if amount_cents is not None:
        if payment.status == "returned":  # the bank's answer stays the payment's status
            words.append("The payment still shows as returned, with the refund. The customer is emailed.")
        else:
            status = "refunded" if amount_cents >= left else "partially refunded"
            words.append(f"The payment then shows as {status}. The customer is emailed.")
    return words


# ---- the dialogs --------------------------------------------------------------------------------


class _UndoDialog(ReportsWorkerErrors, Dialog[T]):
    """The frame both share: a title, the words, the fields, the StatusLine, the action and Cancel."""

    # Not scoped: these rules style the dialog screens themselves, not only what is inside them.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    VoidDialog, RefundDialog {
        align: center middle;
        background: $background 60%;
        overflow: hidden hidden;
    }
    .undo-dialog {
        width: 64;
        border: thick $warning;
    }
    .undo-dialog .dialog-title {
        color: $text;
        margin-bottom: 0;
    }
    .undo-parts {
        margin-top: 1;
    }
    .undo-words {
        margin: 1 0;
    }
    .undo-dialog .field-label {
        width: 10;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="undo_dialog.cancel", tooltip="Close without changing it"),
    ]
    title_text = ""
    action_label = ""

    def __init__(self, payment: Payment) -> None:
        super().__init__()
        self.payment = payment
        self.attempt = UndoAttempt(payment.id)
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog undo-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static("", classes="undo-parts", id="undo-parts")
            yield Static("", classes="undo-words", id="undo-words")
            yield from self.fields()
            with Horizontal(classes="field-row"):
                yield Label("Reason", classes="field-label")
                yield SayingInput(  # says a paste is too long (issue 11 item 12)
                    id="reason",
                    what="a reason",
                    placeholder="Why (the customer is told)",
                    max_length=REASON_MAX,
                    compact=True,
                    validators=[Check(reason_problem)],
                    validate_on=["changed", "submitted"],
                )
            yield StatusLine(id="undo-message")
            with Horizontal(classes="buttons"):
                yield Button(self.action_label, id="ok", variant="warning")
                yield Button("Cancel", id="cancel")

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.show_words()
        self.first_field().focus(scroll_visible=False)

    def first_field(self) -> Widget:
        return self.query_one("#reason", Input)

    def show_words(self) -> None:
        self.query_one("#undo-words", Static).update(escape("\n".join(self.words())))
        parts = self.query_one("#undo-parts", Static)
        parts.display = _is_split(self.payment)  # a split names each part and what happens to it
        if parts.display:
            parts.update(parts_table(self.payment, self.outcomes()))

    def words(self) -> list[str]:
        return []

    def outcomes(self) -> list[str]:
        """What will happen to each part, in the parts' order (shown for a split)."""
        return []

    def reason(self) -> str:
        field = self.query_one("#reason", Input)
        problem = first_problem(field)
        if problem:
            raise FieldProblem(field, problem)
        return field.value.strip()

    @on(Button.Pressed, "#ok")
    def _ok_pressed(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.busy:
            return
        try:
            self.start()
        except FieldProblem as problem:
            self.show_problem(problem.message, problem.field)

    def start(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        if self.busy:  # the request is out: its answer decides, so the dialog waits for it
            self.query_one(StatusLine).say("Wait a moment: the server is answering.")
            return
        super().action_cancel()

    def sending(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.query_one("#ok", Button).loading = busy
        if text:
            self.query_one(StatusLine).say(text)

    def field_for(self, param: str | None) -> Widget | None:
        return self.query_one("#reason") if param == "reason" else None

    def refused(self, error: ApiError) -> None:
        """The server said no: nothing changed. Say why, mark the field, stay open, new key next."""
        if isinstance(error, PaymentOutcomeUnknown):
            self.show_problem(f"{error.message} Press {self.action_label} again.")
            return
        self.attempt = self.attempt.renewed()
        field = self.field_for(error.param)
        if isinstance(field, Input):
            field.set_class(True, "-invalid")
        self.show_problem(error.message, field)

    def retry(self) -> None:
        """After the server was away: the same attempt, the same key."""


class VoidDialog(_UndoDialog[Payment]):
    """Void the payment: dismissed with the payment as the server now has it (status voided)."""

    action_label = "Void payment"

    def __init__(self, payment: Payment) -> None:
        super().__init__(payment)
        self.title_text = (
            f"Void payment {escape(payment.confirmation_number)} of {format_cents(payment.total_cents)}"
        )

    def words(self) -> list[str]:
        return void_words(self.payment)

    def outcomes(self) -> list[str]:
        return void_outcomes(self.payment)

    def start(self) -> None:
        self.send(self.reason())

    @on(Input.Submitted, "#reason")
    def _reason_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @work(exclusive=True, exit_on_error=False, group="undo")
    async def send(self, reason: str) -> None:
        self.sending(True, "Voiding the payment…")
        try:
            payment = await self.attempt.void(self.app.client, reason, on_retry=self._heard)
        except NotAuthenticated:
            raise
        except ApiError as error:
            self.refused(error)
            return
        finally:
            self.sending(False)
        self.dismiss(payment)

    def _heard(self, text: str) -> None:
        self.query_one(StatusLine).say(text)


class RefundDialog(_UndoDialog[Refund]):
    """Refund all that is left (the amount prefilled) or part of it: dismissed with the Refund."""

    def __init__(self, payment: Payment) -> None:
        super().__init__(payment)
        self.left_cents = payment.refundable_cents
        self.title_text = f"Refund payment {escape(payment.confirmation_number)}"
        self.action_label = f"Refund {format_cents(self.left_cents)}"

    def fields(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Amount", classes="field-label")
            yield MoneyInput(input_dollars(self.left_cents), id="amount")

    def first_field(self) -> Widget:
        return self.query_one("#amount", MoneyInput)  # all that is left, ready to change

    def typed_cents(self) -> int | None:
        try:
            return self.query_one("#amount", MoneyInput).cents
        except FieldProblem:
            return None

    def words(self) -> list[str]:
        return refund_words(self.payment, self.typed_cents())

    def outcomes(self) -> list[str]:
        return refund_outcomes(self.payment, self.typed_cents())

    @on(Input.Changed, "#amount")
    def _amount_typed(self) -> None:
        cents = self.typed_cents()
        self.query_one("#ok", Button).label = f"Refund {format_cents(cents)}" if cents else "Refund"
        self.show_words()

    @on(Input.Submitted, "#amount")
    def _amount_done(self, event: Input.Submitted) -> None:
        event.stop()
        reason = self.query_one("#reason", Input)
        if reason.value.strip():
            self.action_confirm()
        else:
            reason.focus()

    @on(Input.Submitted, "#reason")
    def _reason_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def start(self) -> None:
        field = self.query_one("#amount", MoneyInput)
        cents = field.cents  # raises FieldProblem
        # The amount as the words said it, always: more than the server has left is refused, marked.
        self.send(cents, self.reason())

    def field_for(self, param: str | None) -> Widget | None:
        if param == "amount_cents":
            return self.query_one("#amount")
        return super().field_for(param)

    @work(exclusive=True, exit_on_error=False, group="undo")
    async def send(self, amount_cents: int | None, reason: str) -> None:
        self.sending(True, "Refunding…")
        try:
            refund = await self.attempt.refund(self.app.client, amount_cents, reason, on_retry=self._heard)
        except NotAuthenticated:
            raise
        except ApiError as error:
            self.refused(error)
            return
        finally:
            self.sending(False)
        self.dismiss(refund)

    def _heard(self, text: str) -> None:
        self.query_one(StatusLine).say(text)
