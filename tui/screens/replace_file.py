"""Before a download takes the name of a file already there: replace it, save under a new name, or not at all.

`ask_before_saving` saves at once when the name is free; otherwise it asks (ReplaceFileDialog) and saves
where the answer says. The new name is offered first, so Enter never overwrites a file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Static

from tui.downloads import free_name
from tui.screens.dialogs import QuestionDialog


class ReplaceFileDialog(QuestionDialog):
    """Dismissed with True (replace the file), False (save under `new_path`) or None (Cancel, Escape)."""

    def __init__(self, path: Path, new_path: Path) -> None:
        super().__init__(
            f"{path.name} is already there",
            f"In {path.parent}. Replace it with this one, or save this one as {new_path.name}?",
            "Replace it",
        )
        self.new_path = new_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog"):
            yield Static(escape(self.title_text), classes="dialog-title")
            yield Static(escape(self.text))
            with Horizontal(classes="buttons"):
                yield Button(f"Save as {escape(self.new_path.name)}", id="new-name", variant="primary")
                yield Button(escape(self.yes), id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        # After QuestionDialog's own mount, which focuses its first button ("Replace it" here).
        self.call_after_refresh(self.query_one("#new-name", Button).focus)

    @on(Button.Pressed, "#new-name")
    def _new_name(self) -> None:
        self.dismiss(False)


def ask_before_saving(
    app: App, path: Path, save: Callable[[Path], object], say: Callable[[str], object]
) -> None:
    """`save(path)` when nothing is there; else ask, then save there, under a new name, or say nothing was."""
    if not path.exists():
        save(path)
        return
    new_path = free_name(path)

    def answered(replace: bool | None) -> None:
        if replace is None:
            say(f"Nothing was saved: {path} is as it was.")
        else:
            save(path if replace else new_path)

    app.push_screen(ReplaceFileDialog(path, new_path), answered)
