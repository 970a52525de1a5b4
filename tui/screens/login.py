"""Sign in, step 1: the email address; Enter asks the server to email a 6-digit code."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from tui.api import ApiError
from tui.checks import EMAIL_HINT, email_problem
from tui.screens.base import PaydeskScreen
from tui.widgets.check import Check
from tui.widgets.status_line import StatusLine


class LoginScreen(PaydeskScreen):
    # Styled by start.tcss alone (the first frame's rules): showing it does not read app.tcss.
    STYLED_AT_START: ClassVar[bool] = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "send_code",
            "Send code",
            id="login.send_code",
            tooltip="Email a 6-digit sign-in code to this address",
        ),
        Binding(
            "ctrl+o",
            "password_login",
            "Use a password",
            id="login.password",
            tooltip="Sign in with your email and password instead of a code",
        ),
        Binding(
            "ctrl+n",
            "sign_up",
            "Sign up",
            id="login.sign_up",
            tooltip="Set a password for the email on your account",
        ),
        Binding(
            "ctrl+f",
            "forgot_password",
            "Forgot password",
            id="login.forgot_password",
            tooltip="Get a link to set a new password (needs your account number)",
        ),
        Binding(
            "ctrl+g",
            "guest_pay",
            "Pay without an account",
            id="login.guest_pay",
            tooltip="A one-time payment with your account number and last name",
        ),
    ]

    def __init__(self, email: str = "") -> None:
        super().__init__()
        self.initial_email = email

    def compose_body(self) -> ComposeResult:
        with Vertical(id="login-form", classes="form"):
            yield Static("Sign in", classes="form-title")
            yield Static(
                "Enter the email address on your account. We will email you a 6-digit code.",
                classes="hint",
            )
            yield Input(
                self.initial_email,
                placeholder="you@example.com",
                id="email",
                validators=[Check(email_problem)],
                validate_on=["submitted"],
            )
            yield StatusLine(id="login-message")
            yield Button("Send code", id="send", variant="primary")
            with Horizontal(id="login-more"):
                yield Button("Use a password", id="password-login", compact=True)
                yield Button("Sign up", id="sign-up", compact=True)
                yield Button("Forgot password", id="forgot-password", compact=True)
            with Horizontal(id="login-guest"):
                yield Button("Pay without an account", id="guest-pay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#email", Input).focus()

    @on(Input.Submitted, "#email")
    @on(Button.Pressed, "#send")
    def action_send_code(self) -> None:
        field = self.query_one("#email", Input)
        email = field.value.strip()
        field.validate(email)  # marks the field invalid, as on submit
        if email_problem(email):
            self.say(EMAIL_HINT, error=True)
            field.focus()
            return
        self.say("")
        self.app.inbox_email = email  # the demo inbox watches this address from now on
        self.send_code(email)

    @work(exclusive=True, exit_on_error=False)
    async def send_code(self, email: str) -> None:
        button = self.query_one("#send", Button)
        button.loading = True
        try:
            await self.client.request_code(email)
        finally:
            button.loading = False
        from tui.screens.verify_code import VerifyCodeScreen

        self.app.push_screen(VerifyCodeScreen(email))

    # ---- other ways in -------------------------------------------------------------------------

    def _typed_email(self) -> str:
        return self.query_one("#email", Input).value.strip()

    @on(Button.Pressed, "#password-login")
    def action_password_login(self) -> None:
        from tui.screens.passwords import PasswordLoginScreen

        self.app.push_screen(PasswordLoginScreen(self._typed_email()))

    @on(Button.Pressed, "#sign-up")
    def action_sign_up(self) -> None:
        from tui.screens.passwords import SignUpScreen

        self.app.push_screen(SignUpScreen(self._typed_email()))

    @on(Button.Pressed, "#forgot-password")
    def action_forgot_password(self) -> None:
        from tui.screens.passwords import ForgotPasswordScreen

        self.app.push_screen(ForgotPasswordScreen(self._typed_email()))

    @on(Button.Pressed, "#guest-pay")
    def action_guest_pay(self) -> None:
        self.app.open_guest_lookup()  # the app knows the guest screens; the login does not import them

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError):
            self.say(str(error), error=True)
            return True
        return False

    def retry(self) -> None:
        self.action_send_code()
