"""Pay with nothing selected says how to select, on the customer's home and on a guest's: no wizard opens."""

from __future__ import annotations

from textual.widgets import Input

from tests.app.conftest import make_app, on_home, on_screen, wait_for_text
from tui.screens.guest import GuestHomeScreen, GuestLookupScreen
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen

SIZE = (100, 40)
HINT = "Select the invoices to pay with Space"


async def test_pay_with_nothing_selected_on_home_says_how_to_select(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens["dana@example.com"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("2", "p")
        await wait_for_text(pilot, HINT)
        await wait_for_text(pilot, "Nothing selected")
        assert isinstance(app.screen, HomeScreen)


async def test_pay_with_nothing_selected_as_a_guest_says_how_to_select(live_server) -> None:
    app = make_app(live_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+g")
        lookup = await on_screen(pilot, GuestLookupScreen)
        lookup.query_one("#guest-account-number", Input).value = "4100012345"
        lookup.query_one("#guest-last-name", Input).value = "Whitfield"
        lookup.query_one("#guest-last-name", Input).focus()
        await pilot.press("enter")
        await on_screen(pilot, GuestHomeScreen)
        await wait_for_text(pilot, "One-time payment")
        await pilot.press("p")
        await wait_for_text(pilot, HINT)
        assert isinstance(app.screen, GuestHomeScreen)
