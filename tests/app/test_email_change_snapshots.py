"""Snapshots at 80x24 of the email change's confirm step: Settings waiting for the code, and the code
dialog. A fresh backend each (the change is asked for over the API first).

Update with `pytest tests/app/test_email_change_snapshots.py --snapshot-update`, after looking at them.
"""

from __future__ import annotations

import httpx

from tests.app.conftest import api_get, make_app, on_home, on_screen, wait_for
from tests.conftest import login
from tui.screens.email_dialogs import EmailCodeDialog
from tui.screens.settings import SettingsScreen

SMALL = (80, 24)
DANA = "dana@example.com"
NEW = "dana.new@example.net"


def ask_for_new_email(server, token: str) -> None:
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    response = httpx.patch(
        f"{server.base_url}/v1/accounts/{account_id}",
        json={"email": NEW},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text


async def waiting_settings(pilot) -> SettingsScreen:
    await on_home(pilot)
    await pilot.press("s")
    screen = await on_screen(pilot, SettingsScreen)
    await wait_for(pilot, lambda: screen.account is not None, "the settings")
    await wait_for(pilot, lambda: screen.query_one("#pending-email").display, "the waiting state")
    await pilot.pause()
    return screen


def test_settings_waiting_for_the_email_code(snap_compare, pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    ask_for_new_email(pay_server, token)

    async def ready(pilot) -> None:
        await waiting_settings(pilot)

    assert snap_compare(make_app(pay_server.base_url, token), run_before=ready, terminal_size=SMALL)


def test_email_code_dialog(snap_compare, pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    ask_for_new_email(pay_server, token)

    async def ready(pilot) -> None:
        await waiting_settings(pilot)
        await pilot.press("ctrl+o")
        dialog = await on_screen(pilot, EmailCodeDialog)
        await wait_for(pilot, lambda: pilot.app.focused is dialog.query_one("#email-code"), "the code field")
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, token), run_before=ready, terminal_size=SMALL)
