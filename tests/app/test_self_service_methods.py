"""Saved payment methods (issue 11 item 5): the list, a new card or bank account outside a payment, the
default, and removing one; the method autopay pays with is kept, with the server's sentence. The
backend is this module's own (the tests save and remove methods).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Input, MaskedInput, Select

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tests.app.palette import palette_names
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.api import FeeTerms, PaymentMethod
from tui.screens.dialogs import QuestionDialog
from tui.screens.method_dialogs import AddMethodDialog
from tui.screens.payment_methods import PaymentMethodsScreen, autopay_fee_words, expiry_words, kind_words
from tui.screens.settings import SettingsScreen
from tui.widgets.pay_fields import CardNumberInput

SIZE = (100, 40)
DANA = "dana@example.com"  # no saved methods
LEE = "lee@example.com"  # autopay with a saved Visa 4242
CARD = "5555555555554444"  # a Mastercard test number that saves
CVC = "737"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("methods")
    with serve_stub(f"sqlite:///{workdir / 'methods.db'}", workdir, seed="demo") as stub:
        yield stub


def test_a_method_in_words() -> None:
    today = dt.date(2026, 11, 15)
    card = PaymentMethod(
        id=1, type="card", brand="Visa", last4="4242", exp_month=8, exp_year=2029, funding="debit"
    )
    assert (card.display, kind_words(card), expiry_words(card, today)) == (
        "Visa •••• 4242",
        "Debit card",
        "08/29",
    )
    old = card.model_copy(update={"exp_month": 10, "exp_year": 2026})
    assert expiry_words(old, today) == "10/26 expired"
    bank = PaymentMethod(
        id=2, type="ach", last4="6789", bank_name="Cascade Community Bank", account_type="savings"
    )
    assert (kind_words(bank), expiry_words(bank, today)) == ("Savings", "")
    assert autopay_fee_words(bank) == "Autopay with Cascade Community Bank •••• 6789 adds no fee."
    fee = FeeTerms(kind="convenience", amount_cents=175, description="Card convenience fee of $1.75")
    assert autopay_fee_words(card.model_copy(update={"autopay_fee": fee})) == (
        "Autopay with Visa •••• 4242: Card convenience fee of $1.75."
    )


def held(server: StubServer, token: str, account_id: int) -> list[dict]:
    return api_get(server, token, f"/v1/accounts/{account_id}/payment-methods")["items"]


async def add_card(pilot, number: str = CARD) -> AddMethodDialog:
    await pilot.press("c")
    dialog = await on_screen(pilot, AddMethodDialog)
    assert pilot.app.focused is dialog.query_one(CardNumberInput)
    await pilot.press(*number, "tab", *"1230", "tab", *CVC, "tab", *"97201", "ctrl+s")
    return dialog


async def test_dana_adds_a_card_and_a_bank_account_makes_one_default_and_removes_one(server) -> None:
    token = login(server.base_url, DANA)
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    assert held(server, token, account_id) == []

    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("w")
        screen = await on_screen(pilot, PaymentMethodsScreen)
        await wait_for_text(
            pilot, "No saved payment methods. Press c to add a card or b to add a bank account"
        )

        # A card: saved, listed as its label, the first saved method is the default.
        dialog = await add_card(pilot)
        await wait_for_text(pilot, "Saved Mastercard •••• 4444. It is your default.")
        assert not dialog.is_attached
        text = await wait_for(pilot, lambda: len(screen.methods) == 1 and screen_text(app), "the card listed")
        assert "Mastercard •••• 4444" in text and "12/30" in text and "Default" in text
        assert "Card convenience fee" in text  # autopay's fee with it, in words
        for shown in (CARD, "5555 5555 5555 4444", "5555 5555", CVC):
            assert shown not in text
        assert all(CARD not in str(field.value) for field in app.screen.query(Input))
        cards = held(server, token, account_id)
        assert [(m["label"], m["is_default"]) for m in cards] == [("Mastercard •••• 4444", True)]

        # A bank account, then made the default with d: the server holds the new default.
        await pilot.press("b")
        bank = await on_screen(pilot, AddMethodDialog)
        assert app.focused is bank.query_one("#bank-routing", Input)
        await pilot.press(*"110000000", "tab", *"000123456789", "ctrl+s")
        await wait_for_text(pilot, "Saved Paydesk Test Bank •••• 6789.")
        await wait_for(pilot, lambda: len(screen.methods) == 2, "two methods")
        table = screen.query_one("#methods", DataTable)
        assert app.focused is table
        await wait_for(pilot, lambda: screen._selected().type == "ach", "the new one selected")
        await wait_for_text(pilot, "Autopay with Paydesk Test Bank •••• 6789 adds no fee.")
        await pilot.press("d")
        await wait_for_text(pilot, "Paydesk Test Bank •••• 6789 is now your default")
        defaults = {m["label"]: m["is_default"] for m in held(server, token, account_id)}
        assert defaults == {"Paydesk Test Bank •••• 6789": True, "Mastercard •••• 4444": False}

        # Remove the card: asked first; Cancel keeps it, Remove removes it on the server.
        await wait_for(pilot, lambda: screen.methods[0].type == "ach", "the bank account first")
        await pilot.press("down")
        assert screen._selected().display == "Mastercard •••• 4444"
        await pilot.press("x")
        await on_screen(pilot, QuestionDialog)
        await wait_for_text(pilot, "Remove Mastercard •••• 4444?")
        await pilot.press("escape")
        await wait_for_text(pilot, "Mastercard •••• 4444 is still saved.")
        assert len(held(server, token, account_id)) == 2
        await pilot.press("x")
        await on_screen(pilot, QuestionDialog)
        await pilot.press("enter")
        await wait_for_text(pilot, "Removed Mastercard •••• 4444.")
        assert [m["label"] for m in held(server, token, account_id)] == ["Paydesk Test Bank •••• 6789"]
        await wait_for(pilot, lambda: len(screen.methods) == 1, "one method left")
        assert "Mastercard" not in screen_text(app).split("Removed Mastercard •••• 4444.")[1]

        # Escape goes back home.
        await pilot.press("escape")
        await on_home(pilot)


async def test_a_refused_card_keeps_the_dialog_open_and_settings_follows_what_is_saved(server) -> None:
    token = login(server.base_url, "sam@example.com")
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    before = held(server, token, account_id)
    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("s")
        settings = await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, "Add one under Payment methods (w)")
        await pilot.press("w")
        await on_screen(pilot, PaymentMethodsScreen)
        await wait_for_text(pilot, "Press c to add a card")
        dialog = await add_card(pilot, "4000000000000002")  # declined when saved
        line = dialog.query_one("#add-method-message")
        declined = "The card was declined. Use another card or pay by bank account."
        await wait_for(pilot, lambda: str(line.content) == declined, "the decline")
        assert app.screen is dialog and line.has_class("-error")
        # What was typed is still there (the number masked) to fix or to cancel.
        assert dialog.query_one(MaskedInput).value == "12/30"
        assert "0002" in screen_text(app) and "4000 0000 0000 0002" not in screen_text(app)
        await pilot.press("escape")
        await wait_for_text(pilot, "Nothing was saved.")
        assert held(server, token, account_id) == before

        # A card that saves; back in Settings, autopay offers it at once.
        await add_card(pilot)
        await wait_for_text(pilot, "Saved Mastercard •••• 4444. It is your default.")
        await pilot.press("escape")
        await on_screen(pilot, SettingsScreen)
        picker = settings.query_one("#autopay-method", Select)
        await wait_for(pilot, lambda: picker.display and picker.value != Select.NULL, "autopay's methods")
        assert "Mastercard •••• 4444 (default)" in screen_text(app)
    assert [m["label"] for m in held(server, token, account_id)] == ["Mastercard •••• 4444"]


async def test_the_method_autopay_uses_is_not_removed(server) -> None:
    token = login(server.base_url, LEE)
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    before = held(server, token, account_id)
    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("s")
        await on_screen(pilot, SettingsScreen)
        await pilot.press("w")  # Settings opens the same screen
        screen = await on_screen(pilot, PaymentMethodsScreen)
        text = await wait_for_text(pilot, "Visa •••• 4242")
        assert "Autopay" in text and "Autopay pays with it" in text
        await pilot.press("x")
        await on_screen(pilot, QuestionDialog)
        await pilot.press("enter")
        await wait_for_text(
            pilot, "Autopay pays with this method: turn autopay off or choose another method first."
        )
        assert screen.query_one("#methods-message").has_class("-error")
        assert held(server, token, account_id) == before
        assert [m.display for m in screen.methods] == ["Visa •••• 4242"]
        await pilot.press("escape")
        await on_screen(pilot, SettingsScreen)
        # Every key is a command too: the palette's "Payment methods" from home, and its own commands.
        await pilot.press("escape")
        home = await on_home(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen is not home, "the palette")
        await pilot.press(*"Payment methods")
        await wait_for_text(pilot, "Your saved cards and bank accounts")
        await pilot.press("enter")
        screen = await on_screen(pilot, PaymentMethodsScreen)
        await wait_for(pilot, lambda: screen.methods, "the methods")
        assert {"Make default", "Remove", "Add card", "Add bank", "Refresh"} <= await palette_names(screen)
