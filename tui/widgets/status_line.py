"""The one line a screen or panel speaks through: what just happened, or what went wrong.

Server text is shown as written (never read as markup); an error is styled `-error` by start.tcss.
"""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static


class StatusLine(Static):
    """`say(text)` replaces the line; `say(text, error=True)` shows it as an error.

    `hide_empty=True` takes the line out of the layout while it says nothing (the invoice detail's
    line sits between the header and the lines, where a blank row would push them down).
    """

    DEFAULT_CLASSES = "message"

    def __init__(
        self, text: str = "", *, id: str | None = None, classes: str | None = None, hide_empty: bool = False
    ) -> None:
        super().__init__(escape(text), id=id, classes=classes)
        self.hide_empty = hide_empty

    def say(self, text: str, *, error: bool = False) -> None:
        self.update(escape(text))
        self.set_class(error, "-error")
        if self.hide_empty:
            self.display = bool(text)
