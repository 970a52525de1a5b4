"""The two forms of scheduled payments: schedule a new one, and change one's date (or amount).

Each reads what was typed (`NewSchedule`, `ScheduleChange`) and sends it with the `save` call the
screen gives it, so a refusal of the server (a date after the due date, a method gone) shows in the
dialog, which stays open with everything typed and the field the server names marked. Dismissed with
the ScheduledPayment the server holds, or None when cancelled.

A new one says its fee in words before it is saved: the dialog asks the server for a quote of what it
would pay with the chosen method whenever the choice changes, and Schedule accepts that fee (the server
refuses any other, and the run takes exactly it or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Label, Select, Static

from tui.api import (
    AmountTarget,
    ApiError,
    BalanceTarget,
    InvoicesTarget,
    InvoiceToPay,
    NotAuthenticated,
    Quote,
    ScheduledPayment,
    ServerUnavailable,
    SessionIdle,
)
from tui.checks import day_problem, email_problem, parse_day
from tui.money import format_cents, input_dollars
from tui.screens.dialogs import Dialog
from tui.widgets.formatting import format_date
from tui.widgets.pay_fields import Check, DateInput, FieldProblem, MoneyInput, first_problem
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui.api import InvoiceRow, PaymentMethod

T = TypeVar("T")


@dataclass
class NewSchedule:
    target: InvoicesTarget | AmountTarget | BalanceTarget
    payment_method_id: int
    pay_on: dt.date
    receipt_email: str
    accepted_fees_cents: int = 0  # the fees of the quote shown in the dialog


# (target, saved method id) -> the server's quote of paying it now with that method
QuoteSchedule = Callable[[InvoicesTarget | AmountTarget | BalanceTarget, int], Awaitable[Quote]]


def fee_words(quote: Quote) -> str:
    """The fee line of a quote, in words: each fee as the server words it, and the total."""
    fees = [fee for part in quote.parts for fee in part.fees]
    if not fees:
        return f"No fee. Total: {format_cents(quote.total_cents)}."
    said = "; ".join(fee.description for fee in fees)
    return f"Fee: {said}. Total: {format_cents(quote.total_cents)}."


@dataclass
class ScheduleChange:
    pay_on: dt.date
    amount_cents: int | None


def date_problem(value: str, today: dt.date, latest: dt.date | None) -> str | None:
    """A pay-on date: YYYY-MM-DD, not before today, not after the due date (when there is one)."""
    problem = day_problem(value)
    if problem:
        return problem
    day = parse_day(value)
    if day < today:
        return f"Choose today ({today.isoformat()}) or a later date."
    if latest is not None and day > latest:
        return f"Choose a date on or before the due date, {latest.isoformat()}."
    return None


# The server's `param` -> the field of the form it is about (the first that starts the param).
PARAM_FIELDS = (
    ("pay_on", "#pay-on"),
    ("receipt_email", "#receipt-email"),
    ("method", "#method"),
    ("amount_cents", "#amount"),
    ("target.amount_cents", "#amount"),
    ("target", "#what"),
)


class _FormDialog(ReportsWorkerErrors, Dialog[ScheduledPayment], Generic[T]):
    """A form that `read()`s what was typed into a T (or raises FieldProblem for the field to fix) and
    sends it with `save`; the server's refusal is said here, with the field it names marked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="schedule_dialog.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="schedule_dialog.save", tooltip="Save this scheduled payment"),
    ]

    def __init__(self, save: Callable[[T], Awaitable[ScheduledPayment]]) -> None:
        super().__init__()
        self.save = save
        self.busy = False
        self._marked: Widget | None = None  # the field the server's last refusal named

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.busy:
            return
        try:
            value = self.read()
        except FieldProblem as problem:
            self.show_problem(problem.message, problem.field)
            return
        self.send(value)

    @work(exclusive=True, exit_on_error=False, group="schedule-save")
    async def send(self, value: T) -> None:
        self.sending(True)
        try:
            saved = await self.save(value)
        except (ServerUnavailable, NotAuthenticated, SessionIdle):
            raise  # the app's one handler: the unavailable dialog, the login or the lock
        except ApiError as error:
            self.refused(error)
            return
        finally:
            self.sending(False)
        self.dismiss(saved)

    def sending(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#ok", Button).loading = busy
        if busy:
            self.query_one(StatusLine).say("Saving…")

    def refused(self, error: ApiError) -> None:
        """Nothing was saved: the server's sentence, its field marked and focused, the rest as typed."""
        field = self.field_for(error.param)
        if self._marked is not None:
            self._marked.set_class(False, "-invalid")
        self._marked = field
        if field is not None:
            field.set_class(True, "-invalid")
        self.show_problem(error.message, field)

    def field_for(self, param: str | None) -> Widget | None:
        for prefix, selector in PARAM_FIELDS:
            if param and (param == prefix or param.startswith(f"{prefix}.")):
                found = self.query(selector)
                if found and found.first().display:
                    return found.first()
        return None

    @on(Input.Changed)
    @on(Select.Changed)
    def _unmark(self, event: Input.Changed | Select.Changed) -> None:
        # A change to the field the server named: its mark goes (the sentence stays until the next save).
        if event.control is self._marked:
            event.control.set_class(False, "-invalid")
            self._marked = None

    def action_cancel(self) -> None:
        if self.busy:  # the form is out: the server's answer decides
            self.query_one(StatusLine).say("Wait a moment: the server is answering.")
            return
        super().action_cancel()

    def read(self) -> T:
        raise NotImplementedError


class ScheduleDialog(_FormDialog[NewSchedule]):
    """What to pay (the balance, an amount or one open invoice), the saved method, the date, the receipt."""

    def __init__(
        self,
        invoices: list[InvoiceRow],
        methods: list[PaymentMethod],
        today: dt.date,
        email: str,
        balance_cents: int,
        *,
        save: Callable[[NewSchedule], Awaitable[ScheduledPayment]],
        quote: QuoteSchedule,
    ) -> None:
        super().__init__(save)
        self.quote = quote
        self.quoted: tuple[object, int] | None = None  # (the choice, its fees) the fee line says
        self.invoices = invoices
        self.methods = methods
        self.today = today
        self.email = email
        self.balance_cents = balance_cents

    def compose(self) -> ComposeResult:
        what = [(f"Balance due ({format_cents(self.balance_cents)})", "balance"), ("An amount", "amount")]
        what += [
            (
                f"{escape(row.number)} · due {format_date(row.due_on)} · {format_cents(row.balance_cents)}",
                f"{row.id}",
            )
            for row in self.invoices
        ]
        default = next((m.id for m in self.methods if m.is_default), self.methods[0].id)
        with Vertical(classes="dialog ask-dialog", id="schedule-dialog"):
            yield Static("Schedule a payment", classes="dialog-title")
            with Horizontal(classes="field-row"):
                yield Label("Pay", classes="field-label")
                yield Select(what, value="balance", allow_blank=False, id="what", compact=True)
            with Horizontal(classes="field-row", id="amount-row"):
                yield Label("Amount", classes="field-label")
                yield MoneyInput(id="amount")
            with Horizontal(classes="field-row"):
                yield Label("With", classes="field-label")
                yield Select(
                    [(escape(m.display), m.id) for m in self.methods],
                    value=default,
                    allow_blank=False,
                    id="method",
                    compact=True,
                )
            with Horizontal(classes="field-row"):
                yield Label("On (YYYY-MM-DD)", classes="field-label")
                yield DateInput(  # says what it leaves out (issue 11 item 12)
                    (self.today + dt.timedelta(days=1)).isoformat(),  # today's would run at once
                    id="pay-on",
                    compact=True,
                    validators=[Check(lambda value: date_problem(value, self.today, self._latest()))],
                    validate_on=["submitted"],
                )
            with Horizontal(classes="field-row"):
                yield Label("Receipt email", classes="field-label")
                yield Input(self.email, id="receipt-email", compact=True, validators=[Check(email_problem)])
            yield Static("", id="schedule-fee")
            yield StatusLine()
            with Horizontal(classes="buttons"):
                yield Button("Schedule", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#amount-row").display = False
        self.query_one("#what", Select).focus()
        self._price()

    @on(Select.Changed, "#what")
    def _what_changed(self) -> None:
        self.query_one("#amount-row").display = self.query_one("#what", Select).value == "amount"

    @on(Select.Changed)
    @on(Input.Changed, "#amount")
    def _price(self) -> None:
        self.quoted = None
        choice = self._choice()
        fee_line = self.query_one("#schedule-fee", Static)
        if choice is None:
            fee_line.update("The fee shows once the amount is entered.")
            return
        fee_line.update("Finding the fee…")
        self.ask_fee(choice)

    def _choice(self) -> tuple[InvoicesTarget | AmountTarget | BalanceTarget, int] | None:
        """What would be paid and with which method, or None while the amount is not one yet."""
        try:
            target = self._target()
        except FieldProblem:
            return None
        return target, int(self.query_one("#method", Select).value)  # type: ignore[arg-type]

    @work(exclusive=True, exit_on_error=False, group="schedule-quote")
    async def ask_fee(self, choice: tuple[InvoicesTarget | AmountTarget | BalanceTarget, int]) -> None:
        quote = await self.quote(*choice)
        if choice != self._choice():
            return  # changed meanwhile: its own quote is on the way
        self.quoted = (choice, quote.fees_cents)
        self.query_one("#schedule-fee", Static).update(escape(fee_words(quote)))

    def _target(self) -> InvoicesTarget | AmountTarget | BalanceTarget:
        what = self.query_one("#what", Select).value
        if what == "balance":
            return BalanceTarget()
        if what == "amount":  # FieldProblem while the amount is not one
            return AmountTarget(amount_cents=self.query_one("#amount", MoneyInput).cents)
        invoice = self._invoice()
        assert invoice is not None
        return InvoicesTarget(invoices=[InvoiceToPay(invoice_id=invoice.id)])

    def _invoice(self) -> InvoiceRow | None:
        value = str(self.query_one("#what", Select).value)
        return next((row for row in self.invoices if str(row.id) == value), None)

    def _latest(self) -> dt.date | None:
        invoice = self._invoice()
        return invoice.due_on if invoice is not None else None

    def read(self) -> NewSchedule:
        for selector in ("#pay-on", "#receipt-email"):
            field = self.query_one(selector, Input)
            problem = first_problem(field)
            if problem:
                raise FieldProblem(field, problem)
        self._target()  # a FieldProblem for an amount that is not one
        choice = self._choice()
        if choice is None or self.quoted is None or self.quoted[0] != choice:
            # Nothing is scheduled before its fee has been said.
            raise FieldProblem(self.query_one("#what", Select), "Wait for the fee to show, then Schedule.")
        target, method_id = choice
        return NewSchedule(
            target=target,
            payment_method_id=method_id,
            pay_on=parse_day(self.query_one("#pay-on", Input).value),
            receipt_email=self.query_one("#receipt-email", Input).value.strip(),
            accepted_fees_cents=self.quoted[1],
        )

    def refused(self, error: ApiError) -> None:
        super().refused(error)
        if error.code == "fees_changed":  # the fee moved since it was shown: show the new one
            self._price()


class ChangeScheduleDialog(_FormDialog[ScheduleChange]):
    """A new date (and, for an amount, a new amount) for one scheduled payment."""

    def __init__(
        self,
        scheduled: ScheduledPayment,
        today: dt.date,
        *,
        save: Callable[[ScheduleChange], Awaitable[ScheduledPayment]],
    ) -> None:
        super().__init__(save)
        self.scheduled = scheduled
        self.today = today

    def compose(self) -> ComposeResult:
        scheduled = self.scheduled
        with Vertical(classes="dialog ask-dialog", id="change-schedule-dialog"):
            yield Static("Change the scheduled payment", classes="dialog-title")
            with Horizontal(classes="field-row"):
                yield Label("On (YYYY-MM-DD)", classes="field-label")
                yield DateInput(
                    scheduled.pay_on.isoformat(),
                    id="pay-on",
                    compact=True,
                    validators=[Check(lambda value: date_problem(value, self.today, None))],
                )
            if scheduled.target.get("type") == "amount":
                with Horizontal(classes="field-row"):
                    yield Label("Amount", classes="field-label")
                    yield MoneyInput(input_dollars(scheduled.amount_cents), id="amount")
            yield StatusLine()
            with Horizontal(classes="buttons"):
                yield Button("Save", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#pay-on", Input).focus()

    def read(self) -> ScheduleChange:
        field = self.query_one("#pay-on", Input)
        problem = first_problem(field)
        if problem:
            raise FieldProblem(field, problem)
        amounts = self.query("#amount")
        cents = amounts.first(MoneyInput).cents if amounts else None
        return ScheduleChange(pay_on=parse_day(field.value), amount_cents=cents)
