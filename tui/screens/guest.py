"""Pay without an account: the account number and last name open a short guest session that shows the
balance and the open invoices, and runs the payment wizard once (new card or bank only, nothing saved,
the receipt email typed by the guest). After the receipt, the session ends and the login screen returns.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Static

from tui.api import AccountRef, ApiError, InvoiceRow, Payment
from tui.checks import required
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.balance_card import BalanceCard
from tui.widgets.invoice_table import InvoiceTable
from tui.widgets.pay_fields import Check, SayingInput, first_problem
from tui.widgets.status_line import StatusLine


class GuestLookupScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "find", "Find my bill", id="guest.find", tooltip="Find the account to pay"),
        Binding("escape", "back", "Back", id="guest.back", tooltip="Back to sign in"),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="guest-form", classes="form"):
            yield Static("Pay without an account", classes="form-title")
            yield Static(
                "A one-time payment: no sign-in needed. Enter the account number on your bill and the "
                "account holder's last name.",
                classes="hint",
            )
            yield SayingInput(  # says what it leaves out (issue 11 item 12)
                placeholder="Account number",
                id="guest-account-number",
                what="an account number",
                takes="An account number is digits",
                restrict=r"[0-9 ]*",
                max_length=20,
                validators=[Check(required("account number"))],
                validate_on=["submitted"],
            )
            yield SayingInput(
                placeholder="Last name",
                id="guest-last-name",
                what="a last name",
                max_length=100,
                validators=[Check(required("last name"))],
                validate_on=["submitted"],
            )
            yield StatusLine(id="guest-message")
            yield Button("Find my bill", id="find", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#guest-account-number", Input).focus()

    @on(Input.Submitted, "#guest-account-number")
    def _number_done(self) -> None:
        self.query_one("#guest-last-name", Input).focus()

    @on(Input.Submitted, "#guest-last-name")
    @on(Button.Pressed, "#find")
    def action_find(self) -> None:
        for selector in ("#guest-account-number", "#guest-last-name"):
            field = self.query_one(selector, Input)
            problem = first_problem(field)
            if problem:
                self.say(problem, error=True)
                field.focus()
                return
        number = self.query_one("#guest-account-number", Input).value.replace(" ", "")
        self.say("")
        self.find(number, self.query_one("#guest-last-name", Input).value.strip())

    @work(exclusive=True, exit_on_error=False)
    async def find(self, account_number: str, last_name: str) -> None:
        button = self.query_one("#find", Button)
        button.loading = True
        try:
            session = await self.client.guest_lookup(account_number, last_name)
        finally:
            button.loading = False
        # The guest token lives in the client only: never remembered, never a signed-in person.
        account = AccountRef(id=session.account_id, account_number=account_number, name="")
        self.app.reset_to(GuestHomeScreen(account))

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError):
            self.say(str(error), error=True)
            return True
        return False

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#guest-message", StatusLine).say(text, error=error)

    def action_back(self) -> None:
        self.app.pop_screen()


class GuestHomeScreen(PaydeskScreen):
    """The balance and the open invoices, and nothing else: no history, settings or statement."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "pay_selected",
            "Pay",
            id="guest_home.pay",
            tooltip="Pay the selected invoices (Space selects, Ctrl+A selects all)",
        ),
        Binding(
            "m",
            "make_payment",
            "Make a payment",
            id="guest_home.make_payment",
            tooltip="Pay the balance due or any amount",
        ),
        Binding(
            "escape",
            "leave",
            "Leave",
            id="guest_home.leave",
            tooltip="End this one-time payment session without paying",
        ),
    ]

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account = account

    def compose_body(self) -> ComposeResult:
        yield BalanceCard(f"One-time payment · account {escape(self.account.account_number)}")
        empty = "No open invoices: nothing to pay."
        yield InvoiceTable(self.account.id, "open", empty, source=self.client, id="guest-invoices")

    def on_mount(self) -> None:
        self.load_summary()
        table = self.query_one(InvoiceTable)
        table.ensure_loaded()
        self.call_after_refresh(table.focus_rows)

    @work(exclusive=True, exit_on_error=False, group="summary")
    async def load_summary(self) -> None:
        card = self.query_one(BalanceCard)
        card.summary = None
        card.summary = await self.client.summary(self.account.id)

    def retry(self) -> None:
        self.load_summary()

    @on(InvoiceTable.OpenInvoice)
    def _no_details(self, event: InvoiceTable.OpenInvoice) -> None:
        event.stop()  # a guest session shows the open invoices, not their pages

    def action_pay_selected(self) -> None:
        if selected := self.query_one(InvoiceTable).selection_to_pay():
            self._open_wizard(selected)

    def action_make_payment(self) -> None:
        self._open_wizard([])

    def _open_wizard(self, invoices: list[InvoiceRow]) -> None:
        from tui.screens.pay import PayScreen

        self.app.push_screen(PayScreen(self.account, invoices, guest=True), self._after_payment)

    def _after_payment(self, payment: Payment | None) -> None:
        if payment is None:
            return
        # One payment per guest session: the receipt was shown; the session is spent.
        email = payment.receipt_email
        where = f" A receipt is on its way to {escape(email)}." if email else ""  # shown as markup
        self.app.end_guest(f"Thank you: {format_cents(payment.total_cents)} paid.{where}")

    def action_leave(self) -> None:
        self.app.end_guest("You left the one-time payment. Nothing was paid.")
