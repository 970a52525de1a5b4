"""Snapshots of the self-service screens at 80x24, against the shared demo backend (nothing is changed).

Update with `pytest tests/app --snapshot-update`.
"""

from __future__ import annotations

from tests.app.conftest import make_app, on_home, on_screen, wait_for
from tui.screens.contact import ContactScreen
from tui.screens.guest import GuestLookupScreen
from tui.screens.login import LoginScreen
from tui.screens.passwords import SetPasswordScreen
from tui.screens.settings import SettingsScreen
from tui.screens.statement import StatementScreen

SMALL = (80, 24)
DANA = "dana@example.com"


def test_settings(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await on_home(pilot)
        await pilot.press("s")
        screen = await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: screen.account is not None, "the settings")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url, tokens[DANA]), run_before=ready, terminal_size=SMALL)


def test_statement(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await on_home(pilot)
        await pilot.press("t")
        screen = await on_screen(pilot, StatementScreen)
        await wait_for(pilot, lambda: screen.statement is not None and not screen.loading_more, "the rows")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url, tokens[DANA]), run_before=ready, terminal_size=SMALL)


def test_contact(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:
        await on_home(pilot)
        await pilot.press("c")
        await on_screen(pilot, ContactScreen)
        await pilot.press(*"Meter reading")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url, tokens[DANA]), run_before=ready, terminal_size=SMALL)


def test_set_password(snap_compare, live_server) -> None:
    async def ready(pilot) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.app.push_screen(SetPasswordScreen("sam@example.com"))  # nothing is sent
        screen = await on_screen(pilot, SetPasswordScreen)
        screen.query_one("#link").value = "paydesk://set-password?token=" + "x" * 43
        screen.query_one("#password").focus()
        await pilot.press(*"Juniper")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url), run_before=ready, terminal_size=SMALL)


def test_guest_lookup(snap_compare, live_server) -> None:
    async def ready(pilot) -> None:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+g")
        screen = await on_screen(pilot, GuestLookupScreen)
        screen.query_one("#guest-account-number").value = "4100012345"
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url), run_before=ready, terminal_size=SMALL)
