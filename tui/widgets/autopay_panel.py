"""Autopay in Settings: what it does now (method, its fee, next run, last failure), turn it on with a saved
method, change the method, turn it off. Each change asks first and then shows the server's answer.

A method's fee on each payment (its `autopay_fee`) is said in words in the question, and saying yes
accepts it: the server takes no other fee. When the business's fee changed, the same method can be
chosen again to accept the new one.

The panel is given the call that saves autopay (`SaveAutopay`, the client's `set_autopay`); it never
reaches for the app's client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Select, Static

from tui.api import Account, ApiError, FeeTerms, PaymentMethod
from tui.money import format_cents
from tui.widgets.formatting import format_date
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.app import PaydeskApp

# (account id, enabled, saved method id or None, the fee terms accepted) -> the account as the server has it
SaveAutopay = Callable[[int, bool, int | None, FeeTerms | None], Awaitable[Account]]

NO_METHODS = (
    "Autopay pays with a saved card or bank account. Add one under Payment methods (w), or save one "
    "when you next pay, then turn autopay on here."
)


def autopay_status(account: Account) -> str:
    """The autopay lines of Settings, as markup (server text escaped)."""
    autopay = account.autopay
    if not autopay.enabled:
        return "Autopay is [b]off[/b]. You pay each invoice yourself."
    method = escape(autopay.method_label or "your saved method")
    lines = [f"Autopay is [b]on[/b] with {method}: each invoice is paid on its due date."]
    terms = autopay.fee_terms
    lines.append(f"Fee: {escape(terms.description)}." if terms else "No fee.")
    if autopay.next_run_on and autopay.next_amount_cents is not None:
        lines.append(
            f"Next: [b]{format_cents(autopay.next_amount_cents)}[/b] on {format_date(autopay.next_run_on)}."
        )
    else:
        lines.append("Nothing is due for autopay yet.")
    failure = autopay.last_failure
    if failure is not None:
        lines.append(
            f"[$error]The autopay on {format_date(failure.on)} did not go through. "
            f"{escape(failure.message)}[/]"
        )
    return "\n".join(lines)


class AutopayPanel(ReportsWorkerErrors, Vertical):
    app: PaydeskApp  # type: ignore[assignment]

    def __init__(self, account_id: int, save_autopay: SaveAutopay) -> None:
        super().__init__(id="autopay")
        self.account_id = account_id
        self.save_autopay = save_autopay
        self.account: Account | None = None
        self.methods: list[PaymentMethod] = []

    def compose(self) -> ComposeResult:
        yield Static("Autopay", classes="section-title")
        yield Static("", id="autopay-status")
        with Horizontal(id="autopay-actions"):
            yield Select[int]([], prompt="Choose a saved method", id="autopay-method", compact=True)
            yield Button("Turn on autopay", id="autopay-enrol", variant="primary", compact=True)
            yield Button("Turn off autopay", id="autopay-cancel", compact=True)
        yield StatusLine(id="autopay-message")

    def show(self, account: Account, methods: list[PaymentMethod]) -> None:
        self.account = account
        self.methods = methods
        self.query_one("#autopay-status", Static).update(autopay_status(account))
        picker = self.query_one("#autopay-method", Select)
        enabled = account.autopay.enabled
        if methods:
            picker.set_options(
                [(escape(m.display) + (" (default)" if m.is_default else ""), m.id) for m in methods]
            )
            current = account.autopay.payment_method_id
            default = next((m.id for m in methods if m.is_default), methods[0].id)
            picker.value = current if enabled and current in {m.id for m in methods} else default
        self.query_one("#autopay-actions").display = bool(methods) or enabled
        picker.display = bool(methods)
        enrol = self.query_one("#autopay-enrol", Button)
        enrol.display = bool(methods)
        enrol.label = "Use this method" if enabled else "Turn on autopay"
        self.query_one("#autopay-cancel", Button).display = enabled
        if not methods and not enabled:
            self.line.say(NO_METHODS)

    def _chosen(self) -> PaymentMethod | None:
        value = self.query_one("#autopay-method", Select).value
        return next((m for m in self.methods if m.id == value), None)

    # ---- asking first ----------------------------------------------------------------------------

    @on(Button.Pressed, "#autopay-enrol")
    def enrol(self) -> None:
        from tui.screens.dialogs import QuestionDialog

        method, account = self._chosen(), self.account
        if method is None or account is None:
            self.line.say("Choose a saved method first.", error=True)
            return
        terms = method.autopay_fee
        fee = f" Fee: {terms.description}." if terms else " No fee is added."
        if account.autopay.enabled:
            same_terms = (terms is None and account.autopay.fee_terms is None) or (
                terms is not None and terms.same_terms(account.autopay.fee_terms)
            )
            if method.id == account.autopay.payment_method_id and same_terms:
                self.line.say(f"Autopay already pays with {method.display}.")
                return
            if method.id == account.autopay.payment_method_id:
                question = QuestionDialog(
                    "Accept the new autopay fee?",
                    f"The fee for autopay with {method.display} changed.{fee} Until you accept it, "
                    "autopay skips each due date and charges nothing.",
                    "Accept the fee",
                )
                body = {"enabled": True, "payment_method_id": method.id, "terms": terms}
                self.app.push_screen(question, lambda yes: self._save(yes, body))
                return
            question = QuestionDialog(
                "Change the autopay method?",
                f"From now on, autopay pays each invoice on its due date with {method.display}.{fee}",
                "Change method",
            )
        else:
            question = QuestionDialog(
                "Turn on autopay?",
                f"On each invoice's due date we pay its balance with {method.display}.{fee} "
                "You can turn it off here at any time.",
                "Turn on autopay",
            )
        body = {"enabled": True, "payment_method_id": method.id, "terms": terms}
        self.app.push_screen(question, lambda yes: self._save(yes, body))

    @on(Button.Pressed, "#autopay-cancel")
    def cancel(self) -> None:
        from tui.screens.dialogs import QuestionDialog

        if self.account is None or not self.account.autopay.enabled:
            self.line.say("Autopay is already off.")
            return
        question = QuestionDialog(
            "Turn off autopay?",
            "Invoices are no longer paid on their due dates: you pay them yourself.",
            "Turn off autopay",
        )
        self.app.push_screen(question, lambda yes: self._save(yes, {"enabled": False}))

    def _save(self, yes: bool | None, body: dict[str, Any]) -> None:
        if yes:
            self.save(body)
        else:
            self.line.say("Autopay is unchanged.")

    @work(exclusive=True, exit_on_error=False, group="autopay")
    async def save(self, body: dict[str, Any]) -> None:
        self.line.say("Saving…")
        self.loading = True
        try:
            account = await self.save_autopay(
                self.account_id, body["enabled"], body.get("payment_method_id"), body.get("terms")
            )
        finally:
            self.loading = False
        self.show(account, self.methods)
        if account.autopay.enabled:
            label = account.autopay.method_label or "your saved method"
            self.line.say(f"Autopay is on. It pays each invoice on its due date with {label}.")
        else:
            self.line.say("Autopay is off. You pay each invoice yourself.")
        self.query_one("#autopay-enrol" if account.autopay.enabled else "#autopay-method").focus()

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError):
            self.line.say(str(error), error=True)
            return True
        return False

    @property
    def line(self) -> StatusLine:
        return self.query_one("#autopay-message", StatusLine)
