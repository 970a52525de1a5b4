"""Settings: paperless billing and text notifications (saved the moment they are switched), and the
profile (email, phone, service address), saved with Ctrl+S.

A new email is not the email until the code sent to it is typed: after the save the profile says it
waits for confirmation (under the email field, with Enter code, Resend code and Cancel change) and
the code dialog opens (tui/screens/email_dialogs.py). A clerk edits a customer's profile on this
screen too (from the 360), typing the code the customer reads out.

Each switch saves at once and says what changed; when the server refuses, its sentence shows under
the switches and the switch goes back to what the server holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Input, Label, Static, Switch

from tui.api import Account, ApiError
from tui.api.early import EarlyAnswer
from tui.checks import email_problem, phone_digits, phone_problem, required
from tui.screens.base import Command, PaydeskScreen
from tui.screens.email_dialogs import EmailCodeDialog, pending_sentence
from tui.widgets.autopay_panel import AutopayPanel
from tui.widgets.pay_fields import Check, SayingInput, first_problem
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from tui.api import AccountRef, Page, PaymentMethod

# switch id -> (the account field it saves, its name, what it does)
SWITCHES = {
    "paperless": ("paperless", "Paperless billing", "bills by email, no paper"),
    "sms": ("sms_opt_in", "Text notifications", "reminders by text message"),
}
PROFILE_FIELDS = {"profile-email": "email", "profile-phone": "phone", "profile-address": "service_address"}


def _optional_phone_problem(value: str) -> str | None:
    return None if not value.strip() else phone_problem(value)


def switch_sentence(name: str, on: bool, account: Account) -> str:
    """What the person reads once a switch is saved."""
    if name == "paperless":
        return (
            "Paperless billing is on. Your bills come by email."
            if on
            else "Paperless billing is off. Your bills come by mail."
        )
    if on:
        return f"Text notifications are on. We text {account.phone or 'your phone'}."
    return "Text notifications are off."


class SettingsScreen(PaydeskScreen):
    # The first switch has the focus from the start. Textual's default focuses the scrolling body
    # first, and moving the focus from it to the switch once the data came restyled every node of the
    # body twice: a sixth of the screen's opening (cProfile: 79 ms of 435).
    AUTO_FOCUS = "#paperless"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="settings.back", tooltip="Back to the invoices"),
        Binding(
            "ctrl+s",
            "save_profile",
            "Save profile",
            id="settings.save_profile",
            tooltip="Save the email, phone and service address",
        ),
        Binding("r", "refresh", "Refresh", id="settings.refresh", tooltip="Ask the server again"),
        # Shown only while a new email waits for its code (check_action).
        Binding(
            "ctrl+o",
            "enter_email_code",
            "Enter code",
            id="settings.email_code",
            tooltip="Type the 6-digit code sent to the new email",
        ),
        Binding(
            "w",
            "payment_methods",
            "Payment methods",
            id="settings.methods",
            tooltip="Your saved cards and bank accounts: add one, remove one, choose the default",
        ),
    ]

    def __init__(self, account: AccountRef) -> None:
        super().__init__()
        self.account_ref = account
        self.account: Account | None = None
        # The switch being saved and the value to put back if the server says no.
        # Where the server's refusal is shown: under the switches or under the profile.
        self._errors_to = "notify"
        # Asked now, answered while the screen is built (tui/api/early.py).
        self._first = EarlyAnswer(self._ask)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="settings"):
            ref = self.account_ref
            yield Static(
                f"Settings · account {escape(ref.account_number)} · {escape(ref.name)}", id="settings-title"
            )
            yield Static("Notifications", classes="section-title")
            for switch_id, (_, name, _) in SWITCHES.items():
                with Horizontal(classes="switch-row"):
                    yield Switch(id=switch_id, animate=False, tooltip=f"Space turns {name.lower()} on or off")
                    yield Label("", id=f"{switch_id}-label", classes="switch-label")
            yield StatusLine(id="notify-message")
            yield Static("Profile", classes="section-title")
            with Horizontal(classes="field-row"):
                yield Label("Email", classes="field-label")
                yield SayingInput(  # says a paste is too long (issue 11 item 12)
                    id="profile-email",
                    what="an email address",
                    compact=True,
                    max_length=254,
                    validators=[Check(email_problem)],
                    validate_on=["blur", "submitted"],
                )
            # Its words and buttons are mounted the first time a change waits for its code (_show_pending):
            # most openings have none, and build and style five widgets fewer (50k of 590k Python calls).
            yield Vertical(id="pending-email")
            with Horizontal(classes="field-row"):
                yield Label("Phone", classes="field-label")
                yield SayingInput(  # says what it leaves out (issue 11 item 12)
                    id="profile-phone",
                    what="a phone number",
                    takes="A phone number is digits, spaces and ( ) + . -",
                    compact=True,
                    max_length=20,
                    restrict=r"[0-9()+. -]*",
                    placeholder="No phone number on file",
                    validators=[Check(_optional_phone_problem)],
                    validate_on=["blur", "submitted"],
                )
            with Horizontal(classes="field-row"):
                yield Label("Service address", classes="field-label")
                yield SayingInput(  # says a paste is too long (issue 11 item 12)
                    id="profile-address",
                    what="an address",
                    compact=True,
                    max_length=300,
                    validators=[Check(required("service address"))],
                    validate_on=["blur", "submitted"],
                )
            with Horizontal(classes="form-actions"):
                yield Button("Save profile", id="save-profile", variant="primary", compact=True)
            yield StatusLine(id="profile-message")
            yield from self.compose_more()

    def compose_more(self) -> ComposeResult:
        if not self.app.is_clerk():
            yield AutopayPanel(self.account_ref.id, self.client.set_autopay)
            yield Button("Payment methods (w)", id="open-methods", compact=True)

    def on_mount(self) -> None:
        self.load()

    def on_unmount(self) -> None:
        self._first.drop()

    # ---- data ------------------------------------------------------------------------------------

    def _ask(self) -> Awaitable[tuple[Account, Page[PaymentMethod]]]:
        client, account_id = self.client, self.account_ref.id
        return asyncio.gather(client.account(account_id), client.payment_methods(account_id))

    @work(exclusive=True, exit_on_error=False, group="settings-load")
    async def load(self) -> None:
        body = self.query_one("#settings", VerticalScroll)
        first = self._first
        if not first.ready:  # the early answer in already: shown in the first frame, no loading state
            body.loading = True
        self._errors_to = "notify"
        try:
            account, methods = await first.take()
        finally:
            body.loading = False
        self.show(account)
        for panel in self.query(AutopayPanel):
            panel.show(account, list(methods.items))
        self.query_one("#paperless", Switch).focus()

    def show(self, account: Account) -> None:
        self.account = account
        for switch_id, (field, _, _) in SWITCHES.items():
            self._put_back(self.query_one(f"#{switch_id}", Switch), getattr(account, field))
        self.query_one("#profile-email", Input).value = account.email or ""
        self.query_one("#profile-phone", Input).value = account.phone or ""
        self.query_one("#profile-address", Input).value = account.service_address or ""
        self._show_pending(account)
        self.refresh_bindings()

    def retry(self) -> None:
        self.load()

    # ---- switches --------------------------------------------------------------------------------

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        switch = event.switch
        if self.account is None or switch.id not in SWITCHES:
            return
        self._label(switch)
        if switch.id == "sms" and event.value and not self.account.phone:
            from tui.screens.dialogs import PhoneDialog

            self.app.push_screen(PhoneDialog(self.query_one("#profile-phone", Input).value), self._got_phone)
            return
        field = SWITCHES[switch.id][0]
        self.save_switch(switch, {field: event.value})

    def _got_phone(self, phone: str | None) -> None:
        switch = self.query_one("#sms", Switch)
        if not phone:
            self._put_back(switch, False)
            self.notify_line.say("Text notifications stay off: they need a phone number.")
            return
        self.save_switch(switch, {"sms_opt_in": True, "phone": phone})

    @work(exclusive=True, exit_on_error=False, group="settings-switch")
    async def save_switch(self, switch: Switch, changes: dict[str, Any]) -> None:
        self._errors_to = "notify"
        self.notify_line.say("Saving…")
        switch.loading = True
        try:
            account = await self.client.update_account(self.account_ref.id, changes)
        except ApiError:
            self._put_back(switch, not switch.value)
            raise  # the app's one error path shows it (inline, through show_api_error)
        finally:
            switch.loading = False
        self.show(account)
        self.notify_line.say(switch_sentence(switch.id or "", switch.value, account))

    def _put_back(self, switch: Switch, value: bool) -> None:
        with self.prevent(Switch.Changed):
            switch.value = value
        self._label(switch)

    def _label(self, switch: Switch) -> None:
        """The state in words too: colours alone do not say on or off (NO_COLOR, screen readers)."""
        _, name, what = SWITCHES[switch.id or ""]
        state = "[b]On[/b] " if switch.value else "Off"
        self.query_one(f"#{switch.id}-label", Label).update(f"{state} {name} [dim]· {what}[/dim]")

    # ---- profile ---------------------------------------------------------------------------------

    @on(Input.Submitted, ".field-row Input")
    @on(Button.Pressed, "#save-profile")
    def action_save_profile(self) -> None:
        if self.account is None:
            return
        for field_id in PROFILE_FIELDS:
            field = self.query_one(f"#{field_id}", Input)
            problem = first_problem(field)
            if problem:
                self.profile_line.say(problem, error=True)
                field.focus()
                return
        changes = self._profile_changes(self.account)
        if not changes:
            self.profile_line.say("Nothing to save: your profile is unchanged.")
            return
        self.save_profile(changes)

    def _profile_changes(self, account: Account) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for field_id, name in PROFILE_FIELDS.items():
            value = self.query_one(f"#{field_id}", Input).value.strip()
            held = getattr(account, name) or ""
            # The server formats phones its own way ("+1 541-555-0142"): compare the digits.
            same = phone_digits(value) == phone_digits(held) if name == "phone" else value == held
            if not same:
                changes[name] = value or None  # an empty phone removes it (and turns texts off)
        return changes

    @work(exclusive=True, exit_on_error=False, group="settings-profile")
    async def save_profile(self, changes: dict[str, Any]) -> None:
        button = self.query_one("#save-profile", Button)
        button.loading = True
        self._errors_to = "profile"
        self.profile_line.say("Saving…")
        try:
            account = await self.client.update_account(self.account_ref.id, changes)
        finally:
            button.loading = False
        had_texts = self.account is not None and self.account.sms_opt_in
        self.show(account)
        if "email" in changes and account.pending_email:
            saved = "Your profile is saved. " if len(changes) > 1 else ""
            self.profile_line.say(
                f"{saved}Type the code sent to {account.pending_email} to make it the email."
            )
            self.action_enter_email_code()
        else:
            self.profile_line.say("Your profile is saved.")
        if had_texts and not account.sms_opt_in:
            self.notify_line.say("Text notifications are off: they need a phone number.")

    # ---- the email change's confirm step ------------------------------------------------------

    def _show_pending(self, account: Account) -> None:
        words = pending_sentence(account, clerk=self.app.is_clerk())
        box = self.query_one("#pending-email", Vertical)
        box.display = bool(words)
        if box.children:
            self.query_one("#pending-email-words", Static).update(escape(words))
        elif words:
            box.mount(
                Static(escape(words), id="pending-email-words"),
                Horizontal(
                    Button("Enter code", id="enter-email-code", compact=True),
                    Button("Resend code", id="resend-email-code", compact=True),
                    Button("Cancel change", id="cancel-email-change", compact=True),
                    classes="form-actions",
                ),
            )

    @property
    def pending_email(self) -> str | None:
        return self.account.pending_email if self.account is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter_email_code":
            return bool(self.pending_email)  # False: not in the footer while nothing waits
        return True

    @on(Button.Pressed, "#enter-email-code")
    def action_enter_email_code(self) -> None:
        if self.account is None or not self.account.pending_email:
            return
        dialog = EmailCodeDialog(self.account, clerk=self.app.is_clerk())
        self.app.push_screen(dialog, self._code_done)

    def _code_done(self, account: Account | None) -> None:
        if account is not None and not account.pending_email:
            self.show(account)
            self.profile_line.say(f"The email is now {account.email}. Its code was confirmed.")
            self.notify(escape(f"The email is now {account.email}."), title="Email changed")
            self.query_one("#profile-email", Input).focus()
            return
        self.reread_pending()

    @work(exclusive=True, exit_on_error=False, group="settings-pending")
    async def reread_pending(self) -> None:
        """After the dialog closed without a code: a resend, or a change settled elsewhere, shows.

        Only the email's part is redrawn: a phone or address typed and not saved yet stays as typed."""
        account = await self.client.account(self.account_ref.id)
        if self.account is not None and account.email != self.account.email:
            self.query_one("#profile-email", Input).value = account.email or ""
        self.account = account
        self._show_pending(account)
        self.refresh_bindings()
        if account.pending_email:
            self.profile_line.say("The change waits for its code: choose Enter code (Ctrl+O) when it comes.")
            self.query_one("#enter-email-code", Button).focus()

    @on(Button.Pressed, "#resend-email-code")
    def action_resend_email_code(self) -> None:
        if self.pending_email:
            self.change_pending(self.pending_email)

    @on(Button.Pressed, "#cancel-email-change")
    def action_cancel_email_change(self) -> None:
        if self.account is not None and self.pending_email:
            self.change_pending(self.account.email or "")

    @work(exclusive=True, exit_on_error=False, group="settings-profile")
    async def change_pending(self, email: str) -> None:
        """The new email saved again (a new code), or the current one (the change cancelled)."""
        assert self.account is not None
        was_pending = self.account.pending_email
        self._errors_to = "profile"
        self.profile_line.say("Saving…")
        account = await self.client.update_account(self.account_ref.id, {"email": email})
        self.account = account
        self._show_pending(account)
        self.refresh_bindings()
        if account.pending_email:
            self.profile_line.say(
                f"A new code is on its way to {account.pending_email}. Codes sent before it no longer work."
            )
            self.action_enter_email_code()
        else:
            self.profile_line.say(
                f"The change to {was_pending} is cancelled. The email stays {account.email}."
            )
            self.query_one("#profile-email", Input).focus()

    # ---- messages --------------------------------------------------------------------------------

    def show_api_error(self, error: Exception) -> bool:
        if not isinstance(error, ApiError):
            return False
        if self._errors_to == "profile":
            self.profile_line.say(str(error), error=True)
            field_id = next((f for f, name in PROFILE_FIELDS.items() if name == error.param), None)
            if field_id is not None:
                self.query_one(f"#{field_id}", Input).focus()
        else:
            self.notify_line.say(str(error), error=True)
        return True

    @property
    def notify_line(self) -> StatusLine:
        """Under the switches: what the paperless and text switches did."""
        return self.query_one("#notify-message", StatusLine)

    @property
    def profile_line(self) -> StatusLine:
        return self.query_one("#profile-message", StatusLine)

    # ---- keys and commands -----------------------------------------------------------------------

    def extra_commands(self) -> Iterable[Command]:
        """The switches and autopay buttons are commands too (the palette reaches every action)."""
        if self.account is None:
            return
        for switch_id, (_, name, _) in SWITCHES.items():
            switch = self.query_one(f"#{switch_id}", Switch)
            yield (
                f"{name} {'off' if switch.value else 'on'}",
                f"Turn {name.lower()} {'off' if switch.value else 'on'}",
                switch.toggle,
            )
        if self.pending_email:
            yield (
                "Resend the email code",
                f"Email a new code to {self.pending_email}",
                self.action_resend_email_code,
            )
            yield (
                "Cancel the email change",
                "Keep the email on file as it is",
                self.action_cancel_email_change,
            )
        for panel in self.query(AutopayPanel):
            enabled = panel.account is not None and panel.account.autopay.enabled
            if panel.methods:
                name = "Change the autopay method" if enabled else "Turn on autopay"
                yield (name, "With the saved method chosen under Autopay", panel.enrol)
            if enabled:
                yield ("Turn off autopay", "Stop paying invoices on their due dates", panel.cancel)

    @on(Button.Pressed, "#open-methods")
    def action_payment_methods(self) -> None:
        from tui.screens.payment_methods import PaymentMethodsScreen

        # Back here, autopay's list of methods follows what was added or removed.
        self.app.push_screen(PaymentMethodsScreen(self.account_ref), lambda _: self.load())

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load()
