"""The payment wizard: what you are paying, how you are paying, review and fees, then the receipt.

Two ways in: selected invoices from the home screen ("Pay"), or the balance or any amount ("Make a
payment"). The server decides every figure: the review shows its quote, and the payment is sent with
one Idempotency-Key per review, kept across retries, so a lost answer is never paid twice.

The card number and CVC live only in their inputs and in the request built for the quote and the
payment; both are dropped when the payment succeeds, is declined, or the wizard closes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
)

from tui.api import (
    AmountTarget,
    ApiError,
    Authorization,
    BalanceTarget,
    InvoicesTarget,
    InvoiceToPay,
    NotAuthenticated,
    PartIn,
    Payment,
    PaymentMethod,
    PaymentRequest,
    Quote,
    ServerUnavailable,
    Summary,
)
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.screens.login import EMAIL_HINT, EMAIL_PATTERN
from tui.widgets.formatting import format_date, plural
from tui.widgets.method_picker import MethodPicker
from tui.widgets.pay_fields import Check, FieldProblem, MoneyInput, first_problem
from tui.widgets.payment_view import BUSINESS_PHONE, payment_view, quote_view

if TYPE_CHECKING:
    from tui.api import AccountMatch, AccountRef, InvoiceRow

STEP_TITLES = {
    "what": "Step 1 of 3 · What you are paying",
    "how": "Step 2 of 3 · How you are paying",
    "review": "Step 3 of 3 · Review and pay",
    "receipt": "Receipt",
}
NEXT_LABELS = {"what": "Continue", "how": "Review", "review": "Pay", "receipt": "Done"}
# Waits between tries when the payment's answer is lost; every try sends the same key.
SUBMIT_DELAYS = (0.5, 1.0, 2.0, 4.0)
PHONE_SCRIPT_VERSION = "tel-2026-1"
NO_PAYMENT = "No payment was made."


@dataclass
class InvoiceLine:
    """One selected invoice in step 1: paid in full unless its amount was edited."""

    row: InvoiceRow
    amount_cents: int
    included: bool = True

    @property
    def edited(self) -> bool:
        return self.amount_cents != self.row.balance_cents


class PayInvoicesTable(DataTable[object]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space", "toggle_line", "Pay/skip", id="pay.toggle_invoice", tooltip="Pay or skip this invoice"
        ),
        Binding(
            "ctrl+e", "edit_line", "Edit amount", id="pay.edit_amount", tooltip="Pay part of this invoice"
        ),
    ]

    def action_toggle_line(self) -> None:
        self.screen.toggle_line()  # type: ignore[attr-defined]

    def action_edit_line(self) -> None:
        self.screen.edit_line()  # type: ignore[attr-defined]


def _email_problem(value: str) -> str | None:
    if not value.strip():
        return "Enter the email address for the receipt."
    return None if re.fullmatch(EMAIL_PATTERN, value.strip()) else EMAIL_HINT


class PayScreen(PaydeskScreen):
    """Dismissed with the Payment once the receipt is closed, or None when nothing was paid."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "next", "Continue", id="pay.continue", tooltip="Go on to the next step"),
        Binding(
            "escape",
            "back",
            "Back",
            id="pay.back",
            tooltip="Go back a step; on the first step, leave without paying",
        ),
    ]

    def __init__(
        self,
        account: AccountRef | AccountMatch,
        invoices: list[InvoiceRow] | None = None,
        *,
        clerk: bool = False,
        guest: bool = False,
    ) -> None:
        super().__init__()
        self.account = account
        # A guest (pay without an account) sees no saved methods, saves none, and types the receipt email.
        self.guest = guest
        self.lines = [InvoiceLine(row, row.balance_cents) for row in invoices or []]
        self.by_invoices = bool(self.lines)
        self.clerk = clerk
        self.step = "what"
        self.summary: Summary | None = None
        self.methods: list[PaymentMethod] = []
        self.customer_name = account.name
        self.email = ""
        self.editing: int | None = None
        self.quote: Quote | None = None
        self.payment: Payment | None = None
        self.idempotency_key: str | None = None
        self.outcome_unknown = False
        self.busy = False
        # Holds the card number and CVC from the review until the payment is answered: dropped then.
        self._request: PaymentRequest | None = None

    # ---- layout --------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static("", id="pay-head")
        yield Static("", id="pay-message", classes="message")
        with ContentSwitcher(initial="what", id="steps"):
            yield VerticalScroll(id="what", classes="step")
            yield VerticalScroll(id="how", classes="step")
            with VerticalScroll(id="review", classes="step"):
                yield Static("", id="review-body")
                yield Static("", id="phone-script")
                yield Checkbox("Customer agreed", id="customer-agreed", compact=True)
            with VerticalScroll(id="receipt", classes="step"):
                yield Static("", id="receipt-title")
                yield Static("", id="receipt-body")
        with Horizontal(id="pay-actions"):
            yield Button("Back", id="back", compact=True)
            yield Button("Continue", id="next", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#steps").loading = True
        self.query_one("#phone-script").display = False
        self.query_one("#customer-agreed").display = False
        self._show_head()
        self.load_context()

    @work(exclusive=True, exit_on_error=False, group="context")
    async def load_context(self) -> None:
        client = self.app.client
        if self.guest:
            self.summary = await client.summary(self.account.id)
        else:
            account, summary, methods = await asyncio.gather(
                client.account(self.account.id),
                client.summary(self.account.id),
                client.payment_methods(self.account.id),
            )
            self.summary = summary
            self.methods = list(methods.items)
            self.customer_name = account.name or f"{account.first_name} {account.last_name}"
            self.email = account.email or ""
        await self._build_steps()
        self.query_one("#steps").loading = False
        self._show_step("what")

    def retry(self) -> None:
        if self.summary is None:
            self.load_context()

    async def _build_steps(self) -> None:
        what = self.query_one("#what", VerticalScroll)
        await what.remove_children()
        widgets: list[Widget] = [Static("", id="overview")]
        if self.by_invoices:
            table = PayInvoicesTable(id="pay-invoices", cursor_type="row", zebra_stripes=True)
            widgets += [
                table,
                Horizontal(
                    Label("", id="edit-label"),
                    MoneyInput(id="edit-amount"),
                    id="edit-row",
                ),
                Static("Space pays or skips an invoice · Enter or Ctrl+E edits its amount", classes="hint"),
            ]
        else:
            balance = self.summary.balance_due_cents if self.summary else 0
            widgets += [
                RadioSet(
                    RadioButton(
                        f"Balance due ({format_cents(balance)})", value=balance > 0, id="pay-balance"
                    ),
                    RadioButton("Another amount", value=balance <= 0, id="pay-other"),
                    id="amount-choice",
                    compact=True,
                ),
                Horizontal(
                    Label("Amount", classes="field-label"), MoneyInput(id="custom-amount"), id="custom-row"
                ),
                Static("Above the balance due, the rest becomes account credit.", classes="hint"),
            ]
        await what.mount_all(widgets)
        if self.by_invoices:
            table = self.query_one(PayInvoicesTable)
            table.add_columns("Invoice", "Due", "Balance", "Paying")
            self._fill_lines()
            self.query_one("#edit-row").display = False
        else:
            self._amount_choice_changed()

        how = self.query_one("#how", VerticalScroll)
        await how.remove_children()
        today = (self.summary.today if self.summary else None) or dt.date.today()
        await how.mount_all(
            [
                MethodPicker(
                    self.methods, self.customer_name, today, allow_save=not self.guest, id="method-1"
                ),
                Checkbox("Split across two methods", id="split", compact=True),
                Vertical(
                    Horizontal(
                        Label("First method pays", classes="field-label"),
                        MoneyInput(id="first-amount"),
                        Static("", id="split-rest"),
                        classes="field-row",
                    ),
                    MethodPicker(
                        self.methods,
                        self.customer_name,
                        today,
                        title="The rest with",
                        allow_save=not self.guest,
                        id="method-2",
                    ),
                    id="split-box",
                ),
                Horizontal(
                    Label("Receipt email", classes="field-label"),
                    Input(
                        self.email,
                        id="receipt-email",
                        compact=True,
                        validators=[Check(_email_problem)],
                        validate_on=["blur", "submitted"],
                    ),
                    classes="field-row",
                ),
            ]
        )
        self.query_one("#split-box").display = False
        self._update_overview()

    # ---- step 1: what you are paying -------------------------------------------------------------

    def _fill_lines(self) -> None:
        table = self.query_one(PayInvoicesTable)
        cursor = table.cursor_row
        table.clear()
        for index, line in enumerate(self.lines):
            row = line.row
            name = row.number + (f" ({plural(row.children_count, 'site')})" if row.is_multi_site else "")
            if not line.included:
                paying = Text("skip", style="dim", justify="right")
            else:
                paying = Text(
                    format_cents(line.amount_cents) + (" *" if line.edited else ""), justify="right"
                )
            table.add_row(
                Text(name),
                format_date(row.due_on),
                Text(format_cents(row.balance_cents), justify="right"),
                paying,
                key=str(index),
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1), animate=False)

    def amount_to_pay(self) -> int:
        if self.by_invoices:
            return sum(line.amount_cents for line in self.lines if line.included)
        if self._pays_balance():
            return self.summary.balance_due_cents if self.summary else 0
        try:
            return self.query_one("#custom-amount", MoneyInput).cents
        except FieldProblem:
            return 0

    def _pays_balance(self) -> bool:
        pressed = self.query_one("#amount-choice", RadioSet).pressed_button
        return pressed is not None and pressed.id == "pay-balance"

    def _update_overview(self) -> None:
        summary = self.summary
        overdue = format_cents(summary.past_due_cents) if summary else "—"
        balance = format_cents(summary.balance_due_cents) if summary else "—"
        lines = [
            f"[dim]Overdue balance[/dim] [b]{overdue}[/b]   [dim]Balance[/dim] [b]{balance}[/b]",
            f"[dim]Amount selected[/dim] [b]{format_cents(self.amount_to_pay())}[/b]",
        ]
        if self.by_invoices:
            count = sum(1 for line in self.lines if line.included)
            lines[1] += f"   [dim]Invoices to pay[/dim] [b]{count}[/b]"
        self.query_one("#overview", Static).update("\n".join(lines))
        self._update_split_rest()

    def toggle_line(self) -> None:
        table = self.query_one(PayInvoicesTable)
        if not self.lines:
            return
        line = self.lines[table.cursor_row]
        line.included = not line.included
        self._fill_lines()
        self._update_overview()

    @on(DataTable.RowSelected, "#pay-invoices")
    def _row_chosen(self) -> None:
        self.edit_line()

    def edit_line(self) -> None:
        table = self.query_one(PayInvoicesTable)
        index = table.cursor_row
        line = self.lines[index]
        if line.row.is_multi_site:
            self.say(
                "A multi-site invoice is paid in full here; to pay part of it, expand it on the home "
                "screen (e) and select its sites one by one.",
                error=True,
            )
            return
        self.editing = index
        self.query_one("#edit-label", Label).update(f"Pay on {line.row.number}")
        field = self.query_one("#edit-amount", MoneyInput)
        field.value = _dollars(line.amount_cents)
        self.query_one("#edit-row").display = True
        self.say(f"Up to {format_cents(line.row.balance_cents)}. Enter keeps the amount, Escape cancels.")
        field.focus()

    def _apply_edit(self) -> bool:
        if self.editing is None:
            return True
        line = self.lines[self.editing]
        field = self.query_one("#edit-amount", MoneyInput)
        try:
            cents = field.cents
        except FieldProblem as problem:
            self.say(problem.message, error=True)
            field.focus()
            return False
        if cents > line.row.balance_cents:
            self.say(
                f"{line.row.number} has {format_cents(line.row.balance_cents)} left to pay: "
                "enter that or less.",
                error=True,
            )
            field.focus()
            return False
        line.amount_cents = cents
        line.included = True
        self._end_edit()
        return True

    def _end_edit(self) -> None:
        self.editing = None
        self.query_one("#edit-row").display = False
        self.say("")
        self._fill_lines()
        self._update_overview()
        self.query_one(PayInvoicesTable).focus()

    @on(Input.Submitted, "#edit-amount")
    def _edit_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_edit()

    @on(RadioSet.Changed, "#amount-choice")
    def _amount_choice_changed(self) -> None:
        other = not self._pays_balance()
        self.query_one("#custom-row").display = other
        self._update_overview()
        if other and self.step == "what":
            self.query_one("#custom-amount", MoneyInput).focus()

    @on(Input.Changed, "#custom-amount")
    @on(Input.Changed, "#first-amount")
    def _amount_typed(self) -> None:
        self._update_overview()

    def _check_what(self) -> None:
        if self.editing is not None and not self._apply_edit():
            raise FieldProblem(None, "")
        if self.by_invoices:
            if not any(line.included for line in self.lines):
                raise FieldProblem(
                    self.query_one(PayInvoicesTable), "Choose at least one invoice to pay (Space)."
                )
        elif not self._pays_balance():
            self.query_one("#custom-amount", MoneyInput).cents  # raises FieldProblem  # noqa: B018
        elif self.amount_to_pay() <= 0:
            raise FieldProblem(
                self.query_one("#amount-choice"), "There is no balance due: choose Another amount."
            )

    # ---- step 2: how you are paying ---------------------------------------------------------------

    @on(Checkbox.Changed, "#split")
    def _split_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#split-box").display = event.value
        if event.value:
            self.query_one("#first-amount", MoneyInput).focus()
        self._update_split_rest()

    def _splitting(self) -> bool:
        return self.query_one("#split", Checkbox).value

    def _update_split_rest(self) -> None:
        rest = self.query("#split-rest")
        if not rest:
            return
        try:
            first = self.query_one("#first-amount", MoneyInput).cents
        except FieldProblem:
            rest.first().update("")
            return
        left = self.amount_to_pay() - first
        rest.first().update(f"the rest, {format_cents(left)}, below" if left > 0 else "")

    def pickers(self) -> list[MethodPicker]:
        found = [self.query_one("#method-1", MethodPicker)]
        if self._splitting():
            found.append(self.query_one("#method-2", MethodPicker))
        return found

    def _build_request(self) -> PaymentRequest:
        if self.by_invoices:
            target = InvoicesTarget(
                invoices=[
                    InvoiceToPay(
                        invoice_id=line.row.id,
                        amount_cents=line.amount_cents if line.edited else None,
                    )
                    for line in self.lines
                    if line.included
                ]
            )
        elif self._pays_balance():
            target = BalanceTarget()
        else:
            target = AmountTarget(amount_cents=self.query_one("#custom-amount", MoneyInput).cents)
        pickers = self.pickers()
        parts: list[PartIn] = []
        if len(pickers) == 2:
            first_field = self.query_one("#first-amount", MoneyInput)
            first = first_field.cents
            if first >= self.amount_to_pay():
                raise FieldProblem(
                    first_field,
                    f"The first method must pay less than {format_cents(self.amount_to_pay())}, so the rest "
                    "goes to the second.",
                )
            parts.append(PartIn(amount_cents=first, method=pickers[0].method()))
            parts.append(PartIn(method=pickers[1].method()))
        else:
            parts.append(PartIn(method=pickers[0].method()))
        email_field = self.query_one("#receipt-email", Input)
        problem = first_problem(email_field)
        if problem:
            raise FieldProblem(email_field, problem)
        authorization = (
            Authorization(kind="phone", script_version=PHONE_SCRIPT_VERSION)
            if self.clerk
            else Authorization()
        )
        return PaymentRequest(
            target=target,
            parts=parts,
            receipt_email=email_field.value.strip(),
            authorization=authorization,
        )

    # ---- step 3: review and fees ------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="quote")
    async def run_quote(self, notice: str = "") -> None:
        request = self._request
        if request is None:
            return
        self.busy = True
        button = self.query_one("#next", Button)
        button.loading = True
        self.say("Asking the server for the figures…")
        try:
            quote = await self.app.client.quote(self.account.id, request)
        finally:
            button.loading = False
            self.busy = False
        if quote.problems:
            problem = quote.problems[0]
            self.goto_problem(problem.param, problem.message)
            return
        self.quote = quote
        # One key per review: a retry of this submission reuses it, a changed payment gets a new one.
        self.idempotency_key = str(uuid.uuid4())
        self.outcome_unknown = False
        self.query_one("#review-body", Static).update(quote_view(quote))
        self._show_phone_script(quote)
        self._show_step("review")
        self.say(notice or "Check the figures, then press Ctrl+S to pay.", error=bool(notice))

    def _show_phone_script(self, quote: Quote) -> None:
        script = self.query_one("#phone-script", Static)
        agreed = self.query_one("#customer-agreed", Checkbox)
        bank_parts = [part for part in quote.parts if part.method.type == "ach"]
        needed = self.clerk and bool(bank_parts)
        script.display = needed
        agreed.display = needed
        agreed.value = False
        if not needed:
            return
        today = format_date(self.summary.today if self.summary else None, empty="today")
        amount = format_cents(sum(part.amount_cents for part in bank_parts))
        last4 = bank_parts[0].method.last4 or "????"
        script.update(
            "[b]Read this to the customer:[/b]\n"
            f"“Today, {today}, you, {escape(self.customer_name)}, authorize Paydesk to debit {amount} "
            f"once from your bank account ending in {last4}. It settles in 3 business days. To revoke "
            f"this authorization, call {BUSINESS_PHONE} before it settles. Do you agree?”"
        )

    def _ask_to_pay(self) -> None:
        quote = self.quote
        if quote is None:
            return
        agreed = self.query_one("#customer-agreed", Checkbox)
        if agreed.display and not agreed.value:
            self.say("Read the authorization to the customer, then check Customer agreed.", error=True)
            agreed.focus()
            return
        if self.outcome_unknown:
            self.submit()  # the same request and key: the server answers the first payment if it went through
            return
        from tui.screens.pay_dialogs import ConfirmDialog, FeeDialog

        dialog = FeeDialog(quote) if quote.fees_cents > 0 else ConfirmDialog(quote)
        self.app.push_screen(dialog, self._answered)

    def _answered(self, accepted: bool | None) -> None:
        if accepted:
            self.submit()
            return
        declined_fee = self.quote is not None and self.quote.fees_cents > 0
        reason = "You declined the fee. " if declined_fee else ""
        self.say(f"{reason}{NO_PAYMENT} Press Ctrl+S to review it again, or Escape to change it.", error=True)
        self.notify(NO_PAYMENT, title="Payment cancelled", timeout=5)

    # ---- step 4: submit and receipt --------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="submit")
    async def submit(self) -> None:
        request, quote, key = self._request, self.quote, self.idempotency_key
        if request is None or quote is None or key is None:
            return
        body = request.model_copy(update={"accepted_fees_cents": quote.fees_cents})
        self.busy = True
        button = self.query_one("#next", Button)
        button.loading = True
        self.say("Sending your payment…")
        try:
            payment = await self._send(body, key)
        except (NotAuthenticated, ServerUnavailable):
            raise
        except ApiError as error:
            self._payment_refused(error)
            return
        finally:
            del body
            button.loading = False
            self.busy = False
        if payment is not None:
            self._paid(payment)

    async def _send(self, body: PaymentRequest, key: str) -> Payment | None:
        """Send, and on a lost answer or a request still running, send the same thing again."""
        tries = len(SUBMIT_DELAYS) + 1
        for attempt in range(tries):
            try:
                return await self.app.client.pay(self.account.id, body, key)
            except ServerUnavailable:
                if attempt == tries - 1:
                    break
                self.say(f"No answer yet; asking again with the same request (try {attempt + 2} of {tries})…")
            except ApiError as error:
                if error.code != "idempotency_key_in_use" or attempt == tries - 1:
                    raise
                self.say("Your payment is still being processed; checking again…")
            await asyncio.sleep(SUBMIT_DELAYS[attempt])
        self.outcome_unknown = True
        self.say(
            "We could not reach the server to learn whether the payment went through. Press Ctrl+S to "
            "check again: it sends the same request, so it is never paid twice.",
            error=True,
        )
        return None

    def _payment_refused(self, error: ApiError) -> None:
        if error.code in ("fees_changed", "balance_changed"):
            what = "fees" if error.code == "fees_changed" else "balances"
            self.run_quote(
                notice=f"The {what} changed since your review: check the new figures. {NO_PAYMENT}"
            )
            return
        if error.type == "payment":
            # Declined or over a limit: the card number and CVC are typed again, everything else stays.
            self._forget_secrets()
        self.goto_problem(
            error.param, f"{error.message} {NO_PAYMENT}" if error.type == "payment" else error.message
        )

    def _paid(self, payment: Payment) -> None:
        self.payment = payment
        self._forget_secrets()
        self.query_one("#receipt-title", Static).update(
            f"[b]Thank you — your payment of {format_cents(payment.total_cents)} was "
            f"{'received' if payment.status == 'pending' else 'made'}.[/b]"
        )
        self.query_one("#receipt-body", Static).update(payment_view(payment))
        self._show_step("receipt")
        self.say("")

    # ---- moving between steps --------------------------------------------------------------------

    def _show_head(self) -> None:
        who = f" for {escape(self.customer_name)} (by phone)" if self.clerk else ""
        if self.guest:
            who = " (one-time payment)"
        self.query_one("#pay-head", Static).update(
            f"[b]Pay {escape(self.account.account_number)}{who}[/b] · {STEP_TITLES[self.step]}"
        )

    def _show_step(self, step: str) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = step
        self._show_head()
        next_button = self.query_one("#next", Button)
        label = NEXT_LABELS[step]
        if step == "review" and self.quote is not None:
            label = f"Pay {format_cents(self.quote.total_cents)}"
        next_button.label = label
        self.query_one("#back", Button).display = step != "receipt"
        self.refresh_bindings()
        self.call_after_refresh(self._focus_step)

    def _focus_step(self) -> None:
        step = self.step
        if step == "what":
            target: Widget = (
                self.query_one(PayInvoicesTable) if self.by_invoices else self.query_one("#amount-choice")
            )
        elif step == "how":
            target = self.query_one("#method-1 .method-choice")
        else:
            target = self.query_one("#next", Button)
        target.focus()

    def action_next(self) -> None:
        if self.busy or self.summary is None:
            return
        step = self.step
        try:
            if step == "what":
                self._check_what()
                self.say("")
                self._show_step("how")
            elif step == "how":
                self._request = self._build_request()
                self.run_quote()
            elif step == "review":
                self._ask_to_pay()
            else:
                self._close()
        except FieldProblem as problem:
            if problem.message:
                self.say(problem.message, error=True)
            if problem.field is not None:
                self._reveal(problem.field)

    def action_back(self) -> None:
        if self.busy:
            self.say("Wait a moment: your payment is being sent.")
            return
        if self.editing is not None:
            self._end_edit()
            return
        step = self.step
        if step == "receipt":
            self._close()
        elif step == "review":
            self._show_step("how")
            self.say("")
        elif step == "how":
            self._show_step("what")
            self.say("")
        else:
            self._close()

    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        # Enter in a field continues, as Ctrl+S does.
        event.stop()
        self.action_next()

    def goto_problem(self, param: str | None, message: str) -> None:
        """Show the server's sentence on the step that can fix it, with the field focused."""
        step, field = self._where(param)
        if step != self.step:
            self._show_step(step)
        self.say(message, error=True)
        if field is not None:
            self.call_after_refresh(self._reveal, field)

    def _where(self, param: str | None) -> tuple[str, Widget | None]:
        param = param or ""
        if param == "receipt_email":
            return "how", self.query_one("#receipt-email")
        if param.startswith("target"):
            if not self.by_invoices:
                return "what", self.query_one(
                    "#custom-amount" if not self._pays_balance() else "#amount-choice"
                )
            table = self.query_one(PayInvoicesTable)
            match = re.match(r"target\.invoices\[(\d+)\]", param)
            if match:
                sent = [i for i, line in enumerate(self.lines) if line.included]
                index = int(match[1])
                if index < len(sent):
                    table.move_cursor(row=sent[index], animate=False)
            return "what", table
        match = re.match(r"parts\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?", param)
        if match or param == "parts":
            pickers = self.pickers()
            index = int(match[1]) if match else 0
            picker = pickers[min(index, len(pickers) - 1)]
            if param == "parts" or (match and match[2] == "amount_cents"):
                return "how", self.query_one("#first-amount") if self._splitting() else picker
            return "how", picker.field_for(match[3] if match and match[3] else "number")
        if param.startswith("authorization"):
            return "review", self.query_one("#customer-agreed")
        return self.step, None

    def _reveal(self, field: Widget) -> None:
        field.focus()
        field.scroll_visible(animate=False)

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#pay-message", Static)
        message.update(escape(text))
        message.set_class(error, "-error")

    # ---- closing ---------------------------------------------------------------------------------

    def _forget_secrets(self) -> None:
        """Empty the card number and CVC inputs and drop every request that carried them."""
        self._request = None
        for picker in self.query(MethodPicker):
            picker.clear_secrets()

    def _close(self) -> None:
        self._forget_secrets()
        if self.payment is None:
            self.notify(NO_PAYMENT, timeout=4)
        self.dismiss(self.payment)

    def on_unmount(self) -> None:
        self._request = None

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and self.summary is not None:
            self.goto_problem(error.param, error.message)
            return True
        return False


def _dollars(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"{dollars}.{rest:02d}"
