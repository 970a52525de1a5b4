"""Scheduled payments: a payment on a chosen date, on or before the due date, with a saved method.
The list, a new one, a new date (or amount), and cancel, each until its date.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tui.api import AmountTarget, ApiError, BalanceTarget, InvoicesTarget, InvoiceToPay, ScheduledPayment
from tui.checks import day_problem, email_problem, parse_day
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import format_date
from tui.widgets.pay_fields import Check, FieldProblem, MoneyInput, first_problem

if TYPE_CHECKING:
    from tui.api import AccountRef, InvoiceRow, PaymentMethod

STATUS = {"scheduled": "Scheduled", "paid": "Paid", "failed": "Failed", "cancelled": "Cancelled"}
NO_METHODS = "A scheduled payment uses a saved card or bank account: save one when you next pay."


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


class _FormDialog(ModalScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="schedule_dialog.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="schedule_dialog.save", tooltip="Save this scheduled payment"),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        try:
            self.dismiss(self.read())
        except FieldProblem as problem:
            message = self.query_one(".message", Static)
            message.update(escape(problem.message))
            message.add_class("-error")
            if problem.field is not None:
                problem.field.focus()

    def read(self) -> object:
        raise NotImplementedError


class ScheduleDialog(_FormDialog):
    """What to pay (the balance, an amount or one open invoice), the saved method, the date, the receipt."""

    def __init__(
        self,
        invoices: list[InvoiceRow],
        methods: list[PaymentMethod],
        today: dt.date,
        email: str,
        balance_cents: int,
    ) -> None:
        super().__init__()
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
            yield Static("", classes="message")
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


class ChangeScheduleDialog(_FormDialog):
    """A new date (and, for an amount, a new amount) for one scheduled payment."""

    def __init__(self, scheduled: ScheduledPayment, today: dt.date) -> None:
        super().__init__()
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
                    yield MoneyInput(_dollars(scheduled.amount_cents), id="amount")
            yield Static("", classes="message")
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


class ScheduledPaymentsScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="scheduled.back", tooltip="Back to the invoices"),
        Binding(
            "n", "new", "Schedule", id="scheduled.new", tooltip="Schedule a payment on a date you choose"
        ),
        Binding("e", "change", "Change", id="scheduled.change", tooltip="Change the date (or amount)"),
        Binding("x", "cancel_payment", "Cancel payment", id="scheduled.cancel", tooltip="Cancel it"),
        Binding("r", "refresh", "Refresh", id="scheduled.refresh", tooltip="Ask the server again"),
    ]

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account = account
        self.items: list[ScheduledPayment] = []
        self.methods: list[PaymentMethod] = []
        self.invoices: list[InvoiceRow] = []
        self.today: dt.date | None = None
        self.email = ""
        self.balance_cents = 0

    def compose_body(self) -> ComposeResult:
        yield Static(
            f"Scheduled payments · account {escape(self.account.account_number)}", id="scheduled-title"
        )
        yield Static("", id="scheduled-message", classes="message")
        yield DataTable(id="scheduled", cursor_type="row", zebra_stripes=True)
        yield Static("", id="scheduled-hint", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#scheduled", DataTable)
        for label in ("Pay on", "For", "Amount", "With", "Status"):
            table.add_column(label, key=label.lower())
        self.load()

    @work(exclusive=True, exit_on_error=False, group="scheduled")
    async def load(self) -> None:
        client, account_id = self.app.client, self.account.id
        table = self.query_one("#scheduled", DataTable)
        table.loading = True
        try:
            page, methods, invoices, summary, account = await asyncio.gather(
                client.scheduled_payments(account_id, limit=200),
                client.payment_methods(account_id),
                client.invoices(account_id, status="open", limit=200),
                client.summary(account_id),
                client.account(account_id),
            )
        finally:
            table.loading = False
        self.items = list(page.items)
        self.methods = list(methods.items)
        self.invoices = list(invoices.items)
        self.today = summary.today or dt.date.today()
        self.balance_cents = summary.balance_due_cents
        self.email = account.email or ""
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        table = self.query_one("#scheduled", DataTable)
        table.clear()
        for item in self.items:
            status = STATUS.get(item.status, item.status.title())
            if item.failure_message:
                status += f": {item.failure_message}"
            table.add_row(
                format_date(item.pay_on),
                item.what,
                Text(format_cents(item.amount_cents), justify="right"),
                Text(item.method_label or ""),  # server text: never read as markup
                Text(status),
                key=str(item.id),
            )
        hint = self.query_one("#scheduled-hint", Static)
        if not self.methods:
            hint.update(NO_METHODS)
        elif not self.items:
            hint.update("No scheduled payments. Press n to schedule one.")
        else:
            hint.update("n schedules another · e changes the date · x cancels")
        table.focus()

    def retry(self) -> None:
        self.load()

    def _selected(self) -> ScheduledPayment | None:
        table = self.query_one("#scheduled", DataTable)
        if not self.items or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((item for item in self.items if str(item.id) == key), None)

    # ---- new, change, cancel ---------------------------------------------------------------------

    def action_new(self) -> None:
        if self.today is None:
            return
        dialog = ScheduleDialog(self.invoices, self.methods, self.today, self.email, self.balance_cents)
        self.app.push_screen(dialog, self._schedule)

    def _schedule(self, new: NewSchedule | None) -> None:
        if new is not None:
            self.create(new)

    @work(exclusive=True, exit_on_error=False, group="scheduled-save")
    async def create(self, new: NewSchedule) -> None:
        self.say("Scheduling…")
        made = await self.app.client.schedule_payment(
            self.account.id, new.target, new.payment_method_id, new.pay_on, new.receipt_email
        )
        self.say(
            f"Scheduled: {format_cents(made.amount_cents)} on {format_date(made.pay_on)} with "
            f"{made.method_label or 'your saved method'}."
        )
        self.load()

    def action_change(self) -> None:
        item = self._selected()
        if item is None or self.today is None:
            return
        if item.status != "scheduled":
            self.say(f"This payment is {STATUS.get(item.status, item.status).lower()}: it cannot be changed.")
            return
        self.app.push_screen(
            ChangeScheduleDialog(item, self.today), lambda change: self._change(item, change)
        )

    def _change(self, item: ScheduledPayment, change: ScheduleChange | None) -> None:
        if change is not None:
            self.change(item, change)

    @work(exclusive=True, exit_on_error=False, group="scheduled-save")
    async def change(self, item: ScheduledPayment, change: ScheduleChange) -> None:
        self.say("Saving…")
        changed = await self.app.client.change_scheduled(
            item.id, pay_on=change.pay_on, amount_cents=change.amount_cents
        )
        self.say(f"Changed: {format_cents(changed.amount_cents)} on {format_date(changed.pay_on)}.")
        self.load()

    def action_cancel_payment(self) -> None:
        from tui.screens.dialogs import QuestionDialog

        item = self._selected()
        if item is None:
            return
        if item.status != "scheduled":
            self.say(f"This payment is {STATUS.get(item.status, item.status).lower()}: nothing to cancel.")
            return
        question = QuestionDialog(
            "Cancel this scheduled payment?",
            f"{format_cents(item.amount_cents)} on {format_date(item.pay_on)} will not be paid.",
            "Cancel payment",
        )
        self.app.push_screen(question, lambda yes: self._cancel(item, yes))

    def _cancel(self, item: ScheduledPayment, yes: bool | None) -> None:
        if yes:
            self.cancel(item)
        else:
            self.say("The scheduled payment is unchanged.")

    @work(exclusive=True, exit_on_error=False, group="scheduled-save")
    async def cancel(self, item: ScheduledPayment) -> None:
        self.say("Cancelling…")
        await self.app.client.cancel_scheduled(item.id)
        self.say(f"Cancelled the payment of {format_cents(item.amount_cents)} on {format_date(item.pay_on)}.")
        self.load()

    # ---- keys and messages -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new":
            return bool(self.methods) and self.today is not None
        if action in ("change", "cancel_payment"):
            return any(item.status == "scheduled" for item in self.items)
        return True

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and self.today is not None:
            self.say(str(error), error=True)
            return True
        return False

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#scheduled-message", Static)
        message.update(escape(text))
        message.set_class(error, "-error")


def _dollars(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"{dollars}.{rest:02d}"
