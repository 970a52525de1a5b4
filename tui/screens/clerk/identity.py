"""The identity check: before anything is done on the account, the caller says who they are.

The screen shows the name, the service address and the last 4 of the phone as the account has them;
the clerk compares them with what the caller says and confirms all three with one key (Enter on the
focused "Identity confirmed", or y), or marks the check failed (x). The server records the check; a
passed one opens the customer 360 in place of this screen, a failed one leaves only a note and New call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Static

from tui.api import ApiError
from tui.screens.base import PaydeskScreen
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import Account, AccountMatch

CHECKED = ["name", "service_address", "phone_last4"]


def phone_last4(phone: str | None) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else "none on file"


class IdentityCheckScreen(PaydeskScreen):
    COMPACT_FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y",
            "confirm",
            "Identity confirmed",
            id="identity.confirm",
            tooltip="The caller gave the name, service address and phone last 4 shown",
        ),
        Binding(
            "x",
            "fail",
            "Check failed",
            id="identity.fail",
            tooltip="The caller could not confirm who they are: only a note is allowed",
        ),
        Binding(
            "w",
            "wrap_up",
            "Note",
            id="identity.note",
            tooltip="Write the call's note (allowed after a failed check)",
        ),
        Binding("escape", "back", "Back", id="identity.back", tooltip="Back to the search results"),
    ]

    def __init__(self, match: AccountMatch) -> None:
        super().__init__()
        self.match = match
        self.account: Account | None = None
        self.failed = False
        self.busy = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="identity", classes="form"):
            yield Static(
                f"Verify the caller · account {escape(self.match.account_number)}", classes="form-title"
            )
            yield Static(
                "Ask the caller for each of these and compare with what the account has:", classes="hint"
            )
            yield Static("", id="identity-facts")
            yield StatusLine(id="identity-message")
            with Horizontal(classes="buttons", id="identity-buttons"):
                yield Button("Identity confirmed", id="confirm", variant="success")
                yield Button("Check failed", id="fail", variant="error")
            yield Button("Write a note", id="note", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#identity-facts").loading = True
        self.query_one("#note").display = False
        self.query_one("#confirm", Button).focus()
        self.load_account()

    @work(exclusive=True, exit_on_error=False, group="account")
    async def load_account(self) -> None:
        facts = self.query_one("#identity-facts", Static)
        try:
            account = await self.client.account(self.match.id)
        finally:
            facts.loading = False
        self.account = account
        self.app.call.account = account
        name = account.name or f"{account.first_name} {account.last_name}"
        facts.update(
            f"  Name             [b]{escape(name)}[/b]\n"
            f"  Service address  [b]{escape(account.service_address or 'none on file')}[/b]\n"
            f"  Phone, last 4    [b]{escape(phone_last4(account.phone))}[/b]"
        )
        self.refresh_bindings()

    def retry(self) -> None:
        if self.account is None:
            self.load_account()

    # ---- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "fail"):
            return not self.failed and self.account is not None
        if action == "wrap_up":
            return self.failed
        if action == "back":
            return not self.failed
        return True

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.record(passed=True)

    @on(Button.Pressed, "#fail")
    def action_fail(self) -> None:
        self.record(passed=False)

    # Not exclusive: a second press must not cancel a check already on its way (`busy` drops it).
    @work(exit_on_error=False, group="check")
    async def record(self, passed: bool) -> None:
        if self.busy or self.account is None or self.failed:
            return
        self.busy = True
        buttons = self.query_one("#identity-buttons")
        buttons.loading = True
        try:
            check = await self.client.identity_check(self.match.id, CHECKED, passed)
        finally:
            buttons.loading = False
            self.busy = False
        self.app.call.identity_check = check
        if check.passed:
            from tui.screens.clerk.account import CustomerScreen

            self.app.switch_screen(CustomerScreen(self.match))
            return
        self.failed = True
        buttons.display = False
        self.query_one("#identity-facts", Static).update(
            "The caller could not confirm who they are. Nothing on the account can be done or read "
            "out in this call: write a note (w), then start a new call (Ctrl+N)."
        )
        self.say("Identity check failed and recorded.", error=True)
        note = self.query_one("#note", Button)
        note.display = True
        note.focus()
        self.refresh_bindings()

    @on(Button.Pressed, "#note")
    def action_wrap_up(self) -> None:
        self.app.open_wrap_up()

    def action_back(self) -> None:
        # The wrong row was opened: this account is no longer the call's.
        call = self.app.call
        call.match = None
        call.account = None
        self.app.pop_screen()

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and error.type in ("invalid_request", "permission", "not_found"):
            self.say(str(error), error=True)
            return True
        return False
