"""The payment wizard's step machine: what is paid, how, review and fees, then the receipt.

Two ways in: selected invoices from the home screen ("Pay"), or the balance or any amount ("Make a
payment"). Each step is a widget owning its fields; this screen moves between them, asks the server
in workers and shows its problems on the step that can fix them. The server decides every figure,
and the payment is one PaymentAttempt per review (tui/api/retries.py): one Idempotency-Key, kept
across retries, so a lost answer is never paid twice.

A clerk takes the payment by phone (`clerk=True`), in as few keys as the call allows: Enter on step 1
takes the preselected balance, step 2 starts in a new card's number and its fields move on by
themselves (ZIP, then Enter), and the review shows the words to read aloud with "Customer agreed",
one key that pays (the fee is in those words, so no fee dialog follows). The payment names the words'
version and the identity check the call was verified under (`identity_check_id`).

The card number and CVC live only in their inputs and in the request built for the quote and the
payment; both are dropped when the payment succeeds, is declined, or the wizard closes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.reactive import var
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, RadioSet, Static

from tui.api import (
    ApiError,
    NotAuthenticated,
    Payment,
    PaymentAttempt,
    PaymentMethod,
    PaymentOutcomeUnknown,
    PaymentRequest,
    Quote,
    ServerUnavailable,
    Summary,
)
from tui.api.early import EarlyAnswer
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.screens.pay.how import HowYouPay
from tui.screens.pay.problems import Step, spot_for
from tui.screens.pay.receipt import ReceiptStep
from tui.screens.pay.request import payment_request, with_accepted_fees
from tui.screens.pay.review import ReviewStep
from tui.screens.pay.what import WhatYouPay
from tui.widgets.pay_fields import FieldProblem, point_at
from tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widget import Widget

    from tui.api import AccountMatch, AccountRef, InvoiceRow

STEP_TITLES = {
    "what": "Step 1 of 3 · What you are paying",
    "how": "Step 2 of 3 · How you are paying",
    "review": "Step 3 of 3 · Review and pay",
    "receipt": "Receipt",
}
# A clerk's titles speak about the customer, and come first in the head so 80 columns never cut them.
CLERK_STEP_TITLES = {
    "what": "Step 1 of 3 · What the customer pays",
    "how": "Step 2 of 3 · How they pay",
    "review": "Step 3 of 3 · Read aloud and agree",
    "receipt": "Receipt",
}
NEXT_LABELS = {"what": "Continue", "how": "Review", "review": "Pay", "receipt": "Done"}
NO_PAYMENT = "No payment was made."
AGREED = "Customer agreed"


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
        # Focus stays on Done, so the receipt (not an ancestor of the button) takes the scrolling keys.
        *(
            Binding(key, f"scroll_receipt('{how}')", show=False)
            for key, how in (
                ("pagedown", "page_down"),
                ("pageup", "page_up"),
                ("down", "down"),
                ("up", "up"),
            )
        ),
    ]

    # The step shown. Every assignment redraws it (the same step too: a new quote relabels Pay), and
    # the footer follows.
    step: var[Step] = var("what", init=False, always_update=True, bindings=True)

    def __init__(
        self,
        account: AccountRef | AccountMatch,
        invoices: list[InvoiceRow] | None = None,
        *,
        clerk: bool = False,
        guest: bool = False,
        identity_check_id: int | None = None,
    ) -> None:
        super().__init__()
        self.account = account
        # A guest (pay without an account) sees no saved methods, saves none, and types the receipt email.
        self.guest = guest
        self.clerk = clerk  # a clerk takes the payment by phone
        # The clerk's passed identity check for this call: the payment's authorization names it.
        self.identity_check_id = identity_check_id
        self.summary: Summary | None = None
        self.methods: list[PaymentMethod] = []
        self.customer_name = account.name
        self.email = ""
        self.quote: Quote | None = None
        self.attempt: PaymentAttempt | None = None
        self.payment: Payment | None = None
        self.busy = False
        # The line shows the server's refusal of a choice (the card limit, the method): a new choice
        # of method or split takes it away, as it may no longer apply.
        self._refusal_shown = False
        # Holds the card number and CVC from the review until the payment is answered: dropped then.
        self._request: PaymentRequest | None = None
        # Step 2 is filled just after step 1 shows: Continue pressed before that goes on once it is.
        self._how_filled = False
        self._continue_when_filled = False
        self.what = WhatYouPay(list(invoices or []), self.say, clerk=clerk, id="what", classes="step")
        self.how = HowYouPay(self.what.amount_to_pay, guest=guest, clerk=clerk, id="how", classes="step")
        self.review = ReviewStep(id="review", classes="step")
        self.receipt = ReceiptStep(id="receipt", classes="step")
        # What step 1 and 2 show, asked now: answered while the wizard is built (tui/api/early.py).
        self._first = EarlyAnswer(self._ask_context)

    def _ask_context(self) -> Awaitable[list[Any]]:
        client, account_id = self.client, self.account.id
        if self.guest:
            return asyncio.gather(client.summary(account_id))
        return asyncio.gather(
            client.summary(account_id), client.account(account_id), client.payment_methods(account_id)
        )

    # ---- layout --------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static("", id="pay-head")
        yield StatusLine(id="pay-message")
        with ContentSwitcher(initial="what", id="steps"):
            yield from (self.what, self.how, self.review, self.receipt)
        with Horizontal(id="pay-actions"):
            yield Button("Back", id="back", compact=True)
            yield Button("Continue", id="next", variant="primary", compact=True)
            # A clerk's review: the customer said no to the words read aloud (nothing is paid).
            declined = Button("Customer declined", id="declined", compact=True)
            declined.display = False
            yield declined

    def on_mount(self) -> None:
        self._show_head()
        self.load_context()

    @work(exclusive=True, exit_on_error=False, group="context")
    async def load_context(self) -> None:
        steps = self.query_one("#steps")
        if not self._first.ready:  # the early answer in already: step 1 drawn filled, no loading state
            steps.loading = True
        summary, *rest = await self._first.take()
        if rest:
            account, methods = rest
            self.methods = list(methods.items)
            self.customer_name = account.name or f"{account.first_name} {account.last_name}"
            self.email = account.email or ""
        self.summary = summary
        await self.what.fill(summary)
        steps.loading = False
        self.step = "what"
        # Step 2's fields (two method pickers with their card and bank forms: most of the wizard's
        # widgets) are mounted once step 1 is on screen, which needs none of them.
        await self.wait_for_refresh()
        today = summary.today or dt.date.today()
        await self.how.fill(self.methods, self.customer_name, self.email, today)
        self.how.show_rest()
        self._how_filled = True
        if self._continue_when_filled and self.step == "what":
            self.action_next()

    def retry(self) -> None:
        if self.summary is None:
            self.load_context()

    @on(WhatYouPay.Changed)
    def _amount_changed(self) -> None:
        self.how.show_rest()

    @on(WhatYouPay.GoOn)
    def _step_one_done(self, event: WhatYouPay.GoOn) -> None:
        event.stop()
        if self.step == "what":
            self.action_next()

    # ---- moving between steps --------------------------------------------------------------------

    def _show_head(self) -> None:
        head = self.query_one("#pay-head", Static)
        number = escape(self.account.account_number)
        if self.clerk:
            # The step first: a long name may be cut at 80 columns, the step's title never.
            title = CLERK_STEP_TITLES[self.step]
            head.update(f"[b]{title}[/b] · {escape(self.customer_name)} · {number} · by phone")
            return
        who = " (one-time payment)" if self.guest else ""
        head.update(f"[b]Pay {number}{who}[/b] · {STEP_TITLES[self.step]}")

    @property
    def reading_aloud(self) -> bool:
        """A clerk's review: the words are read, and Customer agreed pays."""
        return self.clerk and self.step == "review"

    def watch_step(self, step: Step) -> None:
        self.query_one("#steps", ContentSwitcher).current = step
        self._show_head()
        label = NEXT_LABELS[step]
        if step == "review" and self.quote is not None:
            label = f"Pay {format_cents(self.quote.total_cents)}"
        if self.reading_aloud and self.quote is not None:
            label = f"{AGREED} · pay {format_cents(self.quote.total_cents)}"
        self.query_one("#next", Button).label = label
        self.query_one("#back", Button).display = step != "receipt"
        self.query_one("#declined", Button).display = self.reading_aloud
        self.call_after_refresh(self._focus_step)

    def _focus_step(self) -> None:
        step = self.step
        if step == "what":
            target = self.what.first_field()
        elif step == "how":
            target = self.how.first_field()
        else:
            target = self.query_one("#next", Button)
        target.focus()

    def action_next(self) -> None:
        if self.busy or self.summary is None:
            return
        step = self.step
        if self.reading_aloud:
            # Ctrl+S does not agree for the customer: only the button named for their yes does.
            self.query_one("#next", Button).focus()
            self.say(f"Read the words to the customer, then press Enter on {AGREED}.")
            return
        try:
            if step == "what":
                self.what.check()
                if not self._how_filled:
                    self._continue_when_filled = True
                    return
                self.say("")
                self.step = "how"
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scroll_receipt":
            return self.step == "receipt"
        return True

    def action_scroll_receipt(self, how: str) -> None:
        """PageDown/PageUp/Down/Up move the receipt at once, whatever is focused below it."""
        scroll = {
            "page_down": self.receipt.scroll_page_down,
            "page_up": self.receipt.scroll_page_up,
            "down": self.receipt.scroll_down,
            "up": self.receipt.scroll_up,
        }[how]
        scroll(animate=False)

    def action_back(self) -> None:
        if self.busy:
            self.say(f"Wait a moment: {self._their} payment is being sent.")
            return
        if self.what.editing is not None:
            self.what.end_edit()
            return
        step = self.step
        if step in ("receipt", "what"):
            self._close()
            return
        self.step = "how" if step == "review" else "what"
        self.say("")

    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        if self.reading_aloud:
            self._customer_agreed()
            return
        self.action_next()

    @on(Button.Pressed, "#declined")
    def _declined_pressed(self) -> None:
        if self.busy or not self.reading_aloud:
            return
        self.say(
            f"The customer declined. {NO_PAYMENT} Escape changes the payment; {AGREED} pays if they "
            "change their mind.",
            error=True,
        )
        self.notify(NO_PAYMENT, title="The customer declined", timeout=5)

    @property
    def _their(self) -> str:
        """Whose payment the wizard speaks of: the customer's for a clerk, the payer's own otherwise."""
        return "their" if self.clerk else "your"

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        # Enter in a field continues, as Ctrl+S does (in the amount being edited too: it is kept first).
        event.stop()
        self.action_next()

    def _build_request(self) -> PaymentRequest:
        # In this order, so the first field with a problem is the one shown.
        target = self.what.target()
        parts = self.how.parts()
        return payment_request(
            target,
            parts,
            self.how.receipt_email(),
            by_phone=self.clerk,
            identity_check_id=self.identity_check_id,
        )

    # ---- review and fees -------------------------------------------------------------------------

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
            quote = await self.client.quote(self.account.id, request)
        finally:
            button.loading = False
            self.busy = False
        if quote.problems:
            problem = quote.problems[0]
            self.goto_problem(problem.param, problem.message)
            return
        self.quote = quote
        # One attempt (one key) per review: a retry of it keeps the key, a changed payment gets a new one.
        self.attempt = PaymentAttempt(self.account.id)
        self.review.show(
            quote,
            by_phone=self.clerk,
            customer_name=self.customer_name,
            today=self.summary.today if self.summary else None,
        )
        self.step = "review"
        hint = "Check the figures, then press Ctrl+S to pay."
        if self.clerk:
            hint = f"Read the words to the customer, then {AGREED} or Customer declined."
        self.say(notice or hint, error=bool(notice))

    def _customer_agreed(self) -> None:
        """The customer said yes to the words read aloud, the fee among them: pay, no dialog."""
        if self.busy or self.quote is None or self.attempt is None:
            return
        self.submit()

    def _ask_to_pay(self) -> None:
        quote, attempt = self.quote, self.attempt
        if quote is None or attempt is None:
            return
        if attempt.unanswered:
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
        who = "The customer" if self.clerk else "You"
        reason = f"{who} declined the fee. " if declined_fee else ""
        self.say(f"{reason}{NO_PAYMENT} Press Ctrl+S to review it again, or Escape to change it.", error=True)
        self.notify(NO_PAYMENT, title="Payment cancelled", timeout=5)

    # ---- submit and receipt ----------------------------------------------------------------------

    @work(exclusive=True, exit_on_error=False, group="submit")
    async def submit(self) -> None:
        request, quote, attempt = self._request, self.quote, self.attempt
        if request is None or quote is None or attempt is None:
            return
        body = with_accepted_fees(request, quote)
        self.busy = True
        button = self.query_one("#next", Button)
        button.loading = True
        self.say(f"Sending {self._their} payment…")
        try:
            payment = await attempt.send(self.client, body, on_retry=self.say)
        except PaymentOutcomeUnknown:
            again = f"Press Enter on {AGREED}" if self.clerk else "Press Ctrl+S"
            self.say(
                "We could not reach the server to learn whether the payment went through. "
                f"{again} to check again: it sends the same request, so it is never paid twice.",
                error=True,
            )
            return
        except (NotAuthenticated, ServerUnavailable):
            raise
        except ApiError as error:
            self._payment_refused(error)
            return
        finally:
            del body
            button.loading = False
            self.busy = False
        self._paid(payment)

    def _payment_refused(self, error: ApiError) -> None:
        if error.code in ("fees_changed", "balance_changed"):
            what = "fees" if error.code == "fees_changed" else "balances"
            self.run_quote(
                notice=f"The {what} changed since {'the' if self.clerk else 'your'} review: check the new "
                f"figures. {NO_PAYMENT}"
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
        self.receipt.show(payment, clerk=self.clerk)
        self.step = "receipt"
        self.say("")

    # ---- the server's problems -------------------------------------------------------------------

    def goto_problem(self, param: str | None, message: str) -> None:
        """Show the server's sentence on the step that can fix it, with the field focused."""
        spot = spot_for(param)
        step = spot.step or self.step
        field: Widget | None = None
        if spot.step == "what":
            field = self.what.field_for(spot)
        elif spot.step == "how":
            field = self.how.field_for(spot)
        elif spot.step == "review":
            field = self.query_one("#next", Button)
        if step != self.step:
            self.step = step
        self.say(message, error=True)
        self._refusal_shown = True
        if field is not None:
            self.call_after_refresh(self._reveal, field)

    def _reveal(self, field: Widget) -> None:
        point_at(field)

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#pay-message", StatusLine).say(text, error=error)
        self._refusal_shown = False

    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    def _choice_changed(self) -> None:
        """Split ticked, another method or amount chosen: the refusal of the old choice goes."""
        if self._refusal_shown:
            self.say("")

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and self.summary is not None:
            self.goto_problem(error.param, error.message)
            return True
        return False

    # ---- closing ---------------------------------------------------------------------------------

    def _forget_secrets(self) -> None:
        """Empty the card number and CVC inputs and drop every request that carried them."""
        self._request = None
        self.how.forget_secrets()

    def _close(self) -> None:
        self._forget_secrets()
        if self.payment is None:
            self.notify(NO_PAYMENT, timeout=4)
        self.dismiss(self.payment)

    def on_unmount(self) -> None:
        self._request = None
        self._first.drop()
