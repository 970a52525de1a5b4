"""The account overview: Balance Due, Past Due, In Progress, credit and the next due date."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tui.api import Summary
from tui.money import format_cents
from tui.widgets.formatting import format_date, plural


class Tile(Static):
    """One figure: a label over a value, with an optional note under it."""

    def show(self, label: str, value: str, note: str = "") -> None:
        lines = [f"[dim]{label}[/dim]", f"[b]{value}[/b]"]
        if note:
            lines.append(note)
        self.update("\n".join(lines))


class BalanceCard(Widget):
    """Renders a `Summary`; `summary = None` shows a loading state."""

    summary: reactive[Summary | None] = reactive(None, init=False)

    def __init__(self, heading: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Horizontal(id="card-head"):
            yield Static(self.heading, id="card-heading")
            yield Static("", id="as-of")
        with Horizontal(id="tiles"):
            yield Tile(id="balance-due", classes="tile")
            yield Tile(id="past-due", classes="tile")
            yield Tile(id="in-progress", classes="tile")
            yield Tile(id="credit", classes="tile")
            yield Tile(id="next-due", classes="tile")

    def on_mount(self) -> None:
        self.loading = True

    def watch_summary(self, summary: Summary | None) -> None:
        self.loading = summary is None
        if summary is None:
            return
        self.query_one("#as-of", Static).update(
            f"as of {format_date(summary.today)}" if summary.today else ""
        )
        # How many invoices are open belongs to the balance ("4 invoices"), not to the next due date
        # ("4 open" under Next Due read as four invoices due that day).
        self.query_one("#balance-due", Tile).show(
            "Balance Due",
            format_cents(summary.balance_due_cents),
            plural(summary.open_count, "invoice") if summary.open_count else "",
        )
        past_due = self.query_one("#past-due", Tile)
        if summary.past_due_count:
            past_due.show(
                "Past Due",
                format_cents(summary.past_due_cents),
                plural(summary.past_due_count, "invoice"),
            )
        else:
            past_due.show("Past Due", format_cents(0), "none")
        past_due.set_class(summary.past_due_count > 0, "-past-due")
        self.query_one("#in-progress", Tile).show("In Progress", format_cents(summary.in_progress_cents))
        self.query_one("#credit", Tile).show("Account Credit", format_cents(summary.credit_cents))
        self.query_one("#next-due", Tile).show(
            "Next Due",
            format_date(summary.next_due_on, empty="nothing due"),
        )
