"""Payment history: the account's payments, newest first, paged from the server; Enter opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import DataTable, Static

from tui.api import Payment
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import format_date, near_end, plain_cells
from tui.widgets.payment_view import methods_label, payment_status, payment_view

if TYPE_CHECKING:
    from tui.api import AccountMatch, AccountRef

PAGE_SIZE = 50
NEAR_END = 10


class PaymentHistoryScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to the invoices"),
        Binding("r", "refresh", "Refresh", id="history.refresh", tooltip="Ask the server again"),
    ]

    def __init__(self, account: AccountRef | AccountMatch) -> None:
        super().__init__()
        self.account = account
        self.payments: list[Payment] = []
        self.total = 0
        self.next_cursor: str | None = None
        self.loading_more = False

    def compose_body(self) -> ComposeResult:
        yield Static(f"Payment history · account {escape(self.account.account_number)}", id="history-title")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-count", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for label in ("Date", "Confirmation", "Method", "Amount", "Fees", "Status"):
            table.add_column(label, key=label.lower())
        table.focus()
        self.load_page(None)

    @work(exclusive=True, exit_on_error=False, group="history")
    async def load_page(self, cursor: str | None) -> None:
        table = self.query_one("#history", DataTable)
        self.loading_more = True
        if cursor is None:
            table.loading = True
        try:
            page = await self.client.payments(self.account.id, limit=PAGE_SIZE, cursor=cursor)
        finally:
            table.loading = False
            self.loading_more = False
        if cursor is None:
            self.payments = []
            table.clear()
        self.total = page.total_count
        self.next_cursor = page.next_cursor
        for payment in page.items:
            self.payments.append(payment)
            table.add_row(
                *plain_cells(
                    format_date(payment.created_on or payment.created_at.date()),
                    payment.confirmation_number,
                    methods_label(payment.parts, name_max=12),  # the status must fit 80 columns
                    Text(format_cents(payment.amount_cents), justify="right"),
                    Text(format_cents(payment.fees_cents), justify="right"),
                    payment_status(payment),
                ),
                key=str(payment.id),
            )
        self._show_count()
        if cursor is None:
            table.focus()

    def _show_count(self) -> None:
        count = self.query_one("#history-count", Static)
        if not self.payments:
            count.update("No payments in the last 36 months.")
            return
        more = " · move down for more" if self.next_cursor else ""
        count.update(f"{len(self.payments)} of {self.total} loaded{more} · Enter shows a payment")

    @on(DataTable.RowHighlighted, "#history")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        rows = event.data_table.row_count
        if near_end(event.cursor_row, rows, NEAR_END, self.next_cursor, self.loading_more):
            self.load_page(self.next_cursor)

    @on(DataTable.RowSelected, "#history")
    def _open(self, event: DataTable.RowSelected) -> None:
        payment = next((p for p in self.payments if str(p.id) == event.row_key.value), None)
        if payment is not None:
            self.app.push_screen(PaymentDetailScreen(payment))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load_page(None)

    def retry(self) -> None:
        self.load_page(self.next_cursor if self.payments else None)


class PaymentDetailScreen(PaydeskScreen):
    """One payment, as its receipt read; asks the server again so a settled or returned ACH shows so."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="payment.back", tooltip="Back to the payment history"),
    ]

    def __init__(self, payment: Payment) -> None:
        super().__init__()
        self.payment = payment

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="payment-detail"):
            yield Static(f"Payment {escape(self.payment.confirmation_number)}", id="payment-title")
            yield Static(payment_view(self.payment), id="payment-body")

    def on_mount(self) -> None:
        self.query_one("#payment-detail").focus()
        self.reload()

    @work(exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        self.payment = await self.client.payment(self.payment.id)
        self.query_one("#payment-body", Static).update(payment_view(self.payment))

    def retry(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
