"""Where a clerk's call starts: find the account by account number and last name, or by email.

The account number moves on to the last name by itself at its tenth digit; an email begun in the empty
account number (a letter or "@" first) moves on to the email field with what was typed; the results
take the focus when they come, and a single match opens at once. Every search (and New search) first
empties the results and the message, so the last caller's row never stands under a new query.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from tui.api import AccountMatch, ApiError
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import plain_cells
from tui.widgets.pay_fields import SayingInput
from tui.widgets.status_line import StatusLine

ACCOUNT_NUMBER_LENGTH = 10
# Below this width the results leave out the email, so the service address shows whole at 80 columns.
WIDE_MIN = 100


# What an email may begin with, as typed (a space or "-" stays a refused character of the number).
_EMAIL_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@._+")


class AccountNumberInput(SayingInput):
    """The account number, digits only. Its first key a letter or "@": the clerk is typing the caller's
    email, which goes on in the email field (said once), instead of a toast for each letter left out.
    Keys that were already on their way here when the focus moved (a fast typist, a paste of keys) go on
    there too, in order, until this field has the focus again."""

    _forwarding = False

    def replace(self, text: str, start: int, end: int) -> None:
        email = self.screen.query_one("#email", Input)
        if self._forwarding or (not self.value and text and text[0] in _EMAIL_START and not email.value):
            if not self._forwarding:
                self._forwarding = True
                # Focused now (not later, as `focus()` does), so that the text goes in after the Focus
                # event (which selects what the field holds) and before the next key.
                self.screen.set_focus(email)
                self.notify("An account number is digits: that went to the email field.", timeout=3)
            email.call_later(email.insert_text_at_cursor, text)
            return
        super().replace(text, start, end)

    def _on_focus(self, event: events.Focus) -> None:  # Input's own runs too (Textual calls each class's)
        self._forwarding = False


class ClerkSearchScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+f",
            "new_search",
            "New search",
            id="clerk.new_search",
            tooltip="Empty the fields and the results and search again",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.matches: list[AccountMatch] = []
        self._wide = True
        self._last_query: dict[str, str] | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="clerk-search"):
            yield Static("Find the caller's account", classes="form-title")
            yield Static("Account number and last name, or email.", classes="hint")
            with Horizontal(id="search-fields"):
                yield AccountNumberInput(  # says what it leaves out (issue 11 item 12)
                    placeholder="Account number",
                    id="account-number",
                    what="an account number",
                    takes="An account number is digits",
                    unit="digits",
                    restrict=r"[0-9]*",
                    max_length=ACCOUNT_NUMBER_LENGTH,
                )
                yield Input(placeholder="Last name", id="last-name")
                yield Input(placeholder="or email", id="email")
                yield Button("Search", id="search", variant="primary")
            yield StatusLine(id="search-message")
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        results = self.query_one("#results", DataTable)
        results.display = False
        self._draw_results()
        self.query_one("#account-number", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        if (event.size.width >= WIDE_MIN) != self._wide:
            self._draw_results()

    def _draw_results(self) -> None:
        """The columns for this width, and the matches under them."""
        self._wide = self.app.size.width >= WIDE_MIN
        results = self.query_one("#results", DataTable)
        results.clear(columns=True)
        columns = ["Account", "Name", "Email", "Service address"]
        if not self._wide:
            columns.remove("Email")
        results.add_columns(*columns)
        for match in self.matches:
            cells = [match.account_number, match.name, match.email or "", match.service_address or ""]
            if not self._wide:
                del cells[2]
            results.add_row(*plain_cells(*cells), key=str(match.id))

    # ---- the fields ----------------------------------------------------------------------------

    @on(Input.Changed, "#account-number")
    def _number_typed(self, event: Input.Changed) -> None:
        if len(event.value) == ACCOUNT_NUMBER_LENGTH and event.input.has_focus:
            self.query_one("#last-name", Input).focus()

    def action_new_search(self) -> None:
        self.workers.cancel_group(self, "search")
        for field in self.query(Input):
            field.clear()
        self._clear_results()
        self._last_query = None
        self.query_one("#account-number", Input).focus()

    def _clear_results(self) -> None:
        self.matches = []
        results = self.query_one("#results", DataTable)
        results.clear()
        results.display = False
        results.loading = False
        self.say("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#search")
    def search_pressed(self) -> None:
        # Whatever this query finds or says, the last one's rows are gone first.
        self.workers.cancel_group(self, "search")
        self._clear_results()
        number = self.query_one("#account-number", Input).value.strip()
        last_name = self.query_one("#last-name", Input).value.strip()
        email = self.query_one("#email", Input).value.strip()
        if email and not (number or last_name):
            self.search(email=email)
        elif number and last_name and not email:
            self.search(account_number=number, last_name=last_name)
        elif number and not last_name and not email:
            self.say("Enter the last name on the account too.", error=True)
            self.query_one("#last-name", Input).focus()
        elif last_name and not number and not email:
            self.say("Enter the account number too.", error=True)
            self.query_one("#account-number", Input).focus()
        else:
            self.say("Enter an account number and last name, or an email (not both).", error=True)

    # ---- searching -----------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="search")
    async def search(self, **query: str) -> None:
        self._last_query = query
        results = self.query_one("#results", DataTable)
        results.display = True
        results.loading = True
        self.say("Searching…")
        try:
            page = await self.client.search_accounts(**query)
        finally:
            results.loading = False
        self.matches = list(page.items)
        self._draw_results()
        if len(self.matches) == 1:
            self.say("1 account found.")
            results.focus()
            self.open_account(self.matches[0])
        elif self.matches:
            self.say(f"{len(self.matches)} accounts found. Enter opens the one under the cursor.")
            results.focus()
        else:
            results.display = False
            self.say("No account matches. Check the account number and last name, or the email.", error=True)

    def retry(self) -> None:
        if self._last_query:
            self.search(**self._last_query)

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        match = next((m for m in self.matches if str(m.id) == event.row_key.value), None)
        if match is not None:
            self.open_account(match)

    def open_account(self, match: AccountMatch) -> None:
        """The call is about this account now: the caller's identity is checked first."""
        from tui.screens.clerk.identity import IdentityCheckScreen

        self.app.call.match = match
        self.app.push_screen(IdentityCheckScreen(match))

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and error.type in ("invalid_request", "permission"):
            self.say(str(error), error=True)
            self.query_one("#results", DataTable).display = False
            return True
        return False
