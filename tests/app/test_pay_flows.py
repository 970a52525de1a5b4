"""The payment wizard as a person uses it, against a fresh reference backend per test (paying changes data).

Expected figures come from the server (its quote, its summary, its payment history), never typed in.
Every test also checks that the full card number never shows on screen once typed.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, DataTable, Input, MaskedInput, RadioButton, RadioSet

from tests.app.conftest import (
    api_get,
    make_app,
    on_home,
    on_screen,
    screen_text,
    wait_for,
    wait_for_text,
)
from tests.conftest import login
from tui.api import PaydeskClient, ServerUnavailable
from tui.money import format_cents, input_dollars
from tui.screens.clerk.account import CustomerScreen
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.home import HomeScreen
from tui.screens.pay import PayScreen
from tui.screens.pay_dialogs import ConfirmDialog, FeeDialog
from tui.screens.payment_history import PaymentDetailScreen, PaymentHistoryScreen
from tui.widgets.invoice_table import InvoiceTable

SIZE = (100, 40)
DANA = "dana@example.com"
VISA = "4242424242424242"
DECLINED = "4000000000000002"


class ScreenWatch:
    """Every screen the test looked at, so a test can say a secret never appeared on any of them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    def text(self) -> str:
        text = screen_text(self.app)
        self.seen.append(text)
        return text

    def never_showed(self, *secrets: str) -> None:
        for text in [*self.seen, screen_text(self.app)]:
            flat = text.replace(" ", "")
            for secret in secrets:
                assert secret not in flat, f"{secret[-4:]} leaked onto the screen:\n{text}"


async def select_rows(pilot, home: HomeScreen, pick) -> list:
    table = home.query_one("#invoices-open", InvoiceTable)
    table.table.focus()  # Space selects in the table (the home focuses it after loading; don't race it)
    await pilot.pause()
    chosen = []
    for row in list(table.rows):
        if pick(row):
            table.table.move_cursor(row=table.table.get_row_index(str(row.id)))
            await pilot.press("space")
            chosen.append(row)
    return chosen


async def open_wizard(pilot, key: str) -> PayScreen:
    await pilot.press(key)
    screen = await on_screen(pilot, PayScreen)
    await wait_for(
        pilot, lambda: screen.summary is not None and screen.step == "what", "the wizard's first step"
    )
    await pilot.pause()
    return screen


async def type_into(pilot, field, text: str) -> None:
    """Focus a field and type into it (pasted at once: the keys themselves are tested in the first test)."""
    field.focus()
    if isinstance(field, MaskedInput):
        await pilot.press(*text)
    else:
        field.insert_text_at_cursor(text)
    await pilot.pause()


async def fill_card(pilot, screen: PayScreen, picker: str, number: str, *, cvc: str = "123") -> None:
    await type_into(pilot, screen.query_one(f"#{picker} #card-number"), number)
    await type_into(pilot, screen.query_one(f"#{picker} #card-expiry"), "1230")
    await type_into(pilot, screen.query_one(f"#{picker} #card-cvc"), cvc)
    zip_field = screen.query_one(f"#{picker} #card-zip", Input)
    if not zip_field.value:
        await type_into(pilot, zip_field, "97405")


async def choose_bank(pilot, screen: PayScreen, picker: str) -> None:
    """With the keyboard: the method list, down to "New bank account", Enter."""
    choice = screen.query_one(f"#{picker} .method-choice", RadioSet)
    choice.focus()
    await pilot.pause()
    while choice.pressed_button is None or choice.pressed_button.id != "new-bank":
        await pilot.press("down", "enter")
    await type_into(pilot, screen.query_one(f"#{picker} #bank-routing"), "110000000")
    await type_into(pilot, screen.query_one(f"#{picker} #bank-account"), "000123456789")


async def to_review(pilot, screen: PayScreen) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: screen.step == "review" and not screen.busy, "the review step")
    await pilot.pause()


async def accept(pilot, dialog_type) -> None:
    await on_screen(pilot, dialog_type)
    await pilot.press("enter")  # the first button: Accept and continue / Pay


async def receipt(pilot, screen: PayScreen) -> None:
    await wait_for(pilot, lambda: screen.step == "receipt", "the receipt", timeout=20)
    await pilot.pause()


def payments_count(server, token: str, account_id: int) -> int:
    return api_get(server, token, f"/v1/accounts/{account_id}/payments")["total_count"]


