"""The customer 360: everything a clerk needs on the call, on one screen, said about the customer.

Balances (due, past due, in progress, credit, next due), the open invoices, autopay and paperless,
the last payments with returns and declines in words, the account's notices, and the earlier calls'
notes. From here: pay (the wizard in clerk mode), statement, history, an invoice's detail and PDF,
the audit trail, the profile (Settings, `e`) and the wrap-up. The screen asks the server; its
widgets are given what it got.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Static

from tui.api import AccountRef, ApiError, NotAuthenticated, ServerUnavailable, SessionIdle
from tui.screens.base import PaydeskScreen
from tui.widgets.account_state import AccountState
from tui.widgets.balance_card import BalanceCard
from tui.widgets.invoice_table import InvoiceTable
from tui.widgets.note_list import NoteList
from tui.widgets.notice_list import NoticeList
from tui.widgets.recent_payments import RecentPayments

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from tui.api import AccountMatch, Payment

RECENT_PAYMENTS = 5
NOTES_SHOWN = 5
NOTICES_SHOWN = 5


async def optional(call: Awaitable[Any]) -> Any:
    """A part of the 360 the server may not offer (an older backend): its error, not the screen's.

    Losing the server or the session still fails the whole load, so the app's one handler sees it.
    """
    try:
        return await call
    except (ServerUnavailable, NotAuthenticated, SessionIdle):
        raise
    except ApiError as error:
        return error


class CustomerScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "pay",
            "Pay",
            id="customer.pay",
            tooltip="Take a payment by phone: the selected invoices, else the balance or any amount",
        ),
        Binding(
            "t",
            "statement",
            "Statement",
            id="customer.statement",
            tooltip="The customer's account history with a running balance",
        ),
        Binding(
            "h",
            "payment_history",
            "History",
            id="customer.history",
            tooltip="The customer's payments, newest first",
        ),
        Binding(
            "i",
            "open_invoice",
            "Invoice",
            id="customer.invoice",
            tooltip="The invoice under the cursor: its lines, payments and PDF (Enter in the table too)",
            show=False,
        ),
        Binding("a", "audit", "Audit", id="customer.audit", tooltip="Who did what on this account"),
        Binding(
            "e",
            "profile",
            "Profile",
            id="customer.profile",
            tooltip="Change the customer's email, phone, service address, paperless or texts",
            show=False,
        ),
        Binding(
            "n",
            "notes",
            "Notes",
            id="customer.notes",
            tooltip="The earlier calls' notes, at the foot of this screen",
            show=False,
        ),
        # The footer shows the app's F4 for the wrap-up: w is the same, one letter away.
        Binding(
            "w",
            "wrap_up",
            "Wrap-up",
            id="customer.wrap_up",
            tooltip="Write the call's note and how it ended",
            show=False,
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="customer.refresh",
            tooltip="Ask the server again for all of it",
            show=False,
        ),
    ]
    COMPACT_FOOTER = True

    def __init__(self, match: AccountMatch) -> None:
        super().__init__()
        self.match = match
        self.payments: list[Payment] = []

    @property
    def account_ref(self) -> AccountRef:
        """The account as the shared screens (statement, history) take it."""
        return AccountRef(id=self.match.id, account_number=self.match.account_number, name=self.match.name)

    def compose_body(self) -> ComposeResult:
        number, name = escape(self.match.account_number), escape(self.match.name)
        yield Static(f"Customer {number} · {name} · identity confirmed", id="clerk-banner")
        yield BalanceCard("")
        with VerticalScroll(id="customer-360"):
            yield Static("Open invoices", classes="section-title")
            yield InvoiceTable(
                self.match.id,
                "open",
                "No open invoices: the customer owes nothing.",
                source=self.client,
                id="customer-invoices",
            )
            yield Static("Autopay and paperless", classes="section-title")
            yield AccountState(id="account-state", classes="section")
            yield Static("Notices", classes="section-title")
            yield NoticeList(id="notices", classes="section")
            yield Static("Last payments", classes="section-title")
            yield RecentPayments(id="recent-payments", classes="section")
            yield Static("Notes from earlier calls", classes="section-title")
            yield NoteList(id="notes", classes="section")

    def on_mount(self) -> None:
        self.load()
        self.query_one(InvoiceTable).reload()
        # The focus on the whole view: arrows and Page Down scroll to the notes at 80x24, the footer
        # shows the 360's keys, and Tab goes into the invoices (Space selects, Enter opens one).
        self.query_one("#customer-360", VerticalScroll).focus()

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(InvoiceTable).fit_width(event.size.width)

    # ---- data ----------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="load")
    async def load(self) -> None:
        client, account_id = self.client, self.match.id
        card = self.query_one(BalanceCard)
        card.summary = None
        for section in self.query(".section"):
            section.loading = True
        try:
            summary, account, payments, notices, notes = await asyncio.gather(
                client.summary(account_id),
                client.account(account_id),
                client.payments(account_id, limit=RECENT_PAYMENTS),
                optional(client.notices(account_id, limit=NOTICES_SHOWN)),
                optional(client.notes(account_id, limit=NOTES_SHOWN)),
            )
        finally:
            for section in self.query(".section"):
                section.loading = False
        card.summary = summary
        self.query_one(AccountState).show(account)
        self.payments = list(payments.items)
        self.query_one(RecentPayments).show(self.payments)
        notice_list = self.query_one(NoticeList)
        if isinstance(notices, ApiError):
            notice_list.unavailable(f"Notices could not be read: {notices}")
        else:
            notice_list.show(list(notices.items), notices.total_count)
        note_list = self.query_one(NoteList)
        if isinstance(notes, ApiError):
            note_list.unavailable(f"Notes could not be read: {notes}")
        else:
            note_list.show(list(notes.items), notes.total_count)

    def retry(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()
        self.query_one(InvoiceTable).reload()

    # ---- keys ----------------------------------------------------------------------------------

    def action_pay(self) -> None:
        from tui.screens.pay import PayScreen

        # Nothing selected is not a mistake here: the wizard then offers the balance, preselected.
        selected = self.query_one(InvoiceTable).selection()
        check = self.app.call.identity_check
        # The payment names this call's identity check (the server refuses a clerk's payment without one).
        wizard = PayScreen(self.match, selected, clerk=True, identity_check_id=check.id if check else None)
        self.app.push_screen(wizard, self._after_payment)

    def _after_payment(self, payment: Payment | None) -> None:
        if payment is not None:
            self.app.call.payments.append(payment)
            self.action_refresh()

    def action_statement(self) -> None:
        from tui.screens.statement import StatementScreen

        summary = self.query_one(BalanceCard).summary  # its today: the statement's first guess
        self.app.push_screen(StatementScreen(self.account_ref, today_hint=summary.today if summary else None))

    def action_payment_history(self) -> None:
        from tui.screens.payment_history import PaymentHistoryScreen

        self.app.push_screen(PaymentHistoryScreen(self.match))

    def action_open_invoice(self) -> None:
        row = self.query_one(InvoiceTable).current_row()
        if row is not None:
            self._open(row.id, row.number)

    @on(InvoiceTable.OpenInvoice)
    def _open_invoice(self, event: InvoiceTable.OpenInvoice) -> None:
        self._open(event.invoice.id, event.invoice.number)

    def _open(self, invoice_id: int, number: str) -> None:
        from tui.screens.invoice_detail import InvoiceDetailScreen

        self.app.push_screen(InvoiceDetailScreen(invoice_id, number))

    def action_audit(self) -> None:
        from tui.screens.clerk.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.match))

    def action_profile(self) -> None:
        from tui.screens.settings import SettingsScreen

        # The customer's own Settings screen: a new email waits there for the code the customer reads out.
        self.app.push_screen(SettingsScreen(self.account_ref))

    def action_notes(self) -> None:
        view = self.query_one("#customer-360", VerticalScroll)
        view.focus()
        view.scroll_end(animate=False)

    def action_wrap_up(self) -> None:
        self.app.open_wrap_up()

    def after_wrap_up(self) -> None:
        """The note just saved shows with the earlier ones."""
        self.load()
