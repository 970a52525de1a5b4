"""The payment wizard in clerk mode, as a clerk takes a card payment by phone (a fresh demo backend per
test: paying changes data). The wizard is opened on Dana's account directly, as the console does.

Counted exactly: the keys the wizard takes beyond the customer's data (card number, expiry, CVC, ZIP):
Enter on step 1, Enter after the ZIP, Enter on Customer agreed.
"""

from __future__ import annotations

from textual.widgets import Button, Input, MaskedInput

from tests.app.clerk_pay import (
    CARD,
    CLERK,
    VISA,
    Keys,
    ScreenWatch,
    auth_detail,
    find_account,
    flat_text,
    identity_check,
    open_clerk_wizard,
    words_to_the_clerk,
)
from tests.app.conftest import api_get, make_app, screen_text, wait_for
from tests.conftest import login
from tui.money import format_cents
from tui.screens.pay.screen import CLERK_STEP_TITLES
from tui.widgets.pay_fields import CardNumberInput

SMALL = (80, 24)
WIZARD_KEYS = ["enter", "enter", "enter"]


async def test_a_clerk_takes_the_whole_balance_by_card_in_three_keys(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana = find_account(pay_server, clerk)
    check_id = identity_check(pay_server, clerk, dana.id)
    summary = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        watch = ScreenWatch(app)
        screen = await open_clerk_wizard(pilot, dana, check_id)
        keys = Keys(pilot)

        # Step 1: the whole balance is preselected; the title is whole at 80 columns.
        text = watch.text()
        assert CLERK_STEP_TITLES["what"] in text
        assert f"Balance due ({format_cents(summary['balance_due_cents'])})" in text
        assert not words_to_the_clerk(text), text
        await keys.press("enter")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")

        # Step 2: a new card, the focus in its number; each field moves on when complete and valid.
        number = screen.query_one("#method-1 #card-number", CardNumberInput)
        await wait_for(pilot, lambda: app.focused is number, "the card number focused")
        text = watch.text()
        assert CLERK_STEP_TITLES["how"] in text and not words_to_the_clerk(text), text
        await keys.type(CARD["number"])
        assert app.focused is screen.query_one("#method-1 #card-expiry", MaskedInput)
        assert "•••• •••• •••• 4242" in watch.text()
        await keys.type(CARD["expiry"])
        assert app.focused is screen.query_one("#method-1 #card-cvc", Input)
        await keys.type(CARD["cvc"])
        assert app.focused is screen.query_one("#method-1 #card-zip", Input)
        await keys.type(CARD["zip"])
        await keys.press("enter")
        await wait_for(pilot, lambda: screen.step == "review" and not screen.busy, "the review")

        # Step 3: the words to read aloud, the fee and that it is not refunded among them.
        quote = screen.quote
        assert quote is not None and quote.fees_cents > 0
        agreed = screen.query_one("#next", Button)
        await wait_for(pilot, lambda: app.focused is agreed, "Customer agreed focused")
        text = watch.text()
        assert CLERK_STEP_TITLES["review"] in text
        assert "Read this to the customer:" in text and "Customer agreed" in text
        flat = flat_text(app)
        words = " ".join(screen.review.words)
        assert format_cents(quote.fees_cents) in words and "not refundable" in words
        for paragraph in screen.review.words:
            # Each paragraph shows whole, wrapped over lines as the width allows.
            assert " ".join(paragraph.split()) in flat.replace("“", "").replace("”", ""), paragraph
        # The server's words (the quote's script), never written by the app.
        assert quote.script is not None and screen.review.words == quote.script.paragraphs
        assert not words_to_the_clerk(text), text
        await keys.press("enter")  # Customer agreed: pays, no fee dialog after the words
        await wait_for(pilot, lambda: screen.step == "receipt", "the receipt")

        assert keys.counted == WIZARD_KEYS
        payment = screen.payment
        assert payment is not None
        text = watch.text()
        assert f"The customer's payment of {format_cents(payment.total_cents)} was made." in text
        assert "Visa •••• 4242" in text and payment.confirmation_number in text
        assert not words_to_the_clerk(text), text
        assert screen.query_one(CardNumberInput).value == ""  # dropped once paid
        watch.never_showed(VISA)

    # What the server holds: the whole balance paid by phone, under this call's identity check.
    paid = api_get(pay_server, clerk, f"/v1/payments/{payment.id}")
    assert paid["channel"] == "phone" and paid["amount_cents"] == summary["balance_due_cents"]
    assert paid["fees_cents"] == quote.fees_cents
    detail = auth_detail(pay_server, payment.id)
    assert detail["kind"] == "phone" and detail["identity_check_id"] == check_id
    assert detail["script_version"] == quote.script.version
    after = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")
    assert after["balance_due_cents"] == 0


async def test_a_saved_card_is_one_choice_away_and_the_declined_words_pay_nothing(pay_server) -> None:
    """Lee has a saved Visa: a clerk still starts in a new card's number; Up chooses the saved one.
    The customer declining the words read aloud makes no payment."""
    clerk = login(pay_server.base_url, CLERK)
    lee = find_account(pay_server, clerk, "lee@example.com")
    check_id = identity_check(pay_server, clerk, lee.id)
    before = api_get(pay_server, clerk, f"/v1/accounts/{lee.id}/payments")["total_count"]
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await open_clerk_wizard(pilot, lee, check_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        number = screen.query_one("#method-1 #card-number", CardNumberInput)
        await wait_for(pilot, lambda: app.focused is number, "the card number focused")
        picker = screen.query_one("#method-1")
        assert picker.choice == "new-card"

        await pilot.press("shift+tab", "up", "enter")  # the method list, the saved Visa, chosen
        await wait_for(pilot, lambda: picker.saved_method is not None, "the saved card chosen")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "review" and not screen.busy, "the review")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#next"), "Customer agreed focused")

        await pilot.press("ctrl+s")  # not an agreement: only the button named for the yes pays
        assert screen.step == "review" and screen.payment is None
        screen.query_one("#declined", Button).press()
        await wait_for(pilot, lambda: "The customer declined" in screen_text(app), "the decline said")
        assert screen.payment is None
    after = api_get(pay_server, clerk, f"/v1/accounts/{lee.id}/payments")["total_count"]
    assert after == before


async def test_without_an_identity_check_the_payment_is_refused_on_screen(pay_server) -> None:
    """The server refuses a clerk's payment on an account not verified on this call; the wizard
    says so and nothing is paid."""
    clerk = login(pay_server.base_url, CLERK)
    dana = find_account(pay_server, clerk)
    before = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/payments")["total_count"]
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await open_clerk_wizard(pilot, dana, None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#method-1 #card-number"), "number")
        await pilot.press(*CARD["number"], *CARD["expiry"], *CARD["cvc"], *CARD["zip"], "enter")
        await wait_for(pilot, lambda: screen.step == "review" and not screen.busy, "the review")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#next"), "Customer agreed focused")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "Verify the caller's identity" in screen_text(app), "the refusal on screen"
        )
        assert screen.payment is None and screen.step != "receipt"
    assert api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/payments")["total_count"] == before


async def test_the_card_fields_move_on_only_when_complete_and_valid(live_server, tokens) -> None:
    """An Amex moves on after 15 digits and takes a 4-digit CVC; a mistyped number (Luhn) and an
    expired card stay where they are. Nothing is paid: the shared demo server is not changed."""
    clerk = tokens[CLERK]
    dana = find_account(live_server, clerk)
    app = make_app(live_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await open_clerk_wizard(pilot, dana, None)
        await pilot.press("enter")
        number = screen.query_one("#method-1 #card-number", CardNumberInput)
        expiry = screen.query_one("#method-1 #card-expiry", MaskedInput)
        cvc = screen.query_one("#method-1 #card-cvc", Input)
        await wait_for(pilot, lambda: app.focused is number, "the card number focused")

        await pilot.press(*"4242424242424241")  # 16 digits, not a valid number
        assert app.focused is number
        number.clear()
        await pilot.press(*"378282246310005")  # Amex: 15 digits
        assert app.focused is expiry and number.brand == "Amex"
        await pilot.press(*"0120")  # January 2020: expired
        assert app.focused is expiry
        expiry.clear()
        await pilot.press(*"1230", *"123")
        assert app.focused is cvc  # an Amex CVC has 4 digits
        await pilot.press("4")
        assert app.focused is screen.query_one("#method-1 #card-zip", Input)


async def test_with_no_balance_due_the_clerk_types_the_amount_at_once(live_server, tokens) -> None:
    """Sam owes nothing: step 1 opens in the amount field, and Enter after it goes on."""
    clerk = tokens[CLERK]
    sam = find_account(live_server, clerk, "sam@example.com")
    app = make_app(live_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await open_clerk_wizard(pilot, sam, None)
        assert app.focused is screen.query_one("#custom-amount", Input)
        await pilot.press(*"25.00", "enter")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        assert screen.what.amount_to_pay() == 2500