async def test_card_payment_with_the_fee_accepted_then_home_shows_the_new_balance(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        watch = ScreenWatch(app)
        home = await on_home(pilot)
        account_id = home.account.id
        (invoice,) = await select_rows(
            pilot, home, lambda row: not row.is_multi_site and not row.past_due and row.due_on.day == 30
        )
        screen = await open_wizard(pilot, "p")
        text = watch.text()
        summary = api_get(pay_server, token, f"/v1/accounts/{account_id}/summary")
        assert f"Overdue balance {format_cents(summary['past_due_cents'])}" in text
        assert f"Amount selected {format_cents(invoice.balance_cents)}" in text
        assert "Invoices to pay 1" in text

        # Keyboard only: Ctrl+S, step 2 starts in the card number (issue 11 item 8), Tab between fields.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await pilot.press(*VISA, "tab", *"1230", "tab", *"123", "tab", *"97405")
        await pilot.pause()
        text = watch.text()
        assert "•••• •••• •••• 4242" in text and "Visa" in text
        await to_review(pilot, screen)
        text = watch.text()
        quote = screen.quote
        assert quote is not None and quote.fees_cents == 175
        assert invoice.number in text and f"Pay {format_cents(quote.total_cents)}" in text
        assert "Visa •••• 4242" in text

        await pilot.press("ctrl+s")
        await on_screen(pilot, FeeDialog)
        text = watch.text()
        assert "Accept and continue" in text and "Cancel" in text and format_cents(175) in text
        # The fee's words name its amount: it is said once, not "$1.75 — Card convenience fee ($1.75, …)".
        assert "Visa •••• 4242: Card convenience fee ($1.75, not refundable)" in text
        assert "$1.75 — " not in text
        await pilot.press("enter")
        await receipt(pilot, screen)
        text = watch.text()
        payment = screen.payment
        assert payment is not None and payment.confirmation_number in text
        assert "Visa •••• 4242" in text and format_cents(payment.total_cents) in text
        assert "dana@example.com" in text

        await pilot.press("ctrl+s")  # Done
        await wait_for(pilot, lambda: app.screen is home, "back home")
        summary = api_get(pay_server, token, f"/v1/accounts/{account_id}/summary")
        await wait_for_text(pilot, format_cents(summary["balance_due_cents"]))
        table = home.query_one("#invoices-open", InvoiceTable)
        await wait_for(
            pilot, lambda: invoice.id not in [r.id for r in table.rows] and table.rows, "the paid row gone"
        )
        history = api_get(pay_server, token, f"/v1/accounts/{account_id}/payments")["items"]
        assert history[0]["confirmation_number"] == payment.confirmation_number
        assert history[0]["fees_cents"] == 175
        watch.never_showed(VISA)

        # The history screen shows it; Enter opens it.
        await pilot.press("h")
        history_screen = await on_screen(pilot, PaymentHistoryScreen)
        await wait_for(pilot, lambda: history_screen.payments, "the history")
        text = screen_text(app)
        assert payment.confirmation_number in text and "Succeeded" in text
        await pilot.press("enter")
        await on_screen(pilot, PaymentDetailScreen)
        await wait_for_text(pilot, "Confirmation")
        watch.never_showed(VISA)


async def test_declining_the_fee_makes_no_payment(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        before = payments_count(pay_server, token, home.account.id)
        summary_before = api_get(pay_server, token, f"/v1/accounts/{home.account.id}/summary")
        await select_rows(pilot, home, lambda row: row.past_due)
        screen = await open_wizard(pilot, "p")
        await pilot.press("ctrl+s")
        await fill_card(pilot, screen, "method-1", VISA)
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await on_screen(pilot, FeeDialog)
        await pilot.press("tab", "enter")  # Cancel
        await wait_for_text(pilot, "No payment was made.")
        assert screen.step == "review"
        assert payments_count(pay_server, token, home.account.id) == before
        assert api_get(pay_server, token, f"/v1/accounts/{home.account.id}/summary") == summary_before


async def test_multi_site_invoice_by_bank_is_in_progress_afterwards(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        watch = ScreenWatch(app)
        home = await on_home(pilot)
        (parent,) = await select_rows(pilot, home, lambda row: row.is_multi_site)
        screen = await open_wizard(pilot, "p")
        assert "3 sites" in watch.text()
        await pilot.press("ctrl+s")
        await choose_bank(pilot, screen, "method-1")
        await to_review(pilot, screen)
        assert screen.quote is not None and screen.quote.fees_cents == 0
        assert len(screen.quote.allocations) == 3  # one per site
        await pilot.press("ctrl+s")
        await accept(pilot, ConfirmDialog)
        await receipt(pilot, screen)
        text = watch.text()
        assert "Bank payments take 3 business days to settle; these invoices show In Progress until" in text
        assert screen.payment is not None and screen.payment.status == "pending"
        detail = api_get(pay_server, token, f"/v1/invoices/{parent.id}")
        assert detail["status"] == "in_progress"
        assert all(child["status"] == "in_progress" for child in detail["children"])
        watch.never_showed("000123456789")


async def test_custom_amount_split_across_card_and_bank(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        choice = screen.query_one("#amount-choice", RadioSet)
        choice.query_one("#pay-other", RadioButton).value = True
        await type_into(pilot, screen.query_one("#custom-amount"), "100.00")
        await wait_for_text(pilot, "Amount selected $100.00")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await fill_card(pilot, screen, "method-1", VISA)
        screen.query_one("#split", Checkbox).value = True
        await type_into(pilot, screen.query_one("#first-amount"), "40")
        await wait_for_text(pilot, "the rest, $60.00")
        await choose_bank(pilot, screen, "method-2")
        await to_review(pilot, screen)
        quote = screen.quote
        assert quote is not None and [p.amount_cents for p in quote.parts] == [4000, 6000]
        assert quote.fees_cents == 175
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
        payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
        assert [part["method"]["type"] for part in payment["parts"]] == ["card", "ach"]
        assert payment["amount_cents"] == 10000 and payment["total_cents"] == 10175
        text = screen_text(app)
        assert "Visa •••• 4242" in text and "•••• 6789" in text
        assert VISA not in text.replace(" ", "")
        assert home.account.id == payment["account_id"]


async def test_a_declined_card_keeps_everything_but_the_number_and_cvc(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        watch = ScreenWatch(app)
        home = await on_home(pilot)
        before = payments_count(pay_server, token, home.account.id)
        await select_rows(pilot, home, lambda row: row.past_due)
        screen = await open_wizard(pilot, "p")
        await pilot.press("ctrl+s")
        await fill_card(pilot, screen, "method-1", DECLINED)
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await wait_for(pilot, lambda: screen.step == "how" and not screen.busy, "back to the card")
        text = watch.text()
        assert "declined" in text.lower() and "No payment was made." in text
        assert screen.query_one("#method-1 #card-number", Input).value == ""
        assert screen.query_one("#method-1 #card-cvc", Input).value == ""
        assert screen.query_one("#method-1 #card-expiry", Input).value == "12/30"
        assert screen.query_one("#method-1 #card-zip", Input).value == "97405"
        assert screen.query_one("#method-1 #card-name", Input).value == "Dana Whitfield"
        assert app.focused is screen.query_one("#method-1 #card-number")
        assert screen._request is None
        assert payments_count(pay_server, token, home.account.id) == before

        await fill_card(pilot, screen, "method-1", VISA)
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
        assert payments_count(pay_server, token, home.account.id) == before + 1
        watch.never_showed(VISA, DECLINED)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "back home")
        assert (
            not screen.query("#card-number") or screen.query_one("#method-1 #card-number", Input).value == ""
        )


class LosesFirstAnswer(PaydeskClient):
    """The payment reaches the server but its answer is lost once: the wizard must ask again, same key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys: list[str] = []

    async def pay(self, account_id, body, idempotency_key):
        self.keys.append(idempotency_key)
        payment = await super().pay(account_id, body, idempotency_key)
        if len(self.keys) == 1:
            raise ServerUnavailable("The connection dropped.")
        return payment


async def test_a_lost_answer_is_retried_with_the_same_key_and_pays_once(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    client = LosesFirstAnswer(pay_server.base_url, token)
    app = make_app(pay_server.base_url, token, client=client)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        before = payments_count(pay_server, token, home.account.id)
        await select_rows(pilot, home, lambda row: row.past_due)
        screen = await open_wizard(pilot, "p")
        await pilot.press("ctrl+s")
        await choose_bank(pilot, screen, "method-1")
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, ConfirmDialog)
        await receipt(pilot, screen)
        assert len(client.keys) == 2 and client.keys[0] == client.keys[1]
        assert payments_count(pay_server, token, home.account.id) == before + 1


async def test_a_clerk_takes_a_bank_payment_by_phone_with_the_script(pay_server) -> None:
    """From the clerk's read-only view of the account: the wizard in clerk mode, the NACHA TEL words
    on the review, and Customer agreed pays (no dialog after the words read aloud)."""
    token = login(pay_server.base_url, "clerk@example.com")
    dana = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        search.query_one("#email", Input).value = DANA
        search.query_one("#email", Input).focus()
        await pilot.press("enter")
        # The one match opens the identity check; the clerk confirms it and lands on the customer 360.
        identity = await on_screen(pilot, IdentityCheckScreen)
        await wait_for(pilot, lambda: identity.account is not None, "the identity check's facts")
        await pilot.press("enter")
        customer = await on_screen(pilot, CustomerScreen)
        table = customer.query_one("#customer-invoices", InvoiceTable)
        await wait_for(pilot, lambda: table.started and not table.loading_more, "the open invoices")
        table.table.focus()
        await pilot.pause()
        for row in [row for row in table.rows if row.past_due]:
            table.table.move_cursor(row=table.table.get_row_index(str(row.id)))
            await pilot.press("space")
        screen = await open_wizard(pilot, "p")
        assert "by phone" in screen_text(app)
        await pilot.press("enter")  # a clerk's Enter goes on from step 1
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await choose_bank(pilot, screen, "method-1")
        await to_review(pilot, screen)
        text = " ".join(screen_text(app).replace("█", " ").split())
        words = " ".join(screen.review.words)
        assert "1-800-555-0142" in words and "Dana Whitfield" in words and "6789" in words
        assert "November 15, 2026" in words and "single-entry debit" in words
        assert screen.quote is not None and screen.quote.script is not None
        assert screen.review.words == screen.quote.script.paragraphs  # the server's words
        assert screen.review.words and all(
            " ".join(paragraph.split()) in text.replace("“", "").replace("”", "")
            for paragraph in screen.review.words
        )
        assert app.focused is screen.query_one("#next")
        await pilot.press("enter")  # Customer agreed
        await receipt(pilot, screen)
        payment = api_get(pay_server, dana, f"/v1/payments/{screen.payment.id}")
        assert payment["channel"] == "phone"


async def test_step_one_skips_and_edits_lines_and_the_quote_follows(live_server, tokens) -> None:
    """Space skips a line, Ctrl+E edits what one pays (Escape closes it, too much is refused); the
    server's quote pays exactly that. Nothing is paid: the shared demo server is not changed."""
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        chosen = await select_rows(pilot, home, lambda row: not row.is_multi_site)
        assert len(chosen) >= 3
        screen = await open_wizard(pilot, "p")
        skipped, edited, *rest = [line.row for line in screen.what.lines]
        table = screen.query_one("#pay-invoices", DataTable)

        table.move_cursor(row=0)
        await pilot.press("space")
        await wait_for_text(pilot, f"Invoices to pay {len(chosen) - 1}")

        table.move_cursor(row=1)
        await pilot.press("ctrl+e")
        await wait_for_text(pilot, f"Up to {format_cents(edited.balance_cents)}")
        field = screen.query_one("#edit-amount", Input)
        assert app.focused is field and field.value == input_dollars(edited.balance_cents)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.query_one("#edit-row").display, "the edit closed")
        assert screen.step == "what" and app.focused is table

        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app.focused is field, "the amount field")
        field.value = input_dollars(edited.balance_cents + 1)
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "left to pay: enter that or less.")
        assert screen.step == "what"
        field.value = "10.00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.step == "what", "back to step 1")
        selected = 1000 + sum(row.balance_cents for row in rest)
        text = screen_text(app)
        assert "skip" in text and "$10.00 *" in text and f"Amount selected {format_cents(selected)}" in text

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await fill_card(pilot, screen, "method-1", VISA)
        await to_review(pilot, screen)
        assert screen.quote is not None
        paid = {allocation.invoice_id: allocation.amount_cents for allocation in screen.quote.allocations}
        assert skipped.id not in paid and paid[edited.id] == 1000
        assert sum(paid.values()) == selected
