"""Sign in, step 2: the 6-digit code from the email; it submits itself at the sixth digit."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Button, MaskedInput, Static

from tui.api import ApiError
from tui.screens.base import PaydeskScreen
from tui.widgets.code_input import CodeInput
from tui.widgets.status_line import StatusLine

CODE_LENGTH = 6


class VerifyCodeScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r",
            "resend",
            "Resend code",
            id="verify.resend",
            tooltip="Email a new 6-digit code (the old one stops working)",
        ),
        Binding(
            "escape",
            "change_email",
            "Change email",
            id="verify.change_email",
            tooltip="Go back and sign in with another email address",
        ),
    ]

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email

    def compose_body(self) -> ComposeResult:
        with Vertical(id="verify-form", classes="form"):
            yield Static("Enter your code", classes="form-title")
            yield Static(
                f"If [b]{escape(self.email)}[/b] has an account, a 6-digit code is on its way. "
                "It expires in 10 minutes.",
                classes="hint",
            )
            yield CodeInput(id="code", validate_on=["submitted"])  # says what it leaves out
            yield StatusLine(id="verify-message")
            yield Button("Resend code", id="resend")

    def on_mount(self) -> None:
        self.query_one("#code", MaskedInput).focus()

    @on(MaskedInput.Changed, "#code")
    def code_changed(self, event: MaskedInput.Changed) -> None:
        if len(event.value) == CODE_LENGTH and event.value.isdigit():
            self.verify(event.value)

    @on(MaskedInput.Submitted, "#code")
    def code_submitted(self, event: MaskedInput.Submitted) -> None:
        if len(event.value) != CODE_LENGTH:
            self.say(f"Enter all {CODE_LENGTH} digits of the code from the email.", error=True)

    @work(exclusive=True, exit_on_error=False, group="verify")
    async def verify(self, code: str) -> None:
        field = self.query_one("#code", MaskedInput)
        field.loading = True
        self.say("Checking the code…")
        try:
            session = await self.client.verify_code(self.email, code)
            me = await self.client.me()
        finally:
            field.loading = False
        self.app.signed_in(me, token=session.token)

    @on(Button.Pressed, "#resend")
    def action_resend(self) -> None:
        self.resend()

    @work(exclusive=True, exit_on_error=False, group="resend")
    async def resend(self) -> None:
        button = self.query_one("#resend", Button)
        button.loading = True
        try:
            await self.client.request_code(self.email)
        finally:
            button.loading = False
        field = self.query_one("#code", MaskedInput)
        field.clear()
        field.focus()
        self.say("A new code is on its way. Codes sent before it no longer work.")

    def retry(self) -> None:
        code = self.query_one("#code", MaskedInput).value
        if len(code) == CODE_LENGTH:
            self.verify(code)

    def action_change_email(self) -> None:
        self.app.pop_screen()

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        field = self.query_one("#code", MaskedInput)
        if error.code == "code_dead":
            # The server's words, then what to do: the only way on is a new code.
            self.say(f"{error} Resend code (Ctrl+R) does it.", error=True)  # the server already says "ask"
            field.clear()
            self.query_one("#resend", Button).focus()
        else:
            self.say(str(error), error=True)
            field.clear()
            field.focus()
        return True
