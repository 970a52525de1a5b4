"""The lock: after an idle spell (or the palette's Lock screen, or the server's `session_idle`), a
full screen over everything, drawing nothing of the account (in a demo, the demo inbox stays).

Only the same person unlocks: with their password, or a new code sent to their email. The new session
replaces the old one, which is revoked. "Sign in as someone else" ends the call as New call does.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, MaskedInput, Static

from tui.api import ApiError, Session
from tui.screens.base import PaydeskScreen
from tui.widgets.code_input import CodeInput
from tui.widgets.status_line import StatusLine

CODE_LENGTH = 6
T = TypeVar("T")


class LockScreen(PaydeskScreen):
    COMPACT_FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r",
            "send_code",
            "Email me a code",
            id="lock.send_code",
            tooltip="Unlock with a new 6-digit code sent to the signed-in email",
        ),
        Binding(
            "ctrl+o",
            "someone_else",
            "Someone else",
            id="lock.someone_else",
            tooltip="Sign in as someone else: the call in progress ends",
        ),
    ]

    def __init__(self, email: str, name: str, reason: str = "") -> None:
        super().__init__()
        self.email = email
        self.person = name
        self.reason = reason

    def compose_body(self) -> ComposeResult:
        with Vertical(id="lock-form", classes="form"):
            yield Static("Screen locked", classes="form-title")
            yield Static(
                f"Locked for [b]{escape(self.person)}[/b] ({escape(self.email)}). "
                "Unlock with the password, or with a new code sent to that email.",
                classes="hint",
            )
            yield Input(placeholder="Password", password=True, id="lock-password")
            yield CodeInput(id="lock-code")  # says what it leaves out; no "000000" that reads like a code
            yield StatusLine(self.reason, id="lock-message")
            with Horizontal(classes="buttons"):
                yield Button("Unlock", id="unlock", variant="primary", compact=True)
                yield Button("Email me a code", id="send-code", compact=True)
                yield Button("Someone else", id="someone-else", compact=True)

    def on_mount(self) -> None:
        self.query_one("#lock-code").display = False
        self.query_one("#lock-password", Input).focus()

    # ---- password --------------------------------------------------------------------------------

    @on(Input.Submitted, "#lock-password")
    @on(Button.Pressed, "#unlock")
    def _unlock_pressed(self) -> None:
        code = self.query_one("#lock-code", MaskedInput)
        if code.display and len(code.value) == CODE_LENGTH:
            self.verify_code(code.value)
            return
        password = self.query_one("#lock-password", Input).value
        if not password:
            self.say("Type the password, or press Ctrl+R for a code by email.", error=True)
            return
        self.unlock_with_password(password)

    @work(exclusive=True, exit_on_error=False, group="unlock")
    async def unlock_with_password(self, password: str) -> None:
        self.say("Checking…")
        old = self.client.token
        session = await self._signed_out_for(self.client.login(self.email, password))
        await self._unlocked(session, old)

    # ---- an emailed code -----------------------------------------------------------------------

    @on(Button.Pressed, "#send-code")
    def action_send_code(self) -> None:
        self.send_code()

    @work(exclusive=True, exit_on_error=False, group="send")
    async def send_code(self) -> None:
        self.app.inbox_email = self.email
        await self._signed_out_for(self.client.request_code(self.email))
        code = self.query_one("#lock-code", MaskedInput)
        code.display = True
        code.clear()
        code.focus()
        self.say(f"A 6-digit code is on its way to {self.email}.")

    @on(MaskedInput.Changed, "#lock-code")
    def _code_typed(self, event: MaskedInput.Changed) -> None:
        if len(event.value) == CODE_LENGTH and event.value.isdigit():
            self.verify_code(event.value)

    @work(exclusive=True, exit_on_error=False, group="unlock")
    async def verify_code(self, code: str) -> None:
        self.say("Checking the code…")
        old = self.client.token
        session = await self._signed_out_for(self.client.verify_code(self.email, code))
        await self._unlocked(session, old)

    async def _signed_out_for(self, request: Awaitable[T]) -> T:
        """Sign-in requests go without the old token (the server may have ended it for idleness);
        it stays the client's until a new session replaces it."""
        old = self.client.token
        self.client.token = None
        try:
            return await request
        finally:
            if self.client.token is None:
                self.client.token = old

    # ---- after ---------------------------------------------------------------------------------

    async def _unlocked(self, session: Session, old_token: str | None) -> None:
        # The new session replaces the old one: revoke it, so only one stays alive.
        if old_token and old_token != session.token:
            await self.client.revoke(old_token)
        self.query_one("#lock-password", Input).clear()
        self.app.unlocked(session)

    @on(Button.Pressed, "#someone-else")
    def action_someone_else(self) -> None:
        self.app.sign_in_as_someone_else()

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError):
            self.say(str(error), error=True)
            code = self.query_one("#lock-code", MaskedInput)
            if code.display:
                code.clear()
                code.focus()
            else:
                self.query_one("#lock-password", Input).focus()
            return True
        return False
