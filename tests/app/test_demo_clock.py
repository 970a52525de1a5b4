"""QA moves the demo clock from inside the app; the screen and the server follow it."""

from __future__ import annotations

from textual.widgets import Input

from tests.app.conftest import api_get, make_app, on_home, on_screen, wait_for_text
from tests.conftest import login
from tui.money import format_cents
from tui.screens.demo_clock import DemoClockDialog


async def test_f3_moves_the_clock_and_the_pending_bank_payment_settles(pay_server) -> None:
    token = login(pay_server.base_url, "dana@example.com")
    app = make_app(pay_server.base_url, token, demo=True)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        home = await on_home(pilot)
        before = api_get(pay_server, token, f"/v1/accounts/{home.account.id}/summary")
        assert before["in_progress_cents"] > 0  # Dana's bank payment settles on 2026-11-17

        await pilot.press("f3")
        dialog = await on_screen(pilot, DemoClockDialog)
        assert "Nov 15, 2026" in await wait_for_text(pilot, "Move the demo clock forward")
        field = dialog.query_one("#clock-days", Input)
        field.value = ""
        await pilot.press(*"0", "enter")
        await wait_for_text(pilot, "Enter a whole number of days from 1 to 3650.")
        field.value = ""
        await pilot.press(*"3", "enter")

        await wait_for_text(pilot, "The demo clock now reads Nov 18, 2026.")
        after = api_get(pay_server, token, f"/v1/accounts/{home.account.id}/summary")
        assert after["today"] == "2026-11-18" and after["in_progress_cents"] == 0
        text = await wait_for_text(pilot, "as of Nov 18, 2026")
        assert "In Progress" in text and format_cents(after["balance_due_cents"]) in text


async def test_the_clock_key_exists_only_in_a_demo(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens["sam@example.com"])
    async with app.run_test(size=(100, 40)) as pilot:
        await on_home(pilot)
        await pilot.press("f3")
        await pilot.pause()
        assert not isinstance(app.screen, DemoClockDialog)
