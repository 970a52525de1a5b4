"""Input dropped without a word (issue 11 item 12), the last fields: the 6-digit code box and the demo
clock's day field say what they left out; a restricted field measures a paste by what it keeps, so a
number copied with separators fits, and one too long without them says so.
Then each field still does its work: the code signs in, the clock moves, the search finds the account.
"""

from __future__ import annotations

from textual.widgets import Input, MaskedInput

from tests.app.conftest import api_get, make_app, on_home, on_screen, paste, said, toasts, wait_for
from tests.conftest import latest_code, login
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.demo_clock import DemoClockDialog
from tui.screens.login import LoginScreen
from tui.screens.verify_code import VerifyCodeScreen

SIZE = (100, 40)
CLERK = "clerk@example.com"
DANA = "dana@example.com"
DANA_NUMBER = "4100012345"


async def test_the_code_box_says_what_it_leaves_out_and_still_signs_in(pay_server) -> None:
    app = make_app(pay_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        app.screen.query_one("#email", Input).value = DANA
        await pilot.press("enter")
        screen = await on_screen(pilot, VerifyCodeScreen)
        code = screen.query_one("#code", MaskedInput)
        await wait_for(pilot, lambda: app.focused is code, "the code box focused")
        await pilot.press(*"12a")
        await said(pilot, "A code is 6 digits: 'a' was left out.")
        assert code.value == "12"
        await paste(pilot, code, "12345678")
        await said(pilot, "That is 8 characters; a code has at most 6 digits.")
        assert code.value == "12"
        await pilot.press(*"345")
        await paste(pilot, code, "67")  # one place left, two digits
        await said(pilot, "A code has 6 digits: there is room for 1 more here.")
        assert code.value == "12345"
        for _ in range(5):
            await pilot.press("backspace")
        await wait_for(pilot, lambda: code.value.strip("_ ") == "", "the box emptied")

        # The code pasted as the email says it: the words and the space are named, the digits kept.
        real = latest_code(pay_server.base_url, DANA)
        await paste(pilot, code, f"Code: {real[:3]} {real[3:]}")
        await said(pilot, "A code is 6 digits: 'C', 'o', 'd' and 3 more were left out.")
        await on_home(pilot)  # six digits: it sent itself, the server signed Dana in
        assert app.me is not None and app.me.user.email == DANA
        assert all(real not in toast for toast in toasts(app))  # never the code itself


async def test_the_demo_clocks_days_say_what_they_leave_out_and_the_clock_moves(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token, demo=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("f3")
        dialog = await on_screen(pilot, DemoClockDialog)
        days = dialog.query_one("#clock-days", Input)
        await wait_for(pilot, lambda: app.focused is days, "the days focused")
        days.value = ""
        await pilot.press(*"-2x")
        await said(pilot, "Days are a whole number, digits only: '-' was left out.")
        await said(pilot, "Days are a whole number, digits only: 'x' was left out.")
        assert days.value == "2"
        await pilot.press(*"000", "5")  # a fifth digit
        await said(pilot, "A number of days has at most 4 digits.")
        assert days.value == "2000"
        await paste(pilot, days, "30000 days")  # too long even without the words: nothing taken
        await said(pilot, "That is 5 digits; a number of days has at most 4 digits.")
        assert days.value == "2000"
        days.value = ""
        await paste(pilot, days, "3 d")
        await said(pilot, "Days are a whole number, digits only: ' ' and 'd' were left out.")
        assert days.value == "3"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DemoClockDialog), "the dialog closed")
        await wait_for(pilot, lambda: _today(pay_server, token) == "2026-11-18", "the clock moved 3 days")


def _today(server, token: str) -> str:
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    return api_get(server, token, f"/v1/accounts/{account_id}/summary")["today"]


async def test_a_paste_is_measured_by_what_the_field_keeps_and_what_it_leaves_out_is_said(
    live_server, tokens
) -> None:
    app = make_app(live_server.base_url, tokens[CLERK])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        number = search.query_one("#account-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the account number focused")
        # 12 digits with their separators: too long for a 10-digit field, refused whole.
        await paste(pilot, number, "4100-0123-4567")
        await said(pilot, "That is 12 digits; an account number has at most 10 digits.")
        assert not any("left out" in toast for toast in toasts(app))
        assert number.value == ""
        # An account number copied with its separators: the 10 digits kept, the '-' named.
        await paste(pilot, number, "4100-0123-45")
        await said(pilot, "An account number is digits: '-' was left out.")
        assert number.value == "4100012345"
        number.value = ""
        number.focus()  # a full account number moved on to the last name
        await wait_for(pilot, lambda: app.focused is number, "the account number focused again")
        # Fits the field, not beside what it holds: the room left is said.
        await pilot.press(*"41000")
        await paste(pilot, number, "123456")
        await said(pilot, "There is room for 5 more in an account number (at most 10 digits).")
        assert number.value == "41000"
        # Short enough: what it leaves out is named and the digits are kept.
        await paste(pilot, number, "12-345")
        await said(pilot, "An account number is digits: '-' was left out.")
        assert number.value == DANA_NUMBER
        await wait_for(pilot, lambda: app.focused is search.query_one("#last-name", Input), "moved on")
        await pilot.press(*"whitfield", "enter")
        check = await on_screen(pilot, IdentityCheckScreen)
        assert check.account.account_number == DANA_NUMBER
