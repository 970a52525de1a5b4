"""The confirm step of an email change: the 6-digit code sent to the new address, typed in a dialog.

A new billing email is not the email until its code comes back (`POST /v1/accounts/{id}/email/confirm`):
the customer types it from their inbox, a clerk types the code the customer reads out on the phone.
The dialog sends the code itself, so the server's refusal (a wrong code, a dead or expired one, no
change waiting) shows in the dialog, which stays open with the code field marked. Resend asks for a
new code (the same new email saved again: the code before it stops working). Dismissed with the
account as the server now holds it (its `email` the new one), or None when closed without a code.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, MaskedInput, Static

from tui.api import Account, ApiError, NotAuthenticated, ServerUnavailable, SessionIdle
from tui.screens.dialogs import Dialog
from tui.widgets.code_input import CodeInput
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

CODE_LENGTH = 6
CODE_MINUTES = 30
# Refusals after which this code can never work: the way on is a new one.
NEEDS_NEW_CODE = {"code_dead", "code_expired"}


def pending_sentence(account: Account, *, clerk: bool = False) -> str:
    """The waiting state in words, shown beside the email field (empty when nothing waits)."""
    if not account.pending_email:
        return ""
    whose = "the customer's" if clerk else "your"
    return (
        f"Waiting for confirmation: a code was sent to {account.pending_email}. "
        f"The email stays {account.email or 'unchanged'} until {whose} code is typed."
    )


class EmailCodeDialog(ReportsWorkerErrors, Dialog[Account]):
    """Type the code sent to the account's pending email; Ctrl+R sends a new one."""

    SCOPED_CSS = False  # the first rule styles the dialog screen itself
    DEFAULT_CSS = """
    EmailCodeDialog {
        align: center middle;
        background: $background 60%;
    }
    #email-code {
        width: 12;
        margin-top: 1;
    }
    #email-code-words {
        margin-bottom: 0;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Close",
            id="email_code.close",
            tooltip="Close the dialog: the change keeps waiting for its code",
        ),
        Binding(
            "ctrl+r",
            "resend",
            "Resend code",
            id="email_code.resend",
            tooltip="Email a new code to the new address (the one before it stops working)",
        ),
    ]

    def __init__(self, account: Account, *, clerk: bool = False) -> None:
        super().__init__()
        self.account = account
        self.clerk = clerk
        self.busy = False
        self._inbox_was: str | None = None

    @property
    def new_email(self) -> str:
        return self.account.pending_email or ""

    def compose(self) -> ComposeResult:
        new = escape(self.new_email)
        if self.clerk:
            words = (
                f"A 6-digit code was emailed to [b]{new}[/b]. Ask the customer to read it out, then "
                f"type it here. It works for {CODE_MINUTES} minutes."
            )
        else:
            words = (
                f"We emailed a 6-digit code to [b]{new}[/b]. Type it here to make it your email. "
                f"It works for {CODE_MINUTES} minutes."
            )
        with Vertical(classes="dialog ask-dialog"):
            yield Static("Confirm the new email", classes="dialog-title")
            yield Static(words, id="email-code-words")
            yield CodeInput(id="email-code", validate_on=["submitted"])  # says what it leaves out
            yield StatusLine(id="email-code-message")
            with Horizontal(classes="buttons"):
                yield Button("Confirm", id="ok", variant="primary")
                yield Button("Resend code", id="resend")
                yield Button("Close", id="cancel")

    def on_mount(self) -> None:
        self.code_field.focus()
        if self.app.demo:
            # The demo inbox watches the new address while the dialog is open: its code shows as a toast.
            self._inbox_was = self.app.inbox_email
            self.app.inbox_email = self.new_email

    def on_unmount(self) -> None:
        if self.app.demo:
            self.app.inbox_email = self._inbox_was

    @property
    def code_field(self) -> MaskedInput:
        return self.query_one("#email-code", MaskedInput)

    @property
    def message(self) -> StatusLine:
        return self.query_one("#email-code-message", StatusLine)

    # ---- the code ------------------------------------------------------------------------------

    @on(MaskedInput.Changed, "#email-code")
    def _code_changed(self, event: MaskedInput.Changed) -> None:
        event.stop()
        if event.value:
            self.code_field.set_class(False, "-invalid")  # typing again: the mark of the last try goes
        if len(event.value) == CODE_LENGTH and event.value.isdigit():
            self.confirm(event.value)

    @on(MaskedInput.Submitted, "#email-code")
    @on(Button.Pressed, "#ok")
    def _confirm_asked(self, event: MaskedInput.Submitted | Button.Pressed) -> None:
        event.stop()
        code = self.code_field.value
        if len(code) != CODE_LENGTH or not code.isdigit():
            self.refused_text(f"Enter all {CODE_LENGTH} digits of the code sent to {self.new_email}.")
            return
        self.confirm(code)

    @work(exclusive=True, exit_on_error=False, group="email-code")
    async def confirm(self, code: str) -> None:
        if self.busy:
            return
        self.sending(True, "Checking the code…")
        try:
            account = await self.app.client.confirm_email(self.account.id, code)
        except (ServerUnavailable, NotAuthenticated, SessionIdle):
            raise  # the app's one handler: the unavailable dialog, the login or the lock
        except ApiError as error:
            self.refused(error)
            return
        finally:
            self.sending(False)
        self.dismiss(account)

    # ---- a new code ----------------------------------------------------------------------------

    @on(Button.Pressed, "#resend")
    def _resend_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_resend()

    def action_resend(self) -> None:
        if not self.busy:
            self.resend()

    @work(exclusive=True, exit_on_error=False, group="email-code")
    async def resend(self) -> None:
        self.sending(True, f"Sending a new code to {self.new_email}…")
        try:
            # The same new email saved again: a new code, and the one before it stops working.
            account = await self.app.client.update_account(self.account.id, {"email": self.new_email})
        except (ServerUnavailable, NotAuthenticated, SessionIdle):
            raise
        except ApiError as error:
            self.refused(error, code_field=False)
            return
        finally:
            self.sending(False)
        self.account = account
        field = self.code_field
        field.clear()
        field.set_class(False, "-invalid")
        field.focus()
        self.message.say(
            f"A new code is on its way to {self.new_email}. Codes sent before it no longer work."
        )

    # ---- what the person sees ------------------------------------------------------------------

    def sending(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.query_one("#ok", Button).loading = busy
        if text:
            self.message.say(text)

    def refused(self, error: ApiError, *, code_field: bool = True) -> None:
        """The server said no: its sentence, the code field marked, the dialog still open."""
        if error.code in NEEDS_NEW_CODE:
            # The server says to ask again; Resend code is that, one key away.
            self.refused_text(f"{error.message} Resend code (Ctrl+R) does it.", mark=True)
            self.query_one("#resend", Button).focus()
            return
        self.refused_text(error.message, mark=code_field or error.param == "code")

    def refused_text(self, text: str, *, mark: bool = True) -> None:
        field = self.code_field
        field.clear()
        field.set_class(mark, "-invalid")
        self.show_problem(text, field)

    def action_cancel(self) -> None:
        if self.busy:  # the code is out: its answer decides, so the dialog waits for it
            self.message.say("Wait a moment: the server is answering.")
            return
        super().action_cancel()

    def show_api_error(self, error: Exception) -> bool:
        return False

    def retry(self) -> None:
        """After the server was away: the code typed, sent again (a check changes nothing twice)."""
        code = self.code_field.value
        if len(code) == CODE_LENGTH and code.isdigit():
            self.confirm(code)
