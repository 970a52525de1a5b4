"""Scheduled payments: a payment on a chosen date, on or before the due date, with a saved method.
The list, a new one, a new date (or amount), and cancel, each until its date.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.reactive import var
from textual.widgets import DataTable, Static

from tui.api import (
    AmountTarget,
    ApiError,
    BalanceTarget,
    InvoicesTarget,
    PartIn,
    PaymentRequest,
    Quote,
    SavedMethodRef,
    ScheduledPayment,
)
from tui.api.early import EarlyAnswer
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.screens.schedule_dialogs import ChangeScheduleDialog, NewSchedule, ScheduleChange, ScheduleDialog
from tui.widgets.formatting import format_date
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import Account, AccountRef, InvoiceRow, Page, PaymentMethod, Summary

STATUS = {
    "scheduled": "Scheduled",
    "paid": "Paid",
    "failed": "Failed",
    "skipped": "Skipped",
    "cancelled": "Cancelled",
}
NO_METHODS = (
    "A scheduled payment uses a saved card or bank account: add one under Payment methods (w on home), "
    "or save one when you next pay."
)


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

    # What the keys depend on (see check_action): the footer and palette follow them.
    items: var[list[ScheduledPayment]] = var(list, bindings=True)
    methods: var[list[PaymentMethod]] = var(list, bindings=True)
    today: var[dt.date | None] = var(None, bindings=True)

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account = account
        self.invoices: list[InvoiceRow] = []
        self.email = ""
        self.balance_cents = 0
        # Asked now: answered while the screen is built (tui/api/early.py).
        self._first = EarlyAnswer(self._ask)

    def _ask(
        self,
    ) -> Awaitable[tuple[Page[ScheduledPayment], Page[PaymentMethod], Page[InvoiceRow], Summary, Account]]:
        client, account_id = self.client, self.account.id
        return asyncio.gather(
            client.scheduled_payments(account_id, limit=200),
            client.payment_methods(account_id),
            client.invoices(account_id, status="open", limit=200),
            client.summary(account_id),
            client.account(account_id),
        )

    def compose_body(self) -> ComposeResult:
        yield Static(
            f"Scheduled payments · account {escape(self.account.account_number)}", id="scheduled-title"
        )
        yield StatusLine(id="scheduled-message")
        yield DataTable(id="scheduled", cursor_type="row", zebra_stripes=True)
        yield Static("", id="scheduled-hint", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#scheduled", DataTable)
        for label in ("Pay on", "For", "Amount", "Fee", "With", "Status"):
            table.add_column(label, key=label.lower())
        self.load()

    def on_unmount(self) -> None:
        self._first.drop()  # closed before its first load read it

    @work(exclusive=True, exit_on_error=False, group="scheduled")
    async def load(self) -> None:
        table = self.query_one("#scheduled", DataTable)
        if not self._first.ready:  # an early answer in already needs no loading state
            table.loading = True
        try:
            page, methods, invoices, summary, account = await self._first.take()
        finally:
            table.loading = False
        # The keys' three inputs set together, then one bindings refresh: each var's own refresh
        # recomposed the footer once more (three recomposes of every key per opening).
        self.set_reactive(ScheduledPaymentsScreen.items, list(page.items))
        self.set_reactive(ScheduledPaymentsScreen.methods, list(methods.items))
        self.set_reactive(ScheduledPaymentsScreen.today, summary.today or dt.date.today())
        self.refresh_bindings()
        self.invoices = list(invoices.items)
        self.balance_cents = summary.balance_due_cents
        self.email = account.email or ""
        self._fill()

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
                Text(format_cents(item.fees_cents) if item.fees_cents else "none", justify="right"),
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
        dialog = ScheduleDialog(
            self.invoices,
            self.methods,
            self.today,
            self.email,
            self.balance_cents,
            save=self.create,
            quote=self.quote_schedule,
        )
        self.app.push_screen(dialog, self._scheduled)

    async def quote_schedule(
        self, target: InvoicesTarget | AmountTarget | BalanceTarget, method_id: int
    ) -> Quote:
        """The dialog's fee line: what paying it with that saved method would cost (nothing changes)."""
        body = PaymentRequest(
            target=target,
            parts=[PartIn(method=SavedMethodRef(payment_method_id=method_id))],
            receipt_email=self.email or "receipt@example.com",
        )
        return await self.client.quote(self.account.id, body)

    async def create(self, new: NewSchedule) -> ScheduledPayment:
        """The dialog's save: it shows a refusal itself and stays open."""
        return await self.client.schedule_payment(
            self.account.id,
            new.target,
            new.payment_method_id,
            new.pay_on,
            new.receipt_email,
            accepted_fees_cents=new.accepted_fees_cents,
        )

    def _scheduled(self, made: ScheduledPayment | None) -> None:
        if made is None:
            return
        fee = f", fee {format_cents(made.fees_cents)}" if made.fees_cents else ", no fee"
        self.say(
            f"Scheduled: {format_cents(made.amount_cents)}{fee}, on {format_date(made.pay_on)} with "
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
        dialog = ChangeScheduleDialog(item, self.today, save=partial(self.change, item))
        self.app.push_screen(dialog, self._changed)

    async def change(self, item: ScheduledPayment, change: ScheduleChange) -> ScheduledPayment:
        """The dialog's save: it shows a refusal itself and stays open."""
        return await self.client.change_scheduled(
            item.id, pay_on=change.pay_on, amount_cents=change.amount_cents
        )

    def _changed(self, changed: ScheduledPayment | None) -> None:
        if changed is None:
            return
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
            no="Keep it",
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
        await self.client.cancel_scheduled(item.id)
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
