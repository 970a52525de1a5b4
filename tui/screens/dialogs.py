"""Small questions of the self-service screens, each a `ModalScreen[T]` closed with `dismiss(value)`.

- `PhoneDialog`: a phone number for text notifications (None when cancelled).
- `PathDialog`: where to save a file, prefilled (None when cancelled).
- `QuestionDialog`: yes or no before something changes on the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.checks import phone_problem
from tui.widgets.pay_fields import Check, first_problem


class _Dialog(ModalScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changing anything"),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class PhoneDialog(_Dialog):
    """Texts need a number: ask for it; dismissed with the number as typed, or None."""

    def __init__(self, phone: str = "") -> None:
        super().__init__()
        self.phone = phone

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static("A phone number for text messages", classes="dialog-title")
            yield Static(
                "We text bill reminders and payment notices to this number. "
                "Message and data rates may apply.",
                classes="hint",
            )
            yield Input(
                self.phone,
                placeholder="503-555-0142",
                id="phone",
                max_length=20,
                restrict=r"[0-9()+. -]*",
                validators=[Check(phone_problem)],
                validate_on=["submitted"],
            )
            yield Static("", id="phone-message", classes="message")
            with Horizontal(classes="buttons"):
                yield Button("Turn on texts", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#phone", Input).focus()

    @on(Input.Submitted, "#phone")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        field = self.query_one("#phone", Input)
        problem = first_problem(field)
        if problem:
            message = self.query_one("#phone-message", Static)
            message.update(escape(problem))
            message.add_class("-error")
            field.focus()
            return
        self.dismiss(field.value.strip())


class PathDialog(_Dialog):
    """Where to save a file; dismissed with the path typed (prefilled with the downloads folder)."""

    def __init__(self, title: str, path: Path) -> None:
        super().__init__()
        self.title_text = title
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static(escape(self.title_text), classes="dialog-title")
            yield Input(str(self.path), id="path")
            yield Static("", id="path-message", classes="message")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            message = self.query_one("#path-message", Static)
            message.update("Enter where to save the file.")
            message.add_class("-error")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            path = path / self.path.name
        self.dismiss(str(path))


class QuestionDialog(_Dialog):
    """One plain question; dismissed with True (the first button) or None (Cancel or Escape)."""

    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static(escape(self.title_text), classes="dialog-title")
            yield Static(escape(self.text))
            with Horizontal(classes="buttons"):
                yield Button(escape(self.yes), id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(True)
