"""The customer statement: the account's history over a date range (invoices, payments, fees, returns)
with a running balance, paged from the server as the person moves down, and Export CSV.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
from collections.abc import Awaitable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.reactive import var
from textual.widgets import DataTable, Input, Label, Static

from tui.api import ApiError, Statement, Summary
from tui.api.early import EarlyAnswer
from tui.checks import day_problem, parse_day
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import format_date, near_end, without_reference
from tui.widgets.pay_fields import Check, DateInput, first_problem
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import AccountRef

PAGE_SIZE = 100
NEAR_END = 10
OLDEST_MONTHS = 36  # the server keeps 36 months of history
PRESETS = {"3": 3, "12": 12, "36": 36}
MONTHS = Binding.Group("Last 3/12/36 months")


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def preset_range(today: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The last `months` months up to today: 3 months on Nov 15 is Aug 16 to Nov 15."""
    return months_before(today, months) + dt.timedelta(days=1), today


class StatementScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="statement.back", tooltip="Back to the invoices"),
        # One label for the three presets ("1 2 3 Last 3/12/36 months"), so at 80 columns f From/to shows too.
        *(
            Binding(
                key,
                f"preset('{months}')",
                f"{months} months",
                id=f"statement.months_{months}",
                tooltip=f"The last {months} months",
                group=MONTHS,
            )
            for key, months in (("1", "3"), ("2", "12"), ("3", "36"))
        ),
        Binding(
            "x",
            "export_csv",
            "Export CSV",
            id="statement.export_csv",
            tooltip="Save this range as a CSV file in the downloads folder",
        ),
        Binding("f", "edit_range", "From/to", id="statement.range", tooltip="Type the dates of the range"),
    ]

    # The presets and Export wait for the server's today: the footer and palette follow it.
    today: var[dt.date | None] = var(None, bindings=True)

    def __init__(self, account: AccountRef, *, today_hint: dt.date | None = None) -> None:
        """`today_hint`: the server's today as the opener last heard it (its summary's), a guess the
        first statement is asked for while the summary confirms it."""
        super().__init__()
        self.account = account
        self.today_hint = today_hint
        self.start: dt.date | None = None
        self.end: dt.date | None = None
        self.statement: Statement | None = None
        self.loaded = 0
        self.next_cursor: str | None = None
        self.loading_more = False
        # The summary and the likeliest range's first page, asked now (tui/api/early.py).
        self._guess = self.today_hint or dt.date.today()
        self._first = EarlyAnswer(self._ask_first)

    def _ask_first(self) -> Awaitable[list[Summary | Statement | BaseException]]:
        start, end = preset_range(self._guess, PRESETS["3"])
        return asyncio.gather(
            self.client.summary(self.account.id),
            self.client.statement(self.account.id, start, end, limit=PAGE_SIZE),
            return_exceptions=True,
        )

    def compose_body(self) -> ComposeResult:
        title = f"Statement · account {escape(self.account.account_number)}"
        if self.app.is_clerk():  # the clerk sees whose account it is, as on their other screens
            title += f" · {escape(self.account.name)}"
        yield Static(title, id="statement-title")
        with Horizontal(id="statement-range"):
            yield Label("From", classes="field-label-short")
            yield DateInput(  # says what it leaves out (issue 11 item 12)
                id="from",
                compact=True,
                validators=[Check(day_problem)],
                validate_on=["submitted"],
            )
            yield Label("To", classes="field-label-short")
            yield DateInput(  # says what it leaves out (issue 11 item 12)
                id="to",
                compact=True,
                validators=[Check(day_problem)],
                validate_on=["submitted"],
            )
            yield Static("Enter shows the range", classes="hint", id="range-hint")
        yield StatusLine(id="statement-message")
        yield Static("", id="balances")
        yield DataTable(id="statement", cursor_type="row", zebra_stripes=True)
        yield Static("", id="statement-row", classes="hint")  # the highlighted line's words in full
        yield Static("", id="statement-count", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#statement", DataTable)
        # Money first, words last: at 80 columns a long description is cut, never an amount.
        description_width = max(16, min(48, self.app.size.width - 54))
        self.description_width = description_width
        self.descriptions: list[str] = []
        table.add_column("Date", key="date")
        table.add_column("Description", key="description", width=description_width)
        table.add_column("Reference", key="reference")
        table.add_column("Amount", key="amount")
        table.add_column("Balance", key="balance")
        table.focus()
        self.start_up()

    def on_unmount(self) -> None:
        self._first.drop()

    @work(exclusive=True, exit_on_error=False, group="statement")
    async def start_up(self) -> None:
        """The backend's today decides what "the last 3 months" means. The summary that says it and the
        statement of the likeliest today (the opener's, else this machine's) are asked together, so one
        round trip fills the screen; when the server's today is another day, its range is asked next."""
        table = self.query_one("#statement", DataTable)
        guess = self._guess
        start, end = preset_range(guess, PRESETS["3"])
        first = self._first
        if not first.ready:  # the early answer in already: shown in the first frame, no loading state
            table.loading = True
        try:
            summary, page = await first.take()
        finally:
            table.loading = False
        if isinstance(summary, BaseException):
            raise summary
        assert isinstance(summary, Summary)
        self.today = summary.today or dt.date.today()
        if self.today != guess:
            self.action_preset("3")  # the guess was another day: its page is not this range's
            return
        if isinstance(page, BaseException):
            raise page
        assert isinstance(page, Statement)
        self._show_range(start, end)
        self._show_page(page, first=True)

    def retry(self) -> None:
        if self.today is None:
            self.start_up()
        else:
            self.load_page(self.next_cursor if self.loaded else None)

    # ---- the range ---------------------------------------------------------------------------------

    def action_preset(self, months: str) -> None:
        if self.today is None:
            return
        start, end = preset_range(self.today, PRESETS[months])
        self._set_range(start, end)

    def action_edit_range(self) -> None:
        self.query_one("#from", Input).focus()

    @on(Input.Submitted, "#from, #to")
    def _range_typed(self, event: Input.Submitted) -> None:
        event.stop()
        fields = [self.query_one("#from", Input), self.query_one("#to", Input)]
        for field in fields:
            problem = first_problem(field)
            if problem:
                self.say(f"{'From' if field.id == 'from' else 'To'}: {problem}", error=True)
                field.focus()
                return
        start, end = (parse_day(field.value) for field in fields)
        problem = self.range_problem(start, end)
        if problem:
            self.say(problem, error=True)
            fields[0].focus()
            return
        self._set_range(start, end)
        self.query_one("#statement", DataTable).focus()

    def range_problem(self, start: dt.date, end: dt.date) -> str | None:
        if start > end:
            return "The From date must be on or before the To date."
        if self.today is not None:
            oldest = months_before(self.today, OLDEST_MONTHS)
            if start < oldest:
                return f"Statements go back {OLDEST_MONTHS} months: start on {oldest.isoformat()} or later."
        return None

    def _set_range(self, start: dt.date, end: dt.date) -> None:
        self._show_range(start, end)
        self.load_page(None)

    def _show_range(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self.query_one("#from", Input).value = start.isoformat()
        self.query_one("#to", Input).value = end.isoformat()
        self.say("")

    # ---- the entries -------------------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="statement")
    async def load_page(self, cursor: str | None) -> None:
        if self.start is None or self.end is None:
            return
        table = self.query_one("#statement", DataTable)
        self.loading_more = True
        if cursor is None:
            table.loading = True
        try:
            page = await self.client.statement(
                self.account.id, self.start, self.end, limit=PAGE_SIZE, cursor=cursor
            )
        finally:
            table.loading = False
            self.loading_more = False
        self._show_page(page, first=cursor is None)

    def _show_page(self, page: Statement, *, first: bool) -> None:
        """A page's entries under those shown (the first page: in their place)."""
        table = self.query_one("#statement", DataTable)
        if first:
            table.clear()
            self.loaded = 0
            self.descriptions = []
        self.statement = page
        self.next_cursor = page.next_cursor
        for entry in page.items:
            self.descriptions.append(entry.description)
            # Cut with "…", never the last 4 digits; a reference the next column shows is left out.
            words = without_reference(entry.description, entry.reference or "", self.description_width)
            table.add_row(
                format_date(entry.date),
                Text(words),  # server text: a Text, so a "[" is never read as markup
                Text(entry.reference or ""),
                Text(format_cents(entry.amount_cents), justify="right"),
                Text(format_cents(entry.balance_cents), justify="right"),
            )
        self.loaded += len(page.items)
        self._show_balances(page)
        if first:
            table.focus()  # a loading widget cannot hold focus: give it back once the rows are in

    def _show_balances(self, page: Statement) -> None:
        self.query_one("#balances", Static).update(
            f"[dim]Opening balance[/dim] [b]{format_cents(page.opening_balance_cents)}[/b]   "
            f"[dim]Closing balance[/dim] [b]{format_cents(page.closing_balance_cents)}[/b]"
        )
        count = self.query_one("#statement-count", Static)
        if not page.total_count:
            count.update("No entries in this range.")
            return
        more = " · move down for more" if self.next_cursor else ""
        count.update(f"{self.loaded} of {page.total_count} entries loaded{more}")

    @on(DataTable.RowHighlighted, "#statement")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.descriptions):
            self.query_one("#statement-row", Static).update(Text(self.descriptions[event.cursor_row]))
        rows = event.data_table.row_count
        if near_end(event.cursor_row, rows, NEAR_END, self.next_cursor, self.loading_more):
            self.load_page(self.next_cursor)

    # ---- export ------------------------------------------------------------------------------------

    def action_export_csv(self) -> None:
        if self.start is None or self.end is None:
            return
        self.export_csv(self.start, self.end)

    @work(exclusive=True, exit_on_error=False, group="export")
    async def export_csv(self, start: dt.date, end: dt.date) -> None:
        from tui.downloads import save_file

        self.say("Exporting the statement…")
        download = await self.client.statement_csv(self.account.id, start, end)
        try:
            path = save_file(download.content, download.filename)
        except OSError as exc:
            self.say(f"Could not save the CSV file: {exc.strerror or exc}.", error=True)
            return
        self.say(f"Saved the statement to {path}")
        self.notify(escape(str(path)), title="Statement exported", timeout=8)

    # ---- messages and keys -------------------------------------------------------------------------

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        self.say(str(error), error=True)
        if error.param in ("from", "to"):
            self.query_one(f"#{error.param}", Input).focus()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("preset", "export_csv") and self.today is None:
            return None  # shown, greyed out, until the server's today is known
        return True

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            # Escape leaves the date fields first (the preset keys work from the table).
            self.query_one("#statement", DataTable).focus()
            return
        self.app.pop_screen()
