"""Passwords: sign in with one, sign up (a set-password link by email), forgot password (account
number + email), and set the password with the emailed link or its token.

Each is a small form like the login screen; the server's sentences show under the form, and in a demo
the demo inbox watches the email typed here, so the link can be read off the screen.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Label, Static

from tui.api import ApiError
from tui.checks import email_problem, password_problem, password_rules, required, token_from_link
from tui.screens.base import PaydeskScreen
from tui.widgets.pay_fields import Check, SayingInput, first_problem
from tui.widgets.status_line import StatusLine

LINK_HINT = "Paste the link from the email (paydesk://set-password?token=…), or the token in it."


def _link_problem(value: str) -> str | None:
    if not value.strip():
        return "Paste the link from the email."
    return None if token_from_link(value) else LINK_HINT


class _FormScreen(PaydeskScreen):
    """A centred form with a message line; Escape goes back to the screen before.

    A problem with a field is said until that field changes: then it may no longer apply (a wrong
    link and then the right one pasted), so the line empties rather than tell of the old value."""

    # The field the line's problem is about, and its value when the problem was said.
    _about: tuple[str, str] | None = None

    def say(self, text: str, *, error: bool = False) -> None:
        super().say(text, error=error)
        self._about = None

    def say_about(self, field: Input, text: str) -> None:
        self.say(text, error=True)
        self._about = (field.id or "", field.value)

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        about = self._about
        if about is not None and event.input.id == about[0] and event.value != about[1]:
            self.say("")

    def check(self, *fields: Input) -> bool:
        """Run each field's checks in order; show the first problem and focus its field."""
        for field in fields:
            problem = first_problem(field)
            if problem:
                self.say_about(field, problem)
                field.focus()
                return False
        return True

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        self.say(str(error), error=True)
        return True

    def action_back(self) -> None:
        self.app.pop_screen()


def _email_input(value: str) -> Input:
    return Input(
        value,
        placeholder="you@example.com",
        id="email",
        validators=[Check(email_problem)],
        validate_on=["submitted"],
    )


class PasswordLoginScreen(_FormScreen):
    """Email and password: the same landing as the code flow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "sign_in", "Sign in", id="password_login.sign_in", tooltip="Sign in with this password"
        ),
        Binding(
            "ctrl+f",
            "forgot",
            "Forgot password",
            id="password_login.forgot",
            tooltip="Get a link to set a new password (needs your account number)",
        ),
        Binding("escape", "back", "Back", id="password_login.back", tooltip="Back to sign in with a code"),
    ]

    def __init__(self, email: str = "", notice: str = "") -> None:
        super().__init__()
        self.initial_email = email
        self.notice = notice

    def compose_body(self) -> ComposeResult:
        with Vertical(id="password-form", classes="form"):
            yield Static("Sign in with a password", classes="form-title")
            yield _email_input(self.initial_email)
            yield Input(
                placeholder="Password",
                id="password",
                password=True,
                max_length=128,
                validators=[Check(required("password"))],
                validate_on=["submitted"],
            )
            yield StatusLine(self.notice, id="password-message")
            with Horizontal(classes="buttons"):
                yield Button("Sign in", id="sign-in", variant="primary", compact=True)
                yield Button("Forgot password", id="forgot", compact=True)

    def on_mount(self) -> None:
        self.query_one("#password" if self.initial_email else "#email", Input).focus()

    @on(Input.Submitted, "#email")
    def _email_done(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def action_sign_in(self) -> None:
        email, password = self.query_one("#email", Input), self.query_one("#password", Input)
        if self.check(email, password):
            self.say("")
            self.app.inbox_email = email.value.strip()
            self.sign_in(email.value.strip(), password.value)

    @work(exclusive=True, exit_on_error=False)
    async def sign_in(self, email: str, password: str) -> None:
        button = self.query_one("#sign-in", Button)
        button.loading = True
        try:
            session = await self.client.login(email, password)
            me = await self.client.me()
        finally:
            button.loading = False
        self.app.signed_in(me, token=session.token)

    def show_api_error(self, error: Exception) -> bool:
        shown = super().show_api_error(error)
        if shown:
            field = self.query_one("#password", Input)
            field.clear()
            field.focus()
        return shown

    @on(Button.Pressed, "#forgot")
    def action_forgot(self) -> None:
        self.app.push_screen(ForgotPasswordScreen(self.query_one("#email", Input).value.strip()))


class _LinkRequestScreen(_FormScreen):
    """Sign up and Forgot password: ask the server to email a set-password link, then take the link."""

    def __init__(self, email: str = "") -> None:
        super().__init__()
        self.initial_email = email
        self.sent_to: str | None = None

    async def request_link(self, email: str, request: Awaitable[str | None]) -> None:
        """Await the server's answer with the Send button busy, then point at "I have the link"."""
        button = self.query_one("#send", Button)
        button.loading = True
        try:
            message = await request
        finally:
            button.loading = False
        self.sent_to = email
        self.say(f"{message or 'Check your email.'} Then choose I have the link (Ctrl+T).")
        self.query_one("#have-link", Button).focus()

    @on(Button.Pressed, "#have-link")
    def action_have_link(self) -> None:
        email = self.sent_to or self.query_one("#email", Input).value.strip()
        self.app.push_screen(SetPasswordScreen(email))


