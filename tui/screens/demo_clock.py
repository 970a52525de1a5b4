"""Demo and QA only: move the backend's clock forward from inside the app.

Due dates, past due, bank settlement and returns all follow the backend's clock; `paydesk demo` starts it
at 2026-11-15. Dismissed with the number of days, or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Button, Input, Static

from tui.widgets.pay_fields import SayingInput

MAX_DAYS = 3650


class DemoClockDialog(ModalScreen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="demo_clock.cancel", tooltip="Leave the clock as it is"),
    ]
    DEFAULT_CSS = """
    DemoClockDialog { align: center middle; }
    DemoClockDialog > Vertical {
        width: 60; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    DemoClockDialog #clock-problem { color: $error; height: auto; }
    DemoClockDialog Horizontal { height: auto; margin-top: 1; }
    DemoClockDialog Button { margin-right: 2; }
    """

    def __init__(self, today_text: str) -> None:
        super().__init__()
        self.today_text = today_text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Move the demo clock forward[/b]\nThe backend's date is {self.today_text}.")
            yield Static("Days to move forward (bank payments settle after 3 business days):")
            yield SayingInput(  # says a letter, a "-" or a fifth digit instead of dropping it
                value="1",
                id="clock-days",
                what="a number of days",
                takes="Days are a whole number, digits only",
                unit="digits",
                restrict=r"[0-9]*",
                max_length=len(str(MAX_DAYS)),
                validators=[Integer(minimum=1, maximum=MAX_DAYS, failure_description="1 to 3650 days")],
            )
            yield Static("", id="clock-problem")
            with Horizontal():
                yield Button("Move forward", id="move", variant="warning")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#clock-days", Input).focus()

    @on(Input.Submitted, "#clock-days")
    @on(Button.Pressed, "#move")
    def _move(self) -> None:
        field = self.query_one("#clock-days", Input)
        result = field.validate(field.value)
        if result is not None and not result.is_valid:
            self.query_one("#clock-problem", Static).update("Enter a whole number of days from 1 to 3650.")
            return
        self.dismiss(int(field.value))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
