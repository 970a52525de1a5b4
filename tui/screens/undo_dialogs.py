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

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from tui.api import ApiError, NotAuthenticated, Payment, PaymentOutcomeUnknown, Refund, UndoAttempt
from tui.checks import required
from tui.money import format_cents, input_dollars
from tui.screens.dialogs import Dialog
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


def _invoices(payment: Payment) -> str:
    numbers = ", ".join(dict.fromkeys(allocation.number for allocation in payment.allocations))
    return numbers or "none"


def void_words(payment: Payment) -> list[str]:
    """What a void does to this payment, one sentence a line."""
    cards = [part for part in payment.parts if part.method.type == "card"]
    banks = [part for part in payment.parts if part.method.type == "ach"]
    words = []
    if cards:
        fee = f" and its {format_cents(payment.fees_cents)} fee" if payment.fees_cents else ""
        words.append(
            f"The card payment of {format_cents(sum(p.amount_cents for p in cards))}{fee} is voided: "
            f"nothing is taken from {methods_label(cards)}."
        )
    if banks:
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
    cards = [part for part in payment.parts if part.method.type == "card"]
    words = []
    if amount_cents is None:
        words.append(f"Up to {format_cents(left)} can be refunded to {methods_label(cards)}.")
    else:
        words.append(f"{format_cents(amount_cents)} goes back to {methods_label(cards)}.")
    kept = sum(fee.amount_cents for part in cards for fee in part.fees if not fee.refundable)
    if kept:
        words.append(f"The {format_cents(kept)} fee is not refundable: it is kept.")
    if payment.credit_cents:
        words.append(
            f"It comes first out of the account credit the payment made (up to "
            f"{format_cents(payment.credit_cents)}), then reopens the invoices it paid, newest first."
        )
    else:
        words.append(f"It reopens the invoices it paid, newest first ({_invoices(payment)}).")
    if amount_cents is not None:
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

    def words(self) -> list[str]:
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
