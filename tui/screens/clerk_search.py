"""Where a clerk lands: find an account by account number and last name, or by email."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Static

from tui.api import AccountMatch, ApiError
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import plain_cells
from tui.widgets.status_line import StatusLine


class ClerkSearchScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+f",
            "focus_search",
            "New search",
            id="clerk.new_search",
            tooltip="Start a new account search",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.matches: list[AccountMatch] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="clerk-search"):
            yield Static("Find an account", classes="form-title")
            yield Static("Account number and last name, or email.", classes="hint")
            with Horizontal(id="search-fields"):
                yield Input(
                    placeholder="Account number", id="account-number", restrict=r"[0-9]*", max_length=10
                )
                yield Input(placeholder="Last name", id="last-name")
                yield Input(placeholder="or email", id="email")
                yield Button("Search", id="search", variant="primary")
            yield StatusLine(id="search-message")
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        results = self.query_one("#results", DataTable)
        results.add_columns("Account", "Name", "Email", "Service address")
        results.display = False
        self.query_one("#account-number", Input).focus()

    def action_focus_search(self) -> None:
        for field in self.query(Input):
            field.clear()
        self.query_one("#account-number", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#search")
    def search_pressed(self) -> None:
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
        else:
            self.say("Enter an account number and last name, or an email (not both).", error=True)

    @work(exclusive=True, exit_on_error=False)
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
        results.clear()
        for match in self.matches:
            results.add_row(
                *plain_cells(
                    match.account_number, match.name, match.email or "", match.service_address or ""
                ),
                key=str(match.id),
            )
        if self.matches:
            count = len(self.matches)
            self.say(f"{count} account{'s' if count != 1 else ''} found. Enter opens it read-only.")
            results.focus()
        else:
            results.display = False
            self.say("No account matches. Check the account number and last name, or the email.", error=True)

    def retry(self) -> None:
        query = getattr(self, "_last_query", None)
        if query:
            self.search(**query)

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        match = next((m for m in self.matches if str(m.id) == event.row_key.value), None)
        if match is None:
            return
        from tui.screens.home import HomeScreen

        self.app.push_screen(HomeScreen(match, read_only=True))

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and error.type in ("invalid_request", "permission"):
            self.say(str(error), error=True)
            self.query_one("#results", DataTable).display = False
            return True
        return False
