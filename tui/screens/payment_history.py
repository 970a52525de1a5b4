"""Payment history: the account's payments, newest first, paged from the server; Enter opens one.

A clerk also undoes the selected payment here: Void (a card payment of today, a pending bank payment)
or Refund (a settled card payment), each a dialog (tui/screens/undo_dialogs.py). A customer sees the
statuses they lead to (voided, refunded, partly refunded, with the amounts), never the actions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.reactive import var
from textual.widgets import DataTable, Static

from tui.api import Payment, Refund
from tui.api.early import EarlyAnswer
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import cut_name, format_date, near_end, plain_cells, spare_width
from tui.widgets.payment_view import payment_status, payment_view
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import AccountMatch, AccountRef, Page

PAGE_SIZE = 50
NEAR_END = 10


def can_void(payment: Payment, today: dt.date | None) -> bool:
    """A pending bank payment, or a card payment of today (the business date) with nothing refunded.
    The server decides (409 too_late_to_void); this only greys the key out when it cannot."""
    if payment.refunded_cents or payment.status not in ("succeeded", "pending"):
        return False
    if payment.status == "pending":
        return True
    made_on = payment.created_on or payment.created_at.date()
    cards_only = all(part.method.type == "card" for part in payment.parts)
    return cards_only and (today is None or made_on == today)


def can_refund(payment: Payment) -> bool:
    """A settled card payment with money left to give back, or the card part of a split whose bank part
    was returned (the card's money stayed paid)."""
    if payment.status == "returned":
        paid_by_card = any(p.method.type == "card" and p.status == "succeeded" for p in payment.parts)
        return paid_by_card and payment.refundable_cents > 0
    has_card = any(part.method.type == "card" for part in payment.parts)
    settled = payment.status in ("succeeded", "partially_refunded")
    return has_card and settled and payment.refundable_cents > 0


class PaymentHistoryScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to the invoices"),
        Binding("r", "refresh", "Refresh", id="history.refresh", tooltip="Ask the server again"),
        Binding(
            "v",
            "void",
            "Void",
            id="history.void",
            tooltip="Clerks: void the selected payment (a card payment of today, a pending bank payment)",
        ),
        Binding(
            "f",
            "refund",
            "Refund",
            id="history.refund",
            tooltip="Clerks: refund all or part of the selected settled card payment",
        ),
    ]

    # The payment under the cursor and the server's today decide Void and Refund (footer and palette).
    selected: var[Payment | None] = var(None, bindings=True)
    today: var[dt.date | None] = var(None, bindings=True)

    def __init__(self, account: AccountRef | AccountMatch) -> None:
        super().__init__()
        self.account = account
        self.payments: list[Payment] = []
        self.total = 0
        self.next_cursor: str | None = None
        self.loading_more = False
        self.keep_cursor_on: int | None = None  # the payment just undone, found again after the reload
        # The first page, asked now: answered while the screen is built (tui/api/early.py).
        self._first = EarlyAnswer(lambda: asyncio.ensure_future(self._ask_page(None)))

    def _ask_page(self, cursor: str | None) -> Awaitable[Page[Payment]]:
        return self.client.payments(self.account.id, limit=PAGE_SIZE, cursor=cursor)

    @property
    def clerk(self) -> bool:
        return self.app.is_clerk()

    def compose_body(self) -> ComposeResult:
        yield Static(self._title(), id="history-title")
        yield StatusLine(id="history-message", hide_empty=True)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-count", classes="hint")

    def _title(self) -> str:
        number = escape(self.account.account_number)
        if self.clerk:
            return f"The customer's payments · account {number} · {escape(self.account.name)}"
        return f"Payment history · account {number}"

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        self._add_columns(table, [])
        table.focus()
        self.load_page(None)
        if self.clerk:
            self.load_today()

    def on_unmount(self) -> None:
        self._first.drop()  # closed before its first load read it

    def _add_columns(self, table: DataTable, payments: list[Payment]) -> None:
        """Every column whole at 80 columns: a status wraps in its own width ("Refunded" over "$20.00"),
        the method column gets the room the first page leaves, and each method of a split takes its own
        line, its name cut with "…" and its last 4 digits kept (Enter shows the payment in full)."""
        self.status_width = 9 if self.app.size.width < 100 else 16
        amounts = [format_cents(p.amount_cents) for p in payments]
        fees = [format_cents(p.fees_cents) for p in payments]
        columns = [["Nov 22, 2026"], ["Confirmation", *(p.confirmation_number for p in payments)]]
        columns += [["Amount", *amounts], ["Fees", *fees], ["x" * self.status_width]]
        # No wider than the names need (a later page's longer name is cut, its last 4 kept).
        widest = max((len(part.method.label) for p in payments for part in p.parts), default=0)
        self.method_width = max(14, min(spare_width(self.app.size.width - 2, columns), max(widest, 24)))
        table.clear(columns=True)
        widths = {"method": self.method_width, "status": self.status_width}
        for label in ("Date", "Confirmation", "Method", "Amount", "Fees", "Status"):
            table.add_column(label, key=label.lower(), width=widths.get(label.lower()))

    @work(exclusive=True, exit_on_error=False, group="today")
    async def load_today(self) -> None:
        """The backend's today: a card payment is voided on the day it was made."""
        summary = await self.client.summary(self.account.id)
        self.today = summary.today

    @work(exclusive=True, exit_on_error=False, group="history")
    async def load_page(self, cursor: str | None) -> None:
        table = self.query_one("#history", DataTable)
        self.loading_more = True
        if cursor is None and not self._first.ready:  # an early answer in already needs no loading state
            table.loading = True
        try:
            page = await (self._first.take() if cursor is None else self._ask_page(cursor))
        finally:
            table.loading = False
            self.loading_more = False
        if cursor is None:
            self.payments = []
            self._add_columns(table, page.items)
            self.selected = None
        self.total = page.total_count
        self.next_cursor = page.next_cursor
        for payment in page.items:
            self.payments.append(payment)
            table.add_row(
                *plain_cells(
                    format_date(payment.created_on or payment.created_at.date()),
                    payment.confirmation_number,
                    "\n".join(cut_name(part.method.label, self.method_width) for part in payment.parts),
                    Text(format_cents(payment.amount_cents), justify="right"),
                    Text(format_cents(payment.fees_cents), justify="right"),
                    payment_status(payment),
                ),
                key=str(payment.id),
                height=None,  # a split's methods and a long status take more lines, never cut
            )
        self._show_count()
        if cursor is None:
            table.focus()
            self._cursor_back()

    def _cursor_back(self) -> None:
        """After an undo the list is read again: the cursor goes back to the payment undone."""
        wanted, self.keep_cursor_on = self.keep_cursor_on, None
        table = self.query_one("#history", DataTable)
        if wanted is not None and str(wanted) in {key.value for key in table.rows}:
            table.move_cursor(row=table.get_row_index(str(wanted)), animate=False)
        self._highlighted(table.cursor_row)

    def _show_count(self) -> None:
        count = self.query_one("#history-count", Static)
        if not self.payments:
            lead = "The customer has no payments" if self.clerk else "No payments"
            count.update(f"{lead} in the last 36 months.")
            return
        more = " · move down for more" if self.next_cursor else ""
        count.update(f"{len(self.payments)} of {self.total} loaded{more} · Enter shows a payment")

    @on(DataTable.RowHighlighted, "#history")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        self._highlighted(event.cursor_row)
        rows = event.data_table.row_count
        if near_end(event.cursor_row, rows, NEAR_END, self.next_cursor, self.loading_more):
            self.load_page(self.next_cursor)

    def _highlighted(self, row: int) -> None:
        self.selected = self.payments[row] if 0 <= row < len(self.payments) else None

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

    # ---- undo (clerks) -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("void", "refund"):
            return True
        if not self.clerk:
            return False  # a customer never sees the actions (not in the footer, not in the palette)
        payment = self.selected
        if payment is None:
            return None
        allowed = can_void(payment, self.today) if action == "void" else can_refund(payment)
        return True if allowed else None  # shown greyed out when this payment cannot

    def action_void(self) -> None:
        from tui.screens.undo_dialogs import VoidDialog

        if self.selected is not None and self.clerk:
            payment = self.selected
            self.app.push_screen(VoidDialog(payment), lambda done: self._undone(payment, done))

    def action_refund(self) -> None:
        from tui.screens.undo_dialogs import RefundDialog

        if self.selected is not None and self.clerk:
            payment = self.selected
            self.app.push_screen(RefundDialog(payment), lambda done: self._undone(payment, done))

    def _undone(self, payment: Payment, done: Payment | Refund | None) -> None:
        if done is None:
            return
        if isinstance(done, Refund):
            text = f"Refunded {format_cents(done.amount_cents)} of payment {payment.confirmation_number}."
        else:
            text = f"Voided payment {payment.confirmation_number}: its invoices are open again."
        self.say(text)
        self.notify(escape(text), title="Payment history", timeout=5)
        self.keep_cursor_on = payment.id
        self.load_page(None)


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
