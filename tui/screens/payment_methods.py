"""Payment methods: the saved cards and bank accounts of one account (issue 11 item 5).

The list (default first, as the server orders it) with each method's expiry, the default and the one
autopay pays with; `d` makes the selected one the default, `x` removes it (asked first; the server
refuses the one autopay uses, and its sentence shows), `c` and `b` save a new card or bank account
outside a payment. Under the list, the selected method in words, with the fee autopay takes with it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.reactive import var
from textual.widgets import DataTable, Static

from tui.api import ApiError, PaymentMethod
from tui.api.early import EarlyAnswer
from tui.screens.base import PaydeskScreen
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import Account, AccountRef, Page, Summary
    from tui.screens.method_dialogs import Kind

COLUMNS = ("Method", "Kind", "Expires", "Default", "Autopay")
NO_METHODS = "No saved payment methods. Press c to add a card or b to add a bank account."
HINT = "d makes it the default · x removes it · c adds a card · b adds a bank account"
KINDS = {"credit": "Credit card", "debit": "Debit card", "prepaid": "Prepaid card"}


def kind_words(method: PaymentMethod) -> str:
    if method.type == "ach":
        return "Savings" if method.account_type == "savings" else "Checking"
    return KINDS.get(method.funding or "", "Card")


def expiry_words(method: PaymentMethod, today: dt.date | None) -> str:
    """ "12/30", "04/26 expired", or "" for a bank account."""
    if method.exp_month is None or method.exp_year is None:
        return ""
    text = f"{method.exp_month:02d}/{method.exp_year % 100:02d}"
    if today is not None and (method.exp_year, method.exp_month) < (today.year, today.month):
        text += " expired"
    return text


def autopay_fee_words(method: PaymentMethod) -> str:
    """What autopay would take on each payment with this method, as a sentence."""
    terms = method.autopay_fee
    if terms is None:
        return f"Autopay with {method.display} adds no fee."
    return f"Autopay with {method.display}: {terms.description}."


class PaymentMethodsScreen(PaydeskScreen):
    """Styled in app.tcss (beside #scheduled): app rules such as `.message` win over a DEFAULT_CSS."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="methods.back", tooltip="Back to where you were"),
        Binding(
            "d",
            "make_default",
            "Make default",
            id="methods.default",
            tooltip="Offer the selected method first when you pay",
        ),
        Binding(
            "x,delete",
            "remove",
            "Remove",
            id="methods.remove",
            tooltip="Remove the selected method (asks first)",
        ),
        Binding("c", "add('card')", "Add card", id="methods.add_card", tooltip="Save a new card"),
        Binding("b", "add('ach')", "Add bank", id="methods.add_bank", tooltip="Save a new bank account"),
        # Not in the footer (80 columns hold the keys above); in the palette and the keys panel.
        Binding("r", "refresh", "Refresh", id="methods.refresh", tooltip="Ask the server again", show=False),
    ]

    # What the keys depend on (see check_action): the footer and palette follow them.
    methods: var[list[PaymentMethod]] = var(list, bindings=True)
    today: var[dt.date | None] = var(None, bindings=True)

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account = account
        self.autopay_method_id: int | None = None
        self.holder_name = account.name
        # Asked now: answered while the screen is built (tui/api/early.py).
        self._first = EarlyAnswer(self._ask)

    def _ask(self) -> Awaitable[tuple[Page[PaymentMethod], Account, Summary]]:
        client, account_id = self.client, self.account.id
        return asyncio.gather(
            client.payment_methods(account_id), client.account(account_id), client.summary(account_id)
        )

    def compose_body(self) -> ComposeResult:
        yield Static(f"Payment methods · account {escape(self.account.account_number)}", id="methods-title")
        yield StatusLine(id="methods-message")
        yield DataTable(id="methods", cursor_type="row", zebra_stripes=True)
        yield Static("", id="methods-detail")
        yield Static("", id="methods-hint", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#methods", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label.lower())
        self.load()

    def on_unmount(self) -> None:
        self._first.drop()  # closed before its first load read it

    # ---- data ------------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="methods")
    async def load(self, select: int | None = None) -> None:
        table = self.query_one("#methods", DataTable)
        keep = self._selected()
        if not self._first.ready:  # an early answer in already needs no loading state
            table.loading = True
        try:
            page, account, summary = await self._first.take()
        finally:
            table.loading = False
        self._account_loaded(account)
        # Both keys' inputs set together, then one bindings refresh: each var's own refresh recomposed
        # the footer once more.
        self.set_reactive(PaymentMethodsScreen.today, summary.today or dt.date.today())
        self.set_reactive(PaymentMethodsScreen.methods, list(page.items))
        self.refresh_bindings()
        self._fill(select if select is not None else keep.id if keep is not None else None)

    def _account_loaded(self, account: Account) -> None:
        autopay = account.autopay
        self.autopay_method_id = autopay.payment_method_id if autopay.enabled else None
        self.holder_name = account.name or f"{account.first_name} {account.last_name}".strip()

    def _fill(self, select: int | None) -> None:
        table = self.query_one("#methods", DataTable)
        table.clear()
        for method in self.methods:
            table.add_row(
                Text(method.display),  # server text: never read as markup
                kind_words(method),
                expiry_words(method, self.today),
                "Default" if method.is_default else "",
                "Autopay" if method.id == self.autopay_method_id else "",
                key=str(method.id),
            )
        keys = [m.id for m in self.methods]
        if select in keys:
            table.move_cursor(row=keys.index(select), animate=False)
        self.query_one("#methods-hint", Static).update(HINT if self.methods else NO_METHODS)
        table.display = bool(self.methods)
        self._describe()
        if self.methods:
            table.focus()

    def retry(self) -> None:
        self.load()

    def _selected(self) -> PaymentMethod | None:
        table = self.query_one("#methods", DataTable)
        if not self.methods or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((m for m in self.methods if str(m.id) == key), None)

    @on(DataTable.RowHighlighted, "#methods")
    def _describe(self) -> None:
        """The selected method in words: the default, autopay, and the fee autopay would take."""
        method = self._selected()
        detail = self.query_one("#methods-detail", Static)
        if method is None:
            detail.update("")
            return
        lines = [autopay_fee_words(method)]
        if method.id == self.autopay_method_id:
            lines.append(
                "Autopay pays with it: to remove it, turn autopay off or choose another method in Settings."
            )
        elif method.is_default:
            lines.append("Your default: it is offered first when you pay.")
        detail.update(escape("\n".join(lines)))

    # ---- default, remove, add --------------------------------------------------------------------

    def action_make_default(self) -> None:
        method = self._selected()
        if method is None:
            return
        if method.is_default:
            self.say(f"{method.display} is already your default.")
            return
        self.make_default(method)

    @work(exclusive=True, exit_on_error=False, group="methods-save")
    async def make_default(self, method: PaymentMethod) -> None:
        self.say("Saving…")
        changed = await self.client.set_default_payment_method(method.id)
        self.say(f"{changed.display} is now your default: it is offered first when you pay.")
        self.load(select=changed.id)

    def action_remove(self) -> None:
        from tui.screens.dialogs import QuestionDialog

        method = self._selected()
        if method is None:
            return
        question = QuestionDialog(
            f"Remove {method.display}?",
            "It is no longer offered when you pay. Payments already made with it do not change.",
            "Remove",
        )
        self.app.push_screen(question, partial(self._remove, method))

    def _remove(self, method: PaymentMethod, yes: bool | None) -> None:
        if yes:
            self.remove_method(method)
        else:
            self.say(f"{method.display} is still saved.")

    @work(exclusive=True, exit_on_error=False, group="methods-save")
    async def remove_method(self, method: PaymentMethod) -> None:
        self.say("Removing…")
        await self.client.delete_payment_method(method.id)
        self.say(f"Removed {method.display}.")
        self.load()

    def action_add(self, kind: Kind) -> None:
        from tui.screens.method_dialogs import AddMethodDialog

        if self.today is None:
            return
        save = partial(self.client.add_payment_method, self.account.id)
        self.app.push_screen(AddMethodDialog(kind, self.holder_name, self.today, save), self._added)

    def _added(self, saved: PaymentMethod | None) -> None:
        if saved is None:
            self.say("Nothing was saved.")
            return
        default = " It is your default." if saved.is_default else ""
        self.say(f"Saved {saved.display}.{default}")
        self.load(select=saved.id)

    # ---- keys and messages -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("make_default", "remove"):
            return bool(self.methods)
        if action == "add":
            return self.today is not None
        return True

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)  # (not pop_screen: the screen that opened this one may reload on return)

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and self.today is not None:
            self.say(str(error), error=True)
            return True
        return False