class SignUpScreen(_LinkRequestScreen):
    """The email on the account: the server emails a link to set a password."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "send", "Send link", id="signup.send", tooltip="Email me a link to set my password"
        ),
        Binding(
            "ctrl+t",
            "have_link",
            "I have the link",
            id="signup.have_link",
            tooltip="Paste the link from the email and set your password",
        ),
        Binding("escape", "back", "Back", id="signup.back", tooltip="Back to sign in"),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="signup-form", classes="form"):
            yield Static("Sign up", classes="form-title")
            yield Static(
                "Enter the email address we have on your account. We will email you a link to set "
                "your password.",
                classes="hint",
            )
            yield _email_input(self.initial_email)
            yield StatusLine(id="signup-message")
            with Horizontal(classes="buttons"):
                yield Button("Send link", id="send", variant="primary", compact=True)
                yield Button("I have the link", id="have-link", compact=True)

    def on_mount(self) -> None:
        self.query_one("#email", Input).focus()

    @on(Input.Submitted, "#email")
    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        email = self.query_one("#email", Input)
        if self.check(email):
            self.app.inbox_email = email.value.strip()  # the demo inbox shows the link
            self.send(email.value.strip())

    @work(exclusive=True, exit_on_error=False)
    async def send(self, email: str) -> None:
        await self.request_link(email, self.client.sign_up(email))


class ForgotPasswordScreen(_LinkRequestScreen):
    """Account number and email: the server emails a link to set a new password."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "send", "Send link", id="forgot.send", tooltip="Email me a link to reset my password"
        ),
        Binding(
            "ctrl+t",
            "have_link",
            "I have the link",
            id="forgot.have_link",
            tooltip="Paste the link from the email and set a new password",
        ),
        Binding("escape", "back", "Back", id="forgot.back", tooltip="Back to sign in"),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="forgot-form", classes="form"):
            yield Static("Forgot password", classes="form-title")
            yield Static(
                "Enter your account number (on your bill) and the email on your account.", classes="hint"
            )
            yield SayingInput(  # says what it leaves out (issue 11 item 12)
                placeholder="Account number",
                id="account-number",
                what="an account number",
                takes="An account number is digits",
                restrict=r"[0-9 ]*",
                max_length=20,
                validators=[Check(required("account number"))],
                validate_on=["submitted"],
            )
            yield _email_input(self.initial_email)
            yield StatusLine(id="forgot-message")
            with Horizontal(classes="buttons"):
                yield Button("Send link", id="send", variant="primary", compact=True)
                yield Button("I have the link", id="have-link", compact=True)

    def on_mount(self) -> None:
        self.query_one("#account-number", Input).focus()

    @on(Input.Submitted, "#account-number")
    def _number_done(self) -> None:
        self.query_one("#email", Input).focus()

    @on(Input.Submitted, "#email")
    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        number, email = self.query_one("#account-number", Input), self.query_one("#email", Input)
        if self.check(number, email):
            self.app.inbox_email = email.value.strip()
            self.send(number.value.replace(" ", ""), email.value.strip())

    @work(exclusive=True, exit_on_error=False)
    async def send(self, account_number: str, email: str) -> None:
        await self.request_link(email, self.client.forgot_password(account_number, email))


