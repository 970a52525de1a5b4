"""Text from the server is shown as it is: square brackets are never read as markup."""

from __future__ import annotations

import httpx
from textual.widgets import Input

from tests.app.conftest import make_app, on_screen, screen_text, wait_for
from tests.conftest import login
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen

ADDRESS = "12 [b]Main[/b] St [/] Unit [4]"


async def test_an_address_with_brackets_shows_literally_in_clerk_search(pay_server) -> None:
    dana = login(pay_server.base_url, "dana@example.com")
    me = httpx.get(f"{pay_server.base_url}/v1/me", headers={"Authorization": f"Bearer {dana}"}).json()
    account_id = me["accounts"][0]["id"]
    r = httpx.patch(
        f"{pay_server.base_url}/v1/accounts/{account_id}",
        json={"service_address": ADDRESS},
        headers={"Authorization": f"Bearer {dana}"},
    )
    assert r.status_code == 200, r.text

    app = make_app(pay_server.base_url, login(pay_server.base_url, "clerk@example.com"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await on_screen(pilot, ClerkSearchScreen)
        screen.query_one("#email", Input).value = "dana@example.com"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.matches, "the search result")
        identity = await on_screen(pilot, IdentityCheckScreen)  # the one match opens by itself
        await wait_for(pilot, lambda: identity.account is not None, "the identity check's facts")
        await wait_for(pilot, lambda: ADDRESS in screen_text(app), "the address on the identity check")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the search")
        await pilot.pause()
        assert ADDRESS in screen_text(app)
