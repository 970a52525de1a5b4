"""The two forms of scheduled payments: schedule a new one, and change one's date (or amount).

Each reads what was typed (`NewSchedule`, `ScheduleChange`) and sends it with the `save` call the
screen gives it, so a refusal of the server (a date after the due date, a method gone) shows in the
dialog, which stays open with everything typed and the field the server names marked. Dismissed with
the ScheduledPayment the server holds, or None when cancelled.
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
    ScheduledPayment,
    ServerUnavailable,
    SessionIdle,
)
from tui.checks import day_problem, email_problem, parse_day
from tui.money import format_cents, input_dollars
from tui.screens.dialogs import Dialog
from tui.widgets.formatting import format_date
from tui.widgets.pay_fields import Check, FieldProblem, MoneyInput, first_problem
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
    ) -> None:
        super().__init__(save)
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
                yield Input(
                    (self.today + dt.timedelta(days=1)).isoformat(),  # today's would run at once
                    id="pay-on",
                    compact=True,
                    max_length=10,
                    restrict=r"[0-9-]*",
                    validators=[Check(lambda value: date_problem(value, self.today, self._latest()))],
                    validate_on=["submitted"],
                )
            with Horizontal(classes="field-row"):
                yield Label("Receipt email", classes="field-label")
                yield Input(self.email, id="receipt-email", compact=True, validators=[Check(email_problem)])
            yield StatusLine()
            with Horizontal(classes="buttons"):
                yield Button("Schedule", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#amount-row").display = False
        self.query_one("#what", Select).focus()

    @on(Select.Changed, "#what")
    def _what_changed(self) -> None:
        self.query_one("#amount-row").display = self.query_one("#what", Select).value == "amount"

    def _invoice(self) -> InvoiceRow | None:
        value = str(self.query_one("#what", Select).value)
        return next((row for row in self.invoices if str(row.id) == value), None)

    def _latest(self) -> dt.date | None:
        invoice = self._invoice()
        return invoice.due_on if invoice is not None else None

    def read(self) -> NewSchedule:
        what = self.query_one("#what", Select).value
        target: InvoicesTarget | AmountTarget | BalanceTarget
        if what == "balance":
            target = BalanceTarget()
        elif what == "amount":
            target = AmountTarget(amount_cents=self.query_one("#amount", MoneyInput).cents)
        else:
            invoice = self._invoice()
            assert invoice is not None
            target = InvoicesTarget(invoices=[InvoiceToPay(invoice_id=invoice.id)])
        for selector in ("#pay-on", "#receipt-email"):
            field = self.query_one(selector, Input)
            problem = first_problem(field)
            if problem:
                raise FieldProblem(field, problem)
        return NewSchedule(
            target=target,
            payment_method_id=int(self.query_one("#method", Select).value),  # type: ignore[arg-type]
            pay_on=parse_day(self.query_one("#pay-on", Input).value),
            receipt_email=self.query_one("#receipt-email", Input).value.strip(),
        )


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
                yield Input(
                    scheduled.pay_on.isoformat(),
                    id="pay-on",
                    compact=True,
                    max_length=10,
                    restrict=r"[0-9-]*",
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
