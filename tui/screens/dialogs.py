"""The one dialog base, and the small questions of the self-service screens.

Every dialog is a `ModalScreen[T]` closed with `dismiss(value)`: Escape or its Cancel button gives
`CANCELLED` (None here, False for the payment questions), and `show_problem` says on the dialog's
StatusLine what is wrong with what was typed.

- `PhoneDialog`: a phone number for text notifications (None when cancelled).
- `PathDialog`: where to save a file, prefilled (None when cancelled).
- `QuestionDialog`: yes or no before something changes on the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from tui.checks import phone_problem
from tui.widgets.pay_fields import Check, SayingInput, first_problem
from tui.widgets.status_line import StatusLine

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """Subclasses compose the body; a family of dialogs names its own Escape binding (same key, own id)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without changing anything"),
    ]
    CANCELLED: ClassVar[Any] = None

    def action_cancel(self) -> None:
        self.dismiss(cast(T, self.CANCELLED))

    # The payment questions call their Cancel button "no"; every other dialog "cancel".
    @on(Button.Pressed, "#cancel, #no")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def show_problem(self, problem: str, field: Widget | None = None) -> None:
        """What is wrong, on the dialog's StatusLine, with the cursor back in the field to fix."""
        self.query_one(StatusLine).say(problem, error=True)
        if field is not None:
            field.focus()


class PhoneDialog(Dialog[str]):
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
            yield SayingInput(  # says what it leaves out (issue 11 item 12), as the profile's phone
                self.phone,
                placeholder="503-555-0142",
                id="phone",
                what="a phone number",
                takes="A phone number is digits, spaces and ( ) + . -",
                max_length=20,
                restrict=r"[0-9()+. -]*",
                validators=[Check(phone_problem)],
                validate_on=["submitted"],
            )
            yield StatusLine(id="phone-message")
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
            self.show_problem(problem, field)
            return
        self.dismiss(field.value.strip())


class PathDialog(Dialog[str]):
    """Where to save a file; dismissed with the path typed (prefilled with the downloads folder)."""

    def __init__(self, title: str, path: Path) -> None:
        super().__init__()
        self.title_text = title
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static(escape(self.title_text), classes="dialog-title")
            yield Input(str(self.path), id="path")
            yield StatusLine(id="path-message")
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
            self.show_problem("Enter where to save the file.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            path = path / self.path.name
        self.dismiss(str(path))


class QuestionDialog(Dialog[bool]):
    """One plain question; dismissed with True (the first button) or None (the second button or Escape).

    `no` names what the second button keeps: "Cancel" beside "Cancel payment" read as two cancels.
    """

    def __init__(self, title: str, text: str, yes: str, no: str = "Cancel") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static(escape(self.title_text), classes="dialog-title")
            yield Static(escape(self.text))
            with Horizontal(classes="buttons"):
                yield Button(escape(self.yes), id="ok", variant="primary")
                yield Button(escape(self.no), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(True)
