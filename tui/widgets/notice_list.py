"""The account's notices (returns, failed or skipped autopay and scheduled runs), in the server's words."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tui.api import Notice
from tui.widgets.formatting import format_date


class NoticeList(Static):
    """`show(notices, total)`: newest first, unseen ones marked; `unavailable(text)` says why not."""

    def show(self, notices: list[Notice], total: int) -> None:
        if not notices:
            self.update("[dim]No notices: no returned payment and no failed or skipped run.[/dim]")
            return
        lines = []
        for notice in notices:
            new = " [b](new to the customer)[/b]" if not notice.seen else ""
            lines.append(f"[b]{format_date(notice.created_on)}[/b] {escape(notice.message)}{new}")
        more = total - len(notices)
        if more > 0:
            lines.append(f"[dim]… and {more} older.[/dim]")
        self.update("\n".join(lines))

    def unavailable(self, text: str) -> None:
        self.update(f"[dim]{escape(text)}[/dim]")
