"""A page-by-page invoice list: rows arrive from the server as the person moves near the end.

The table never asks for every invoice at once: it loads `PAGE_SIZE` rows, then the next page when
the cursor or the scroll position comes within `LOAD_AHEAD` rows of the end, and says "N of TOTAL".
It holds a bounded window of at most `WINDOW_PAGES` pages however deep one scrolls (as toolong keeps a
huge log behind a view): a page that arrives at one end drops the page at the other end, and moving
back up asks again for the page before the window, by the cursor it was first fetched with.
Multi-site parents expand to show their site invoices (fetched from the parent's detail).
Space selects invoices to pay (a parent stands for all its sites; an expanded parent's sites can be
picked one by one), Ctrl+A selects every loaded invoice with something left to pay (at most 200).

The table is given what it loads from (an `InvoiceSource`: the screen passes its client, a test may
pass a fake); it never reaches for the app's client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tui.api import InvoiceRow
from tui.money import format_cents
from tui.widgets.formatting import plain_cells
from tui.widgets.invoice_cells import invoice_cells, number_cell
from tui.widgets.window_table import WindowTable
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.api import InvoiceDetail, Page
    from tui.app import PaydeskApp

PAGE_SIZE = 100
MAX_SELECTED = 200  # a payment covers at most 200 invoices (docs/WIRE.md)
# The next page is asked for this many rows before the window's end (the page before, this many after
# its start): half a page, so a held PageDown finds it arrived, measured and drawn ahead before the
# cursor gets there (at 20 rows from the end it came with the key that needed it: 60-110 ms frames).
# In a full window a page in moves the cursor a page back from the end it neared: it is then a page
# of moves from asking again either way, so moving back and forth there asks nothing.
LOAD_AHEAD = PAGE_SIZE // 2
WINDOW_PAGES = 3  # the rows held at most: WINDOW_PAGES * PAGE_SIZE (and their open site lists)
COLUMNS = ("Number", "Site", "Issued", "Due", "Amount", "Balance", "Status")
# Below this many columns the table leaves out "Issued" and shortens site names, so every other
# column fits an 80-column terminal without scrolling sideways.
WIDE_MIN = 96
NOTHING_SELECTED = "Select the invoices to pay with Space (Ctrl+A selects all), or press m to pay any amount."


def _shown(widget: Widget) -> bool:
    """On screen: neither it nor a container of it is hidden (another tab's pane, an empty table)."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


class InvoiceSource(Protocol):
    """Where the table's rows come from (`PaydeskClient` is one)."""

    async def invoices(
        self, account_id: int, *, status: str, limit: int, cursor: str | None
    ) -> Page[InvoiceRow]: ...

    async def invoice(self, invoice_id: int) -> InvoiceDetail: ...


class InvoiceTable(ReportsWorkerErrors, Widget, can_focus=False):
    """The invoices of one account with one status filter (`all`, `open`, `in_progress`, `paid`)."""

    app: PaydeskApp  # type: ignore[assignment]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_select",
            "Select",
            id="invoices.select",
            show=False,
            tooltip="Select this invoice to pay, or unselect it",
        ),
        Binding(
            "ctrl+a",
            "select_all",
            "Select all",
            id="invoices.select_all",
            show=False,
            tooltip="Select every loaded invoice with a balance (up to 200), or clear the selection",
        ),
        Binding(
            "e",
            "toggle_sites",
            "Sites",
            id="invoices.toggle_sites",
            show=False,
            tooltip="Show or hide the site invoices of a multi-site invoice",
        ),
    ]

    class OpenInvoice(Message):
        """Enter on a row: the screen opens the invoice's detail."""

        def __init__(self, invoice: InvoiceRow) -> None:
            super().__init__()
            self.invoice = invoice

    def __init__(
        self,
        account_id: int,
        status: str,
        empty_text: str,
        *,
        source: InvoiceSource,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.source = source
        self.account_id = account_id
        self.status = status
        self.empty_text = empty_text
        self.started = False
        # Shown before, and the data may have changed since (home came back from another screen): the
        # next time it is shown it asks again, drawing over the rows it has (`refresh_in_place`).
        self.stale = False
        self.rows: list[InvoiceRow] = []  # the window's top-level rows, in server order
        self.total = 0
        self.next_cursor: str | None = None  # the page after the window
        # The window: its first row's place in the whole list, and the pages it is made of.
        self.window_start = 0
        self._first_page = 0  # the number of the window's first page
        self._page_sizes: list[int] = []
        # The cursor each page was fetched with, by page number (None: the first); a few bytes a page.
        self._page_cursors: list[str | None] = [None]
        # Where each selected invoice sits in the whole list, so the selection keeps its order
        # when its rows leave the window.
        self._selected_at: dict[int, tuple[int, int]] = {}
        self._redrawing = False
        self.loading_more = False
        self._children: dict[int, list[InvoiceRow]] = {}
        self._expanded: set[int] = set()
        self._by_key: dict[str, InvoiceRow] = {}
        self._ticket: object = None
        self.compact = False
        self._focus_when_loaded = False
        # The first page is asked for and not here yet (set at once by reload(), before its worker runs).
        self._first_page_due = False
        # What Pay will pay, by invoice id: top-level invoices, parents (all their sites) or sites.
        self.selected: dict[int, InvoiceRow] = {}

    def compose(self) -> ComposeResult:
        yield WindowTable(cursor_type="row", zebra_stripes=True)
        yield Static("", classes="empty")
        yield Static("", classes="count")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.compact = self.app.size.width < WIDE_MIN
        self._add_columns()
        self.watch(table, "scroll_y", self._scrolled, init=False)

    def _add_columns(self) -> None:
        for label in COLUMNS:
            if not (self.compact and label == "Issued"):
                self.table.add_column(label, key=label.lower())

    def fit_width(self, width: int) -> None:
        """Called by the screen when the terminal is resized."""
        compact = width < WIDE_MIN
        if compact == self.compact:
            return
        self.compact = compact
        current = (
            self.table.coordinate_to_cell_key(self.table.cursor_coordinate).row_key.value
            if (self.table.row_count)
            else None
        )
        self.table.clear(columns=True)
        self._add_columns()
        self._rebuild(current)

    @property
    def table(self) -> WindowTable:
        return self.query_one(WindowTable)

    # ---- loading pages -----------------------------------------------------------------------

    def ensure_loaded(self) -> None:
        """Lazy tabs: the first page is asked for when the tab is first shown."""
        if not self.started:
            self.reload()
        elif self.stale:
            self.refresh_in_place()

    def focus_rows(self) -> None:
        """Put the focus on the rows. A loading table cannot take focus (Textual refuses it), so a table
        asked while its page is on the way takes the focus when the page arrives. An empty table (only
        its sentence shows) never holds the focus: keys sent to hidden rows would do nothing."""
        if self.table.loading or self._first_page_due:
            self._focus_when_loaded = True
        elif self.rows:
            self.table.focus()
        else:
            self._give_up_focus()

    def _give_up_focus(self) -> None:
        if self.table.has_focus:
            self.table.blur()

    def reload(self) -> None:
        self.started = True
        self.loading_more = True
        self._first_page_due = True
        self.load_page(None)

    def retry(self) -> None:
        self.load_page(self.next_cursor if self.rows else None)

    @work(exclusive=True, exit_on_error=False, group="page")
    async def load_page(self, cursor: str | None) -> None:
        self.loading_more = True
        ticket = self._ticket = object()  # a cancelled older load must not end this one's loading state
        table = self.table
        if cursor is None:
            table.loading = True
        else:
            self._show_count(loading=True)
        try:
            page = await self.source.invoices(
                self.account_id, status=self.status, limit=PAGE_SIZE, cursor=cursor
            )
        finally:
            if self._ticket is ticket:
                table.loading = False
                self.loading_more = False
                if cursor is None:
                    self._first_page_due = False
        if cursor is None:
            self.rows = []
            self.selected.clear()
            self._selected_at.clear()
            self._children.clear()
            self._expanded.clear()
            self._by_key.clear()
            self.window_start, self._first_page, self._page_sizes = 0, 0, []
            self._page_cursors = [None]
            table.clear()
        self.rows.extend(page.items)
        self._page_sizes.append(len(page.items))
        self.total = page.total_count
        self.next_cursor = page.next_cursor
        if page.next_cursor is not None:
            self._remember_cursor(self._first_page + len(self._page_sizes), page.next_cursor)
        if len(self._page_sizes) > WINDOW_PAGES:
            self._drop_first_page(page.items)
        else:
            for row in page.items:
                self._add(row)
        self._show_count()
        # A loading widget gives up focus; give it back when this table is the one on show, and give it
        # when it was asked for while the page was on the way.
        focused = self.screen.focused
        wanted = self._focus_when_loaded or focused is None or not _shown(focused)
        if cursor is None and not self.rows:
            self._focus_when_loaded = False
            self._give_up_focus()
        elif cursor is None and wanted and self._on_show():
            self._focus_when_loaded = False
            table.focus()

    def _remember_cursor(self, page_number: int, cursor: str) -> None:
        if page_number < len(self._page_cursors):
            self._page_cursors[page_number] = cursor
        else:
            self._page_cursors.append(cursor)

    def _drop_first_page(self, added: list[InvoiceRow]) -> None:
        """The window is full: the page at its top goes, `added` (in self.rows already) comes at the
        bottom, the cursor stays on its row."""
        dropped = self._page_sizes.pop(0)
        gone, self.rows = self.rows[:dropped], self.rows[dropped:]
        self.window_start += dropped
        self._first_page += 1
        self._shift_window(gone, added, on_top=False)
        self._forget_children(gone)

    def _drop_last_page(self) -> list[InvoiceRow]:
        """The page at the window's bottom goes (its rows are returned: the table still shows them)."""
        dropped = self._page_sizes.pop()
        gone, self.rows = self.rows[-dropped:], self.rows[:-dropped]
        self.next_cursor = self._page_cursors[self._first_page + len(self._page_sizes)]
        return gone

    def _forget_children(self, rows: list[InvoiceRow]) -> None:
        for row in rows:
            self._children.pop(row.id, None)
            self._expanded.discard(row.id)

    def _keys_of(self, row: InvoiceRow) -> list[str]:
        """The table's keys of a top-level row: its own and its open sites'."""
        own = str(row.id)
        if row.id not in self._expanded:
            return [own]
        return [own, *(f"{row.id}/{child.id}" for child in self._children.get(row.id, []))]

    def _shift_window(self, gone: list[InvoiceRow], added: list[InvoiceRow], *, on_top: bool) -> None:
        """A page left one end of the window and `added` came at the other (`on_top`: above): only those
        rows leave and enter the table, the rows on screen stay where they were and the cursor on its
        invoice (or its place, when its row left)."""
        table = self.table
        key = self._cursor_key()
        cursor_row, scroll_y = table.cursor_row, round(table.scroll_y)
        # The cursor and the scroll pass other rows meanwhile: those moves ask for nothing.
        self._redrawing = True
        self.call_after_refresh(setattr, self, "_redrawing", False)
        gone_keys = [k for row in gone for k in self._keys_of(row)]
        table.remove_rows(gone_keys)
        for gone_key in gone_keys:
            self._by_key.pop(gone_key, None)
        before = len(self._by_key)
        for row in added:
            self._add(row)
        if on_top:
            keys = list(self._by_key)
            added_keys = keys[before:]
            table.move_to_top(added_keys)
            # In the table's order, as a redraw over the same rows compares them.
            self._by_key = {k: self._by_key[k] for k in added_keys + keys[:before]}
            shift = len(added_keys)
        else:
            shift = -len(gone_keys)
        if key is not None and key in self._by_key:
            table.move_cursor(row=table.get_row_index(key), animate=False, scroll=False)
        elif table.row_count:  # its row left the window (scrolled away from it)
            row = max(0, min(cursor_row + shift, table.row_count - 1))
            table.move_cursor(row=row, animate=False, scroll=False)
        # The rows on screen stay where they were in the very next frame (a window of as many rows as
        # before keeps its height), and again after the refresh, when the table's new height is known.
        table.set_scroll(None, max(0, scroll_y + shift))
        self.call_after_refresh(table.scroll_to, y=max(0, scroll_y + shift), animate=False)

    def _cursor_key(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _maybe_load_previous(self) -> None:
        if self._first_page == 0 or self.loading_more:
            return
        self.loading_more = True
        self._load_previous_page()

    @work(exclusive=True, exit_on_error=False, group="page")
    async def _load_previous_page(self) -> None:
        number = self._first_page - 1
        ticket = self._ticket = object()
        self._show_count(loading=True)
        try:
            page = await self.source.invoices(
                self.account_id, status=self.status, limit=PAGE_SIZE, cursor=self._page_cursors[number]
            )
        finally:
            if self._ticket is ticket:
                self.loading_more = False
        if not page.items or not self.rows:
            self.reload()  # the list changed under the window: start again from the top
            return
        self.rows = list(page.items) + self.rows
        self._page_sizes.insert(0, len(page.items))
        self._first_page = number
        # Rows may have come or gone above meanwhile: the first page always starts the list.
        self.window_start = 0 if number == 0 else max(0, self.window_start - len(page.items))
        gone = self._drop_last_page() if len(self._page_sizes) > WINDOW_PAGES else []
        self._shift_window(gone, list(page.items), on_top=True)
        self._forget_children(gone)
        self._show_count()

    def refresh_in_place(self) -> None:
        """The first page again, drawn over the rows on screen: no loading state, no empty frame; the
        cursor stays on its invoice (or its place) and the selection keeps what is still payable."""
        self.stale = False
        if self.started and not self.loading_more:
            self._refresh_first_page()

    @work(exclusive=True, exit_on_error=False, group="refresh")
    async def _refresh_first_page(self) -> None:
        """The window's pages again, from its first page's cursor: the person keeps their place."""
        first, pages = self._first_page, max(1, len(self._page_sizes))
        cursor = self._page_cursors[first]
        rows: list[InvoiceRow] = []
        sizes: list[int] = []
        cursors: list[str] = []
        total = self.total
        for number in range(pages):
            page = await self.source.invoices(
                self.account_id, status=self.status, limit=PAGE_SIZE, cursor=cursor
            )
            rows += page.items
            sizes.append(len(page.items))
            if number == 0:
                total = page.total_count  # a later page's cursor carries the count of its first
            cursor = page.next_cursor
            if cursor is None:
                break
            cursors.append(cursor)
        fresh = {row.id: row for row in rows}
        children: dict[int, list[InvoiceRow]] = {}
        for parent_id in self._expanded & fresh.keys():  # open site lists are asked again too
            children[parent_id] = list((await self.source.invoice(parent_id)).children)
        if self.loading_more or self._first_page != first:
            return  # a page asked for meanwhile (a reload, or more rows) brings its own
        for offset, next_cursor in enumerate(cursors, start=1):
            self._remember_cursor(first + offset, next_cursor)
        self._page_sizes = sizes
        self._redraw_over(rows, children, total, cursor)

    def _redraw_over(
        self,
        rows: list[InvoiceRow],
        children: dict[int, list[InvoiceRow]],
        total: int,
        next_cursor: str | None,
    ) -> None:
        table = self.table
        before = list(self._by_key)
        current_key = (
            str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            if table.row_count
            else None
        )
        index = table.cursor_row
        held = {row.id for row in self.rows} | {c.id for kids in self._children.values() for c in kids}
        self.rows, self.total, self.next_cursor = rows, total, next_cursor
        self._children = children
        self._expanded = set(children)  # the site lists still open (their parents still listed)
        payable = {row.id: row for row in rows} | {c.id: c for kids in children.values() for c in kids}
        self.selected = {
            key: payable.get(key, row)
            for key, row in self.selected.items()
            # Outside the window: kept as chosen (nothing here says otherwise).
            if (key in payable and payable[key].balance_cents > 0) or (key not in payable and key not in held)
        }
        self._selected_at = {key: at for key, at in self._selected_at.items() if key in self.selected}
        keys = [str(row.id) if row.id not in self._expanded else None for row in rows]
        if None not in keys and keys == before:
            # The same invoices in the same order: new cells in place (the scroll position stays).
            self._by_key = {str(row.id): row for row in rows}
            for row in rows:
                cells = plain_cells(*self._cells(row, child=False))
                for column, cell in zip(list(table.columns), cells, strict=True):
                    table.update_cell(str(row.id), column, cell, update_width=True)
        else:
            self._rebuild(current_key)
            if current_key is not None and current_key not in self._by_key and table.row_count:
                parent = current_key.split("/")[0]  # a site whose list is closed now: its parent
                to = (
                    table.get_row_index(parent) if parent in self._by_key else min(index, table.row_count - 1)
                )
                table.move_cursor(row=to, animate=False)
        self._show_count()

    def _on_show(self) -> bool:
        return _shown(self)

    def _maybe_load_more(self) -> None:
        if self.next_cursor is None or self.loading_more:
            return
        self.loading_more = True
        self.load_page(self.next_cursor)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Where the cursor is now: a redraw passes row 0 on its way (its message comes later).
        table = event.data_table
        if table.row_count:
            self.table.warm_around()  # the rows the next key shows, drawn while the person reads this frame
        if self._redrawing or not table.row_count:
            return
        if table.cursor_row >= table.row_count - LOAD_AHEAD:
            self._maybe_load_more()
        elif table.cursor_row < LOAD_AHEAD:
            self._maybe_load_previous()

    def _scrolled(self, scroll_y: float) -> None:
        table = self.table
        if self._redrawing:
            return
        if scroll_y + table.scrollable_content_region.height >= table.row_count - LOAD_AHEAD:
            self._maybe_load_more()
        elif scroll_y < LOAD_AHEAD:
            self._maybe_load_previous()

    # ---- rows ----------------------------------------------------------------------------------

    def _add(self, row: InvoiceRow, parent: InvoiceRow | None = None) -> None:
        key = f"{parent.id}/{row.id}" if parent else str(row.id)
        self._by_key[key] = row
        self.table.add_row(*plain_cells(*self._cells(row, child=parent is not None)), key=key)
        if parent is None and row.id in self._expanded:
            for child in self._children.get(row.id, []):
                self._add(child, parent=row)

    def _is_selected(self, row: InvoiceRow) -> bool:
        return row.id in self.selected or (row.parent_id is not None and row.parent_id in self.selected)

    def _cells(self, row: InvoiceRow, *, child: bool) -> tuple[str | Text, ...]:
        return invoice_cells(
            row,
            child=child,
            selected=self._is_selected(row),
            expanded=row.id in self._expanded,
            compact=self.compact,
            theme=self.app.theme_variables,
        )

    def _rebuild(self, keep_key: str | None) -> None:
        """Redraw every row (after expanding or collapsing), keeping the cursor on `keep_key`."""
        table = self.table
        # Emptied and filled again: the scroll passes the top meanwhile, which asks for nothing.
        self._redrawing = True
        self.call_after_refresh(setattr, self, "_redrawing", False)
        table.clear()
        self._by_key.clear()
        for row in self.rows:
            self._add(row)
        if keep_key is not None and keep_key in self._by_key:
            table.move_cursor(row=table.get_row_index(keep_key), animate=False)

    def _show_count(self, *, loading: bool = False) -> None:
        empty = self.query_one(".empty", Static)
        count = self.query_one(".count", Static)
        has_rows = bool(self.rows)
        empty.display = not has_rows
        self.table.display = has_rows
        if empty.content != self.empty_text:
            empty.update(self.empty_text)
        end = self.window_start + len(self.rows)
        shown = f"{self.window_start + 1}–{end}" if self.window_start else f"{end}"
        text = f"{shown} of {self.total} loaded" if has_rows else ""
        if self.selected:
            total = sum(row.balance_cents for row in self.selected.values())
            text += f" · {len(self.selected)} selected ({format_cents(total)}): p pays"
        if loading:
            text += " · loading more…"
        elif self.next_cursor is not None:
            text += " · move down for more"
        # One line docked at the bottom whatever it says: no layout of the screen (a page's arrival
        # laid out and drew the whole screen again, twice).
        count.update(text, layout=False)

    def current_row(self) -> InvoiceRow | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return self._by_key.get(str(key.value))

    # ---- keys ----------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._by_key.get(str(event.row_key.value))
        if row is not None:
            self.post_message(self.OpenInvoice(row))

    def action_toggle_sites(self) -> None:
        row = self.current_row()
        if row is None:
            return
        parent_id = row.parent_id if row.parent_id is not None else row.id
        parent = next((r for r in self.rows if r.id == parent_id), None)
        if parent is None or not parent.is_multi_site:
            self.app.notify("Only a multi-site invoice has site invoices to show.", timeout=3)
            return
        if parent_id in self._expanded:
            self._expanded.discard(parent_id)
            self._rebuild(str(parent_id))
        elif parent_id in self._children:
            self._expanded.add(parent_id)
            self._rebuild(str(parent_id))
        else:
            self.load_children(parent_id)

    # ---- selecting invoices to pay ----------------------------------------------------------------

    def selection(self) -> list[InvoiceRow]:
        """The selected invoices in the list's order (a parent before its sites), those outside the
        window included."""
        at = self._selected_at | self._window_positions()
        return sorted(self.selected.values(), key=lambda row: at.get(row.id, (self.total, 0)))

    def _window_positions(self) -> dict[int, tuple[int, int]]:
        """Each held invoice's place in the whole list: (its top-level row's index, its site's index)."""
        at: dict[int, tuple[int, int]] = {}
        for index, row in enumerate(self.rows, start=self.window_start):
            at[row.id] = (index, -1)
            for site, child in enumerate(self._children.get(row.id, [])):
                at[child.id] = (index, site)
        return at

    def selection_to_pay(self) -> list[InvoiceRow]:
        """The selection for Pay; when there is none, how to make one is said on screen."""
        selected = self.selection()
        if not selected:
            self.notify(NOTHING_SELECTED, title="Nothing selected", timeout=6)
        return selected

    def clear_selection(self) -> None:
        changed = list(self.selected)
        self.selected.clear()
        self._redraw_marks(changed)

    def action_toggle_select(self) -> None:
        row = self.current_row()
        if row is None:
            return
        changed = [row.id]
        if row.parent_id is not None and row.parent_id in self.selected:
            # A site of a selected parent: keep its sibling sites, drop this one.
            parent = self.selected.pop(row.parent_id)
            changed.append(parent.id)
            for sibling in self._children.get(parent.id, []):
                if sibling.id != row.id and sibling.balance_cents > 0:
                    self.selected[sibling.id] = sibling
                    changed.append(sibling.id)
        elif row.id in self.selected:
            del self.selected[row.id]
        elif row.balance_cents <= 0:
            self.app.notify(f"{row.number} has nothing left to pay.", timeout=3)
            return
        elif len(self.selected) >= MAX_SELECTED:
            self.app.notify(f"One payment covers at most {MAX_SELECTED} invoices.", severity="warning")
            return
        else:
            self.selected[row.id] = row
            for child in self._children.get(row.id, []):  # the parent now stands for its sites
                if self.selected.pop(child.id, None) is not None:
                    changed.append(child.id)
        self._redraw_marks(changed)

    def action_select_all(self) -> None:
        payable = [row for row in self.rows if row.balance_cents > 0][:MAX_SELECTED]
        if payable and all(row.id in self.selected for row in payable):
            self.clear_selection()
            return
        changed = list(self.selected)
        self.selected = {row.id: row for row in payable}
        self._redraw_marks(changed + [row.id for row in payable])
        if len(payable) == MAX_SELECTED and len(self.rows) > MAX_SELECTED:
            self.app.notify(f"Selected the first {MAX_SELECTED}: one payment covers at most that many.")

    def _redraw_marks(self, ids: list[int]) -> None:
        at = self._window_positions()
        self._selected_at = {
            key: at.get(key) or self._selected_at.get(key, (self.total, 0)) for key in self.selected
        }
        touched = set(ids)
        for key, row in self._by_key.items():
            if row.id in touched or (row.parent_id is not None and row.parent_id in touched):
                cell = number_cell(row, child="/" in key, selected=self._is_selected(row))
                self.table.update_cell(key, "number", cell, update_width=True)
        self._show_count()

    @work(exclusive=True, exit_on_error=False, group="children")
    async def load_children(self, parent_id: int) -> None:
        detail = await self.source.invoice(parent_id)
        self._children[parent_id] = list(detail.children)
        self._expanded.add(parent_id)
        self._rebuild(str(parent_id))
