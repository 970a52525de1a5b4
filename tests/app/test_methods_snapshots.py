"""Snapshots of Payment methods at 80x24 against the shared demo backend (nothing is changed): Lee's saved
Visa that autopay pays with, and the form that adds a card with a number typed (masked but its last 4).

Update with `pytest tests/app/test_methods_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from tests.app.conftest import make_app, on_home, on_screen, wait_for
from tui.screens.method_dialogs import AddMethodDialog
from tui.screens.payment_methods import PaymentMethodsScreen

SMALL = (80, 24)
LEE = "lee@example.com"


async def _methods(pilot) -> PaymentMethodsScreen:  # type: ignore[no-untyped-def]
    await on_home(pilot)
    await pilot.press("w")
    screen = await on_screen(pilot, PaymentMethodsScreen)
    await wait_for(pilot, lambda: screen.methods and screen.focused is not None, "the methods")
    return screen


def test_payment_methods(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await _methods(pilot)
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url, tokens[LEE]), run_before=ready, terminal_size=SMALL)


def test_add_a_card(snap_compare, live_server, tokens) -> None:
    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await _methods(pilot)
        await pilot.press("c")
        await on_screen(pilot, AddMethodDialog)
        await pilot.press(*"5555555555554444", "tab", *"1230")
        await pilot.pause()

    assert snap_compare(make_app(live_server.base_url, tokens[LEE]), run_before=ready, terminal_size=SMALL)
