"""The audit view, read-only: the account's trail (who did what, reads by clerks included) and the
clerk's own actions today, newest first, a page at a time, each row with its business date (the
backend's clock, which a demo moves) beside the real time.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import format_date, near_end, plain_cells
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import AccountMatch, AuditEntry, Page

PAGE_SIZE = 50
NEAR_END = 10
DETAIL_MAX = 18  # the table's preview; the highlighted row's whole detail shows under the table


def action_words(action: str) -> str:
    """ "payment.created" -> "payment created"."""
    return action.replace(".", " ").replace("_", " ")


def _value_words(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "/".join(str(item) for item in value)
    return str(value)


def detail_words(detail: dict[str, Any], limit: int | None = None) -> str:
    """The detail in one line ("amount_cents=9170, checked=name/phone_last4"), cut to `limit`."""
    text = ", ".join(
        f"{key}={_value_words(value)}" for key, value in detail.items() if value not in (None, "", [], {})
    )
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def clock_time(at: dt.datetime) -> str:
    """The real time of an entry, in this machine's zone."""
    return at.astimezone().strftime("%H:%M:%S")


def entry_cells(entry: AuditEntry) -> tuple[Any, ...]:
    when = clock_time(entry.at)
    who = entry.actor.name if entry.actor else "system"
    return plain_cells(
        format_date(entry.business_date),
        when,
        who,
        action_words(entry.action),
        detail_words(entry.detail, DETAIL_MAX),
    )


def entry_line(entry: AuditEntry) -> str:
    """The highlighted row in full, under the table: who (and their role), what, and every detail."""
    who = f"{entry.actor.name} ({entry.actor.role})" if entry.actor else "The system"
    detail = detail_words(entry.detail)
    return f"{who}: {action_words(entry.action)}" + (f" · {detail}" if detail else "")


class AuditTrail(DataTable):
    """One paged trail; the screen fills it (`add_page`) and asks for more when the cursor nears the end."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.next_cursor: str | None = None
        self.total = 0
        self.started = False
        self.loading_more = False
        self.entries: dict[str, AuditEntry] = {}

    def on_mount(self) -> None:
        self.add_columns("Business date", "Time", "Who", "Action", "Detail")

    def add_page(self, page: Page[AuditEntry]) -> None:
        for entry in page.items:
            key = str(entry.id)
            if key not in self.entries:  # a page asked for twice adds its rows once
                self.entries[key] = entry
                self.add_row(*entry_cells(entry), key=key)
        self.next_cursor = page.next_cursor
        self.total = page.total_count

    def reset(self) -> None:
        self.clear()
        self.entries = {}
        self.next_cursor = None
        self.total = 0
        self.started = True


class AuditScreen(PaydeskScreen):
    COMPACT_FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit.back", tooltip="Back to the screen before"),
        Binding("r", "refresh", "Refresh", id="audit.refresh", tooltip="Ask the server again"),
        Binding("1", "show_tab('account-tab')", "Account", id="audit.account", tooltip="The account's trail"),
        Binding(
            "2",
            "show_tab('mine-tab')",
            "Mine today",
            id="audit.mine",
            tooltip="The signed-in clerk's own actions today",
        ),
    ]

    def __init__(self, match: AccountMatch | None = None) -> None:
        super().__init__()
        self.match = match

    def compose_body(self) -> ComposeResult:
        title = "Audit"
        if self.match is not None:
            title += f" · {escape(self.match.account_number)} {escape(self.match.name)}"
        yield Static(f"[b]{title}[/b] (read-only)", id="audit-title")
        yield StatusLine(id="audit-message")
        initial = "account-tab" if self.match is not None else "mine-tab"
        with TabbedContent(initial=initial, id="audit-tabs"):
            if self.match is not None:
                with TabPane("This account", id="account-tab"):
                    yield AuditTrail(id="account-trail")
            with TabPane("My actions today", id="mine-tab"):
                yield AuditTrail(id="mine-trail")
        yield Static("", id="audit-detail")

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_current)

    def _trail(self) -> AuditTrail:
        active = self.query_one(TabbedContent).active
        return self.query_one("#account-trail" if active == "account-tab" else "#mine-trail", AuditTrail)

    def _show_current(self) -> None:
        trail = self._trail()
        if not trail.started:
            trail.started = True  # now, not in the worker: the mount and the tab's activation both ask
            self.load(trail, None)
        trail.focus()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.call_after_refresh(self._show_current)

    @work(exit_on_error=False, group="audit")
    async def load(self, trail: AuditTrail, cursor: str | None) -> None:
        if cursor is None:
            trail.reset()
        trail.loading_more = True
        if cursor is None:
            trail.loading = True
        try:
            page = await self._read(trail, cursor)
        finally:
            trail.loading = False
            trail.loading_more = False
        trail.add_page(page)
        if trail is self._trail() and cursor is None:
            trail.focus()  # a loading widget gives its focus away (to the tabs): take it back
        shown = "of the clerk's actions today" if trail.id == "mine-trail" else "entries"
        self.say(f"{trail.row_count} of {trail.total} {shown}, newest first.")

    async def _read(self, trail: AuditTrail, cursor: str | None) -> Page[AuditEntry]:
        if trail.id == "account-trail" and self.match is not None:
            return await self.client.account_audit(self.match.id, limit=PAGE_SIZE, cursor=cursor)
        return await self.client.clerk_audit(limit=PAGE_SIZE, cursor=cursor)

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        trail = event.data_table
        if not isinstance(trail, AuditTrail):
            return
        entry = trail.entries.get(str(event.row_key.value))
        self.query_one("#audit-detail", Static).update(escape(entry_line(entry)) if entry else "")
        if near_end(event.cursor_row, trail.row_count, NEAR_END, trail.next_cursor, trail.loading_more):
            self.load(trail, trail.next_cursor)

    def action_refresh(self) -> None:
        self.load(self._trail(), None)

    def retry(self) -> None:
        self.action_refresh()

    def action_show_tab(self, tab: str) -> None:
        if self.query(f"#{tab}"):
            self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.app.pop_screen()
