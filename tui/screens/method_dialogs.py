"""Save a new card or bank account outside a payment (Payment methods, `c` and `b`).

The form is the pay wizard's own (`CardForm`, `BankForm`: the same checks as you type). The dialog is
given the call that saves (`SaveMethod`, the client's `add_payment_method` for one account) and keeps
itself open on the server's refusal, with its sentence and the cursor in the field it names, so
nothing typed is lost. Once saved, the card number and CVC inputs are emptied before the dialog
closes: only the label the server answers ("Visa •••• 4242") is shown anywhere afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from tui.api import ApiError, NewBankAccount, NewCard, PaymentMethod
from tui.screens.dialogs import Dialog
from tui.widgets.method_picker import BankForm, CardForm
from tui.widgets.pay_fields import FieldProblem
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

SaveMethod = Callable[[NewCard | NewBankAccount], Awaitable[PaymentMethod]]
Kind = Literal["card", "ach"]

TITLES = {"card": "Add a card", "ach": "Add a bank account"}
SAVE_LABELS = {"card": "Save card", "ach": "Save bank account"}
HINTS = {
    "card": "Saved for your next payments and autopay. Only its brand, last 4 digits and expiry are kept.",
    "ach": "Saved for your next payments and autopay. Only the bank's name and last 4 digits are shown.",
}


class AddMethodDialog(ReportsWorkerErrors, Dialog[PaymentMethod]):
    """Dismissed with the saved method, or None (Escape, Cancel). Styled in app.tcss (its `.dialog` width
    would win over a DEFAULT_CSS)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="method_dialog.cancel", tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="method_dialog.save", tooltip="Save this payment method"),
    ]

    def __init__(self, kind: Kind, holder_name: str, today: dt.date, save: SaveMethod) -> None:
        super().__init__()
        self.kind = kind
        self.holder_name = holder_name
        self.today = today
        self.save = save
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ask-dialog", id="add-method-dialog"):
            yield Static(TITLES[self.kind], classes="dialog-title")
            yield Static(HINTS[self.kind], classes="hint")
            if self.kind == "card":
                yield CardForm(self.holder_name, self.today, id="card-form")
            else:
                yield BankForm(self.holder_name, id="bank-form")
            yield StatusLine(id="add-method-message")
            with Horizontal(classes="buttons"):
                yield Button(SAVE_LABELS[self.kind], id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#card-number" if self.kind == "card" else "#bank-routing").focus()

    @property
    def form(self) -> CardForm | BankForm:
        return self.query_one(CardForm) if self.kind == "card" else self.query_one(BankForm)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            method = self.form.read(save=False)
        except FieldProblem as problem:
            self.show_problem(problem.message, problem.field)
            return
        self.send(method)

    @work(exclusive=True, exit_on_error=False, group="add-method")
    async def send(self, method: NewCard | NewBankAccount) -> None:
        self.saving = True
        self.query_one(StatusLine).say("Saving…")
        try:
            saved = await self.save(method)
        finally:
            self.saving = False
        form = self.form
        if isinstance(form, CardForm):
            form.clear_secrets()
        self.dismiss(saved)

    def show_api_error(self, error: Exception) -> bool:
        """The server's sentence stays on the dialog, the cursor in the field its `param` names."""
        if not isinstance(error, ApiError):
            return False
        param = (error.param or "").rsplit(".", 1)[-1]
        field = self.form.field_for(param) if param and param != "method" else None
        self.show_problem(str(error), field)
        return True