class SetPasswordScreen(_FormScreen):
    """The emailed link (or its token) and the new password twice, with the rules shown as you type."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "set_password", "Set password", id="set_password.save", tooltip="Save the new password"
        ),
        Binding("escape", "back", "Back", id="set_password.back", tooltip="Back without setting a password"),
    ]

    def __init__(self, email: str = "") -> None:
        super().__init__()
        self.email = email

    def compose_body(self) -> ComposeResult:
        with Vertical(id="set-password-form", classes="form"):
            yield Static("Set your password", classes="form-title")
            who = f" to [b]{escape(self.email)}[/b]" if self.email else ""
            yield Static(f"Paste the link from the email{who}. It works once, for an hour.", classes="hint")
            with Horizontal(classes="field-row"):
                yield Label("Link or token", classes="field-label")
                yield Input(
                    placeholder="paydesk://set-password?token=…",
                    id="link",
                    compact=True,
                    validators=[Check(_link_problem)],
                    validate_on=["submitted"],
                )
            with Horizontal(classes="field-row"):
                yield Label("New password", classes="field-label")
                yield Input(
                    id="password",
                    password=True,
                    compact=True,
                    max_length=128,
                    validators=[Check(lambda value: password_problem(value, self.email))],
                    validate_on=["submitted"],
                )
            with Horizontal(classes="field-row"):
                yield Label("Type it again", classes="field-label")
                yield Input(id="password-again", password=True, compact=True, max_length=128)
            yield Static(self._rules(""), id="password-rules")
            yield StatusLine(id="set-password-message")
            yield Button("Set password", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#link", Input).focus()

    def _rules(self, password: str) -> str:
        lines = []
        for rule, ok in password_rules(password, self.email):
            mark = "[$success]✓[/]" if ok and password else "·"
            lines.append(f"{mark} {escape(rule[0].upper() + rule[1:])}")
        return "\n".join(lines)

    @on(Input.Changed, "#password")
    def _password_typed(self, event: Input.Changed) -> None:
        self.query_one("#password-rules", Static).update(self._rules(event.value))

    @on(Input.Submitted, "#link")
    def _link_done(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _password_done(self) -> None:
        self.query_one("#password-again", Input).focus()

    @on(Input.Submitted, "#password-again")
    @on(Button.Pressed, "#save")
    def action_set_password(self) -> None:
        link, password = self.query_one("#link", Input), self.query_one("#password", Input)
        again = self.query_one("#password-again", Input)
        if not self.check(link, password):
            return
        if again.value != password.value:
            again.clear()
            self.say_about(again, "The two passwords are not the same. Type the new password again.")
            again.focus()
            return
        token = token_from_link(link.value)
        assert token is not None  # checked above
        self.set_password(token, password.value)

    @work(exclusive=True, exit_on_error=False)
    async def set_password(self, token: str, password: str) -> None:
        button = self.query_one("#save", Button)
        button.loading = True
        self.say("Saving your password…")
        try:
            await self.client.set_password(token, password)
            if not self.email:
                self._to_password_login()
                return
            # Straight in with the new password, as the portals do after "Set password".
            session = await self.client.login(self.email, password)
            me = await self.client.me()
        finally:
            button.loading = False
        self.app.notify("Your password is set.", title="Signed in", timeout=5)
        self.app.signed_in(me, token=session.token)

    def _to_password_login(self) -> None:
        self.app.switch_screen(PasswordLoginScreen(notice="Your password is set. Sign in with it."))

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        if error.param == "token" or error.code in ("invalid_token", "token_expired", "token_used"):
            link = self.query_one("#link", Input)
            self.say_about(link, f"{error} To ask: Escape, then Send link.")  # the server already says "ask"
            link.focus()
        elif error.param == "password":
            for selector in ("#password", "#password-again"):
                self.query_one(selector, Input).clear()
            password = self.query_one("#password", Input)
            self.say_about(password, str(error))
            password.focus()
        else:
            self.say(str(error), error=True)
        return True
