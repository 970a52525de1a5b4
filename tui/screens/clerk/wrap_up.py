"""The wrap-up: what the call was about and how it ended, saved to the account as a note.

It opens with the cursor in the note and the disposition chosen ("Paid" when a payment was taken in
this call), so a wrap-up is the note's text and Ctrl+S. Dismissed with the saved Note, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, RadioButton, RadioSet, Static, TextArea

from tui.api import ApiError, Note
from tui.screens.dialogs import Dialog, QuestionDialog
from tui.widgets.note_list import DISPOSITIONS
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.app import PaydeskApp

NOTE_MAX = 2000


class WrapUpDialog(ReportsWorkerErrors, Dialog[Note | None]):
    app: PaydeskApp  # type: ignore[assignment]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save wrap-up", id="wrap_up.save", tooltip="Save the note to the account"),
        Binding("escape", "cancel", "Cancel", id="wrap_up.cancel", tooltip="Close without saving the note"),
    ]

    def __init__(self, account_id: int, name: str, *, paid: bool, before_new_call: bool = False) -> None:
        super().__init__()
        self.account_id = account_id
        self.customer_name = name
        self.disposition = "paid" if paid else "question_answered"
        self.before_new_call = before_new_call
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="wrap-up", classes="dialog ask-dialog"):
            yield Static(f"Wrap-up · {escape(self.customer_name)}", classes="dialog-title")
            if self.before_new_call:
                yield Static(
                    "Save a wrap-up before the next call (Ctrl+N again starts it without one).",
                    classes="hint",
                )
            yield TextArea(id="note-body", compact=True, placeholder="What the call was about")
            with RadioSet(id="disposition", compact=True):
                for value, label in DISPOSITIONS.items():
                    yield RadioButton(label, value=value == self.disposition, id=f"disposition-{value}")
            yield Static("Ctrl+S saves · Tab to how the call ended · Esc closes", classes="hint")
            yield StatusLine(id="wrap-up-message")
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#note-body", TextArea).focus()

    @property
    def unsaved_text(self) -> bool:
        """Whether the clerk typed a note that is not saved (New call then asks before it drops it)."""
        return not self.saving and bool(self.query_one("#note-body", TextArea).text.strip())

    @on(RadioSet.Changed, "#disposition")
    def _chosen(self, event: RadioSet.Changed) -> None:
        self.disposition = (event.pressed.id or "").removeprefix("disposition-") or self.disposition

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        field = self.query_one("#note-body", TextArea)
        body = field.text.strip()
        if not body:
            self.show_problem("Write what the call was about first.", field)
            return
        if len(body) > NOTE_MAX:
            self.show_problem(f"A note is at most {NOTE_MAX} characters; this one has {len(body)}.", field)
            return
        self.save(body, self.disposition)

    # Not exclusive: a second Ctrl+S must not cancel a note already on its way (`saving` drops it).
    @work(exit_on_error=False)
    async def save(self, body: str, disposition: str) -> None:
        if self.saving:
            return
        self.saving = True
        form = self.query_one("#wrap-up")
        form.loading = True
        try:
            note = await self.app.client.add_note(self.account_id, body, disposition)
        finally:
            form.loading = False
            self.saving = False
        self.dismiss(note)

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and error.type in ("invalid_request", "permission", "not_found"):
            self.show_problem(str(error), self.query_one("#note-body", TextArea))
            return True
        return False

    def retry(self) -> None:
        self.action_save()


class DiscardWrapUpQuestion(QuestionDialog):
    """New call over a wrap-up with a note typed in it: the note would be lost, so it asks first.
    Ctrl+N on this question is its yes (the app's New call), Escape goes back to the note."""

    def __init__(self) -> None:
        super().__init__(
            "Start the next call?",
            "The wrap-up you typed is not saved. Start the next call without it?",
            yes="Start without it",
            no="Keep writing",
        )
