"""Contact us: the business's phone number, and a message (subject and text) sent to the business."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Input, Label, Static, TextArea

from tui.api import ApiError
from tui.checks import required
from tui.screens.base import PaydeskScreen
from tui.widgets.pay_fields import Check, SayingInput, first_problem
from tui.widgets.payment_view import BUSINESS_PHONE
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import AccountRef

SUBJECT_MAX = 200
BODY_MAX = 5000


class ContactScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="contact.send", tooltip="Send this message to us"),
        Binding("escape", "back", "Back", id="contact.back", tooltip="Back without sending"),
    ]

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account = account

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="contact"):
            yield Static(f"Contact us · account {escape(self.account.account_number)}", id="contact-title")
            yield Static(
                _phone_line(BUSINESS_PHONE),
                id="contact-phone",
            )
            with Horizontal(classes="field-row"):
                yield Label("Subject", classes="field-label")
                yield SayingInput(  # says a paste is too long (issue 11 item 12)
                    id="subject",
                    what="a subject",
                    compact=True,
                    max_length=SUBJECT_MAX,
                    placeholder="What is it about?",
                    validators=[Check(required("subject"))],
                    validate_on=["submitted"],
                )
            yield Label("Message", classes="field-label contact-label")
            yield TextArea(id="message-body", compact=True, placeholder="Your message")
            with Horizontal(classes="form-actions"):
                yield Button("Send", id="send", variant="primary", compact=True)
            yield StatusLine(id="contact-message")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()

    @on(Input.Submitted, "#subject")
    def _subject_done(self) -> None:
        self.query_one("#message-body", TextArea).focus()

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        subject = self.query_one("#subject", Input)
        problem = first_problem(subject)
        if problem:
            self.say(problem, error=True)
            subject.focus()
            return
        body = self.query_one("#message-body", TextArea)
        text = body.text.strip()
        if not text:
            self.say("Write your message before sending it.", error=True)
            body.focus()
            return
        if len(text) > BODY_MAX:
            self.say(f"Keep the message under {BODY_MAX:,} characters.", error=True)
            body.focus()
            return
        self.send(subject.value.strip(), text)

    @work(exclusive=True, exit_on_error=False)
    async def send(self, subject: str, text: str) -> None:
        button = self.query_one("#send", Button)
        button.loading = True
        self.say("Sending…")
        try:
            sent = await self.client.send_message(self.account.id, subject, text)
        finally:
            button.loading = False
        self.query_one("#subject", Input).clear()
        self.query_one("#message-body", TextArea).clear()
        self.say(sent.message or "Thanks, we received your message.")
        if sent.business_phone:
            self.query_one("#contact-phone", Static).update(_phone_line(sent.business_phone))
        self.query_one("#subject", Input).focus()

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        self.say(str(error), error=True)
        field = {"subject": "#subject", "body": "#message-body"}.get(error.param or "")
        if field:
            self.query_one(field).focus()
        return True

    def action_back(self) -> None:
        self.app.pop_screen()


def _phone_line(phone: str) -> str:
    return f"Call us at [b]{escape(phone)}[/b], or write to us here. We answer by email."
