"""Home: the customer's account overview and the invoices in tabs (All / Open / In Progress / Paid).

Clerks never come here: their view of an account is the customer 360 (tui/screens/clerk/account.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from tui.api import AccountRef, InvoiceRow
from tui.screens.base import Command, PaydeskScreen
from tui.widgets.balance_card import BalanceCard
from tui.widgets.invoice_table import InvoiceTable
from tui.widgets.notice_banner import NoticeBanner

# (tab id = the server's status filter, label, what an empty tab says)
TABS = (
    ("all", "All", "No invoices on this account yet."),
    ("open", "Open", "No open invoices — you're all paid up."),
    ("in_progress", "In Progress", "No payments in progress."),
    ("paid", "Paid", "No paid invoices yet."),
)

SELF_SERVICE_ACTIONS = ("settings", "statement", "scheduled", "contact", "payment_methods")


class HomeScreen(PaydeskScreen):
    # At 80 columns the footer holds p, m, h, t, S, c and F1 (compact, without the palette hint); the
    # other keys (Space, Ctrl+A, e, r, s, w, a) have show=False and stay in F1 and the palette (Ctrl+P).
    COMPACT_FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="home.refresh",
            show=False,
            tooltip="Ask the server again for the balance and this tab",
        ),
        Binding("1", "show_tab('all')", "All", id="home.tab_all", tooltip="Every invoice", show=False),
        Binding(
            "2",
            "show_tab('open')",
            "Open",
            id="home.tab_open",
            tooltip="Invoices awaiting payment",
            show=False,
        ),
        Binding(
            "3",
            "show_tab('in_progress')",
            "In Progress",
            id="home.tab_in_progress",
            tooltip="Invoices with a payment settling",
            show=False,
        ),
        Binding("4", "show_tab('paid')", "Paid", id="home.tab_paid", tooltip="Paid invoices", show=False),
        Binding(
            "p",
            "pay_selected",
            "Pay",
            id="home.pay",
            tooltip="Pay the selected invoices (Space selects, Ctrl+A selects all)",
        ),
        Binding(
            "m",
            "make_payment",
            "Make a payment",
            id="home.make_payment",
            tooltip="Pay the balance due or any amount",
        ),
        Binding(
            "h",
            "payment_history",
            "History",
            id="home.payment_history",
            tooltip="Your past payments, newest first",
        ),
        Binding(
            "s",
            "settings",
            "Settings",
            id="home.settings",
            show=False,
            tooltip="Paperless billing, text notifications and your profile",
        ),
        Binding(
            "t",
            "statement",
            "Statement",
            id="home.statement",
            tooltip="Your account history with a running balance; export it as CSV",
        ),
        Binding(
            "S",
            "scheduled",
            "Scheduled",
            id="home.scheduled",
            tooltip="Payments on a date you choose: schedule, change or cancel them",
        ),
        Binding(
            "c",
            "contact",
            "Contact us",
            id="home.contact",
            tooltip="Our phone number, or send us a message",
        ),
        Binding(
            "w",
            "payment_methods",
            "Payment methods",
            id="home.methods",
            show=False,
            tooltip="Your saved cards and bank accounts: add one, remove one, choose the default",
        ),
        Binding(
            "a",
            "choose_account",
            "Accounts",
            id="home.accounts",
            show=False,
            tooltip="Switch to another of your accounts",
        ),
        Binding(
            "n",
            "dismiss_notice",
            "Got it",
            id="home.dismiss_notice",
            tooltip="Mark the notice on top as seen: it will not show again",
        ),
        # The app's keys, kept out of home's footer (F1 lists them): at 80 columns there is no room. They
        # carry the app's ids, so a [keymap] entry remaps them here too.
        Binding(
            "ctrl+l",
            "app.logout",
            "Log out",
            id="app.logout",
            show=False,
            tooltip="Sign out and forget this session",
        ),
        Binding(
            "f2",
            "app.toggle_inbox",
            "Inbox",
            id="app.demo_inbox",
            show=False,
            tooltip="Show or hide the demo inbox (the emails the server sends you)",
        ),
        Binding(
            "f3",
            "app.advance_clock",
            "Clock",
            id="app.demo_clock",
            show=False,
            tooltip="Demo: move the backend's clock forward (due dates, settlement, returns follow it)",
        ),
    ]

    def __init__(self, account: AccountRef | None) -> None:
        super().__init__()
        self.account = account
        self._covered_by: Screen[object] | None = None  # the screen opened over home, while it is open

    def compose_body(self) -> ComposeResult:
        account = self.account
        if account is None:
            yield Static(
                "No account is linked to your email yet. Contact us to link your account.",
                id="no-account",
                classes="message",
            )
            return
        number, name = escape(account.account_number), escape(account.name)
        yield BalanceCard(f"Account {number} · {name}")
        yield NoticeBanner(id="home-notice")
        with TabbedContent(initial="open", id="tabs"):
            for status, label, empty in TABS:
                with TabPane(label, id=status):
                    yield InvoiceTable(account.id, status, empty, source=self.client, id=f"invoices-{status}")

    def on_mount(self) -> None:
        self.query_one(Footer).show_command_palette = False  # F1 shows, and names Ctrl+P
        if self.account is not None:
            self.load_summary()
            self.call_after_refresh(self._focus_table)

    def _focus_table(self) -> None:
        table = self.current_table()
        if table is not None:
            table.ensure_loaded()
            table.focus_rows()

    # ---- data ----------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="summary")
    async def load_summary(self) -> None:
        assert self.account is not None
        card = self.query_one(BalanceCard)
        card.summary = None
        card.summary = await self.client.summary(self.account.id)
        self.load_notices()

    @work(exclusive=True, exit_on_error=False, group="notices")
    async def load_notices(self) -> None:
        """What happened to the account's money without the customer asking, until they have seen it."""
        assert self.account is not None
        page = await self.client.notices(self.account.id, limit=20)
        self.query_one(NoticeBanner).show(page.items)
        self.refresh_bindings()

    @work(exclusive=True, exit_on_error=False, group="notices")
    async def action_dismiss_notice(self) -> None:
        banner = self.query_one(NoticeBanner)
        if banner.first is None:
            return
        await self.client.mark_notice_seen(banner.first.id)
        banner.drop_first()
        self.refresh_bindings()

    # ---- back from another screen (issue 11 item 2) ----------------------------------------------

    def on_screen_suspend(self) -> None:
        # push_screen puts the new screen on the stack before this event is handled: it is on top.
        top = self.app.screen
        self._covered_by = top if top is not self else None

    def on_screen_resume(self) -> None:
        """Whatever the screen just closed, the demo clock or a job changed shows without a key: the
        summary and the tab on show ask again and draw over what is there (no loading state), the
        other tabs seen so far ask when next shown. A dialog over home (the palette, a question)
        changes nothing here, and the first showing loads in on_mount."""
        covered, self._covered_by = self._covered_by, None
        if self.account is None or covered is None or isinstance(covered, ModalScreen):
            return
        self._refresh_summary_quietly()
        shown = self.current_table()
        for table in self.query(InvoiceTable):
            if table is shown:
                table.refresh_in_place()
            elif table.started:
                table.stale = True

    @work(exclusive=True, exit_on_error=False, group="summary")
    async def _refresh_summary_quietly(self) -> None:
        assert self.account is not None
        self.query_one(BalanceCard).summary = await self.client.summary(self.account.id)
        self.load_notices()

    def retry(self) -> None:
        if self.account is not None:
            self.load_summary()
            self.call_after_refresh(self._focus_table)

    def current_table(self) -> InvoiceTable | None:
        tabs = self.query(TabbedContent)
        if not tabs:
            return None
        return self.query_one(f"#invoices-{tabs.first().active}", InvoiceTable)

    def on_resize(self, event: events.Resize) -> None:
        for table in self.query(InvoiceTable):
            table.fit_width(event.size.width)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        table = event.pane.query_one(InvoiceTable)
        table.ensure_loaded()
        # The pane becomes visible on the next refresh; a hidden widget cannot take focus.
        self.call_after_refresh(table.focus_rows)

    @on(InvoiceTable.OpenInvoice)
    def _open_invoice(self, event: InvoiceTable.OpenInvoice) -> None:
        from tui.screens.invoice_detail import InvoiceDetailScreen

        self.app.push_screen(InvoiceDetailScreen(event.invoice.id, event.invoice.number))

    # ---- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_account":
            return len(self._other_accounts()) > 0
        if action == "dismiss_notice":
            banners = self.query(NoticeBanner)
            return bool(banners) and banners.first().first is not None
        if action in ("refresh", "show_tab", "pay_selected", "make_payment", "payment_history"):
            return self.account is not None
        if action in SELF_SERVICE_ACTIONS:
            return self.account is not None
        return True

    def action_refresh(self) -> None:
        self.load_summary()
        table = self.current_table()
        if table is not None:
            table.reload()

    def refresh_all(self) -> None:
        """After a payment: new balances, and every tab shown so far asks the server again."""
        self.load_summary()
        for table in self.query(InvoiceTable):
            if table.started:
                table.reload()

    # ---- paying --------------------------------------------------------------------------------

    def action_pay_selected(self) -> None:
        table = self.current_table()
        if table is not None and (selected := table.selection_to_pay()):
            self._open_wizard(selected)

    def action_make_payment(self) -> None:
        self._open_wizard([])

    def _open_wizard(self, invoices: list[InvoiceRow]) -> None:
        from tui.screens.pay import PayScreen

        assert self.account is not None
        self.app.push_screen(PayScreen(self.account, invoices), self._after_payment)

    def _after_payment(self, payment: object) -> None:
        if payment is not None:
            self.refresh_all()

    def action_payment_history(self) -> None:
        from tui.screens.payment_history import PaymentHistoryScreen

        assert self.account is not None
        self.app.push_screen(PaymentHistoryScreen(self.account))

    # ---- self-service ----------------------------------------------------------------------------

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        assert self.account is not None
        self.app.push_screen(SettingsScreen(self.account))

    def action_statement(self) -> None:
        from tui.screens.statement import StatementScreen

        assert self.account is not None
        summary = self.query_one(BalanceCard).summary  # its today: the statement's first guess
        self.app.push_screen(StatementScreen(self.account, today_hint=summary.today if summary else None))

    def action_scheduled(self) -> None:
        from tui.screens.scheduled import ScheduledPaymentsScreen

        assert self.account is not None
        self.app.push_screen(ScheduledPaymentsScreen(self.account))

    def action_payment_methods(self) -> None:
        from tui.screens.payment_methods import PaymentMethodsScreen

        assert self.account is not None
        self.app.push_screen(PaymentMethodsScreen(self.account))

    def action_contact(self) -> None:
        from tui.screens.contact import ContactScreen

        assert self.account is not None
        self.app.push_screen(ContactScreen(self.account))

    def action_show_tab(self, status: str) -> None:
        self.query_one(TabbedContent).active = status

    def _other_accounts(self) -> list[AccountRef]:
        me = self.app.me
        if me is None or self.account is None:
            return []
        return [a for a in me.accounts if a.id != self.account.id]

    def action_choose_account(self) -> None:
        commands = [
            SimpleCommand(
                f"{a.account_number} {a.name}", partial(self.app.switch_account, a), "Open this account"
            )
            for a in self._other_accounts()
        ]
        self.app.search_commands(commands, placeholder="Switch to account…")

    def extra_commands(self) -> Iterable[Command]:
        for account in self._other_accounts():
            yield (
                f"Account {account.account_number} {account.name}",
                "Switch to this account",
                partial(self.app.switch_account, account),
            )
