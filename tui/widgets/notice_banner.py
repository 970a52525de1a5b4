"""The customer's unseen notices on home (a returned bank payment, a failed or skipped autopay or scheduled
run), the newest first, in the server's words, until the customer says they have seen them."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tui.api import Notice
from tui.widgets.formatting import format_date


class NoticeBanner(Static):
    """`show(notices)`: the unseen ones, newest first; hidden when there are none. `first` is the one on
    top, the one "Got it" marks seen."""

    DEFAULT_CSS = """
    NoticeBanner { display: none; border-left: thick $warning; padding: 0 1; margin: 0 0 1 0; }
    NoticeBanner.-shown { display: block; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.notices: list[Notice] = []

    @property
    def first(self) -> Notice | None:
        return self.notices[0] if self.notices else None

    def show(self, notices: list[Notice]) -> None:
        self.notices = [notice for notice in notices if not notice.seen]
        self.set_class(bool(self.notices), "-shown")
        first = self.first
        if first is None:
            self.update("")
            return
        more = len(self.notices) - 1
        tail = f" [dim](and {more} more)[/dim]" if more else ""
        self.update(
            f"[b]{format_date(first.created_on)}[/b] {escape(first.message)}{tail}\n"
            "[dim]n: got it (it will not show again)[/dim]"
        )

    def drop_first(self) -> None:
        self.show(self.notices[1:])
