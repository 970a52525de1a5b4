"""The one dialog for "the server did not answer", with a retry."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class UnavailableScreen(ModalScreen[bool]):
    """Dismissed with True to ask the server again, False to stay put."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="unavailable.retry", tooltip="Ask the server again"),
        Binding("escape", "close", "Close", id="unavailable.close", tooltip="Close this message"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="unavailable-dialog", classes="dialog"):
            yield Static("The server is not answering", classes="dialog-title")
            yield Static(escape(self.message), id="unavailable-message")
            yield Static("Press R to try again, or Escape to close this message.", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Retry", id="retry", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#retry", Button).focus()

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(False)
