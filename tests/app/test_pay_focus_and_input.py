"""Focus and refused input in the pay wizard (issue 11 items 8, 9 and 12), each against a fresh reference
backend: where the focus is and what the screen says after the keys, then what the server holds.

8. step 2 opens where the person types next (a new card's number, the saved methods' list), and
   choosing "New bank account" moves into its routing number as "Another amount" and "Split" do;
9. every refused field gets the focus with its whole value selected, so the next keys replace it;
12. input that is left out is said: a paste too long, characters a field does not take.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Button, Input, MaskedInput, RadioSet

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for
from tests.app.test_pay_flows import VISA, accept, open_wizard, receipt, to_review
from tests.conftest import login
from tui.screens.pay_dialogs import ConfirmDialog, FeeDialog
from tui.screens.settings import SettingsScreen
from tui.widgets.status_line import StatusLine

SIZE = (100, 40)
DANA = "dana@example.com"  # no saved method: step 2 starts on a new card
LEE = "lee@example.com"  # a saved Visa, the default


def message(screen) -> str:
    return str(screen.query_one("#pay-message", StatusLine).content)


def toasts(app) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def paste(pilot, field: Input, text: str) -> None:
    """What the terminal sends for a paste, to the field with the focus."""
    field.focus()
    await pilot.pause()
    field.post_message(events.Paste(text))
    await pilot.pause()


def whole_value_selected(field: Input) -> bool:
    return bool(field.value) and sorted(field.selection) == [0, len(field.value)]


# ---- 8. step 2 opens where the person types next ------------------------------------------------------


async def test_step_two_opens_in_the_card_number_and_new_bank_goes_to_the_routing_number(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        number = screen.query_one("#method-1 #card-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the card number focused")
        await pilot.press(*"4242")  # no Tab first: the keys land in the number
        assert number.value == "4242"

        # The method list, down to "New bank account", Enter: the routing number has the focus.
        choice = screen.query_one("#method-1 .method-choice", RadioSet)
        choice.focus()
        await pilot.press("down", "enter")
        routing = screen.query_one("#method-1 #bank-routing", Input)
        await wait_for(pilot, lambda: app.focused is routing, "the routing number focused")
        await pilot.press(*"110000000", "tab", *"000123456789")
        assert routing.value == "110000000"
        assert screen.query_one("#method-1 #bank-account", Input).value == "000123456789"
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, ConfirmDialog)
        await receipt(pilot, screen)
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    assert [part["method"]["type"] for part in payment["parts"]] == ["ach"]
    assert payment["account_id"] == home.account.id


async def test_step_two_opens_on_the_saved_methods_when_one_is_chosen(pay_server) -> None:
    token = login(pay_server.base_url, LEE)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        choice = screen.query_one("#method-1 .method-choice", RadioSet)
        await wait_for(pilot, lambda: app.focused is choice, "the saved methods' list focused")
        assert choice.pressed_button is not None and choice.pressed_button.id.startswith("saved-")
        # Down to "New card", Enter: the focus moves into its number.
        await pilot.press("down", "enter")
        number = screen.query_one("#method-1 #card-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the new card's number focused")
        await pilot.press(*VISA, "tab", *"1230", "tab", *"123", "tab", *"97405")
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
        assert VISA not in screen_text(app).replace(" ", "")
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    (part,) = payment["parts"]
    assert part["method"]["type"] == "card" and part["method"]["last4"] == "4242"


# ---- 9. a refused field: focused, its whole value selected, the next keys replace it ------------------


async def test_a_refused_field_is_focused_with_its_value_selected_and_typing_replaces_it(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        choice = screen.query_one("#amount-choice", RadioSet)
        choice.focus()
        while choice.pressed_button is None or choice.pressed_button.id != "pay-other":
            await pilot.press("down", "enter")
        amount = screen.query_one("#custom-amount", Input)
        await wait_for(pilot, lambda: app.focused is amount, "the amount field")
        await pilot.press("0", "enter")  # refused in the field it was typed in
        await wait_for(pilot, lambda: message(screen) == "Enter an amount above zero.", "the amount refused")
        assert app.focused is amount and whole_value_selected(amount)
        await pilot.press(*"25.00", "ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        assert amount.value == "25.00"

        # A card number too short, refused from the last field: focused there, selected, replaced.
        number = screen.query_one("#method-1 #card-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the card number")
        await pilot.press(*"42424242", "tab", *"1026", "tab", *"123", "tab", *"97405", "enter")
        await wait_for(pilot, lambda: "too short" in message(screen), "the number refused")
        assert app.focused is number and whole_value_selected(number)
        await pilot.press(*VISA)
        assert number.digits == VISA

        # The expiry 10/26 is past; Enter in it refuses it there: still focused, selected, replaced.
        expiry = screen.query_one("#method-1 #card-expiry", MaskedInput)
        expiry.focus()
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: "expired" in message(screen), "the expiry refused")
        assert app.focused is expiry and whole_value_selected(expiry)
        await pilot.press(*"1230")
        assert expiry.value == "12/30"

        # A routing number that fails its checksum, Enter in it: selected, and the right one replaces it.
        methods = screen.query_one("#method-1 .method-choice", RadioSet)
        methods.focus()
        await pilot.press("down", "enter")
        routing = screen.query_one("#method-1 #bank-routing", Input)
        await wait_for(pilot, lambda: app.focused is routing, "the routing number")
        await pilot.press(*"123456789", "tab", *"000123456789", "shift+tab", "end", "enter")
        await wait_for(pilot, lambda: "Check the routing number" in message(screen), "the routing refused")
        assert app.focused is routing and whole_value_selected(routing)
        await pilot.press(*"110000000")
        assert routing.value == "110000000"
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, ConfirmDialog)
        await receipt(pilot, screen)
        assert VISA not in screen_text(app).replace(" ", "")
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    assert payment["amount_cents"] == 2500
    assert [part["method"]["type"] for part in payment["parts"]] == ["ach"]


# ---- 12. input left out is said ------------------------------------------------------------------------


async def test_what_a_field_leaves_out_is_said_and_the_card_number_never(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        choice = screen.query_one("#amount-choice", RadioSet)
        choice.focus()
        while choice.pressed_button is None or choice.pressed_button.id != "pay-other":
            await pilot.press("down", "enter")
        amount = screen.query_one("#custom-amount", Input)
        await wait_for(pilot, lambda: app.focused is amount, "the amount field")
        await pilot.press("-", "3", "0", "x")
        assert amount.value == "30"
        await wait_for(
            pilot,
            lambda: (
                "Amounts are digits and a point: '-' was left out." in toasts(app)
                and "Amounts are digits and a point: 'x' was left out." in toasts(app)
            ),
            "what the amount left out",
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")

        # 3,600 characters pasted into the card number: refused, and said by its length alone.
        number = screen.query_one("#method-1 #card-number", Input)
        await paste(pilot, number, "4242" * 900)
        said = "That is 3,600 characters; a card number has at most 19 digits."
        await wait_for(pilot, lambda: said in toasts(app), "the paste refused")
        assert number.value == ""
        # A number pasted with its label: the letters are left out and named, the digits kept.
        await paste(pilot, number, f"Visa {VISA}")
        assert number.digits == VISA
        await wait_for(pilot, lambda: any("A card number is digits:" in t for t in toasts(app)), "letters")
        await pilot.press("tab", *"1x230", "9")  # a letter, then a fifth digit into the full expiry
        assert screen.query_one("#method-1 #card-expiry", MaskedInput).value == "12/30"
        await wait_for(
            pilot,
            lambda: (
                "An expiry is digits, MM/YY: 'x' was left out." in toasts(app)
                and "An expiry has 4 digits (MM/YY): Backspace to change it." in toasts(app)
            ),
            "what the expiry left out",
        )
        await pilot.press("tab", *"12a3", "tab", *"97405")
        assert screen.query_one("#method-1 #card-cvc", Input).value == "123"
        await wait_for(
            pilot, lambda: "A security code is digits: 'a' was left out." in toasts(app), "the CVC's letter"
        )
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
        for text in [*toasts(app), screen_text(app)]:
            assert VISA not in text.replace(" ", "") and "4242424242" not in text
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    assert payment["amount_cents"] == 3000
    assert payment["parts"][0]["method"]["last4"] == "4242"


async def test_settings_say_what_the_phone_and_address_leave_out(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    account_id = api_get(pay_server, token, "/v1/me")["accounts"][0]["id"]
    before = api_get(pay_server, token, f"/v1/accounts/{account_id}")
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("s")
        screen = await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: screen.account is not None, "the account's settings")
        address = screen.query_one("#profile-address", Input)
        await paste(pilot, address, "x" * 3600)
        said = "That is 3,600 characters; an address has at most 300 characters."
        await wait_for(pilot, lambda: said in toasts(app), "the long paste refused")
        assert address.value == (before["service_address"] or "")

        phone = screen.query_one("#profile-phone", Input)
        phone.clear()
        await paste(pilot, phone, "tel 541-555-0199")
        assert phone.value == " 541-555-0199"
        said = "A phone number is digits, spaces and ( ) + . -: 't', 'e' and 'l' were left out."
        await wait_for(pilot, lambda: said in toasts(app), "the letters named")
        screen.query_one("#save-profile", Button).press()
        await wait_for(
            pilot,
            lambda: api_get(pay_server, token, f"/v1/accounts/{account_id}")["phone"] != before["phone"],
            "the phone saved",
        )
    held = api_get(pay_server, token, f"/v1/accounts/{account_id}")
    assert held["phone"] == "+1 541-555-0199"
    assert held["service_address"] == before["service_address"]
