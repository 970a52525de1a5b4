"""Snapshots of the clerk console at 80x24 (a fresh demo backend each: the demo clock is fixed, and
nothing shown carries a token or a wall-clock time; the audit view's real times are pinned).
Update with `pytest tests/app/test_clerk_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from tests.app.conftest import api_get, api_post, make_app, on_screen, wait_for
from tests.app.test_snapshots import drawn
from tests.conftest import login
from tui.api import AccountMatch
from tui.screens.clerk import audit
from tui.screens.clerk.account import CustomerScreen
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.lock import LockScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.clerk.wrap_up import WrapUpDialog
from tui.widgets.invoice_table import InvoiceTable

SMALL = (80, 24)
CLERK = "clerk@example.com"


@pytest.fixture
def clerk(pay_server) -> str:
    return login(pay_server.base_url, CLERK)


async def _searched(pilot) -> ClerkSearchScreen:
    search = await on_screen(pilot, ClerkSearchScreen)
    search.query_one("#account-number", Input).focus()
    await pilot.press(*"4100012345", *"whitfield", "enter")
    return search


async def _identity(pilot) -> IdentityCheckScreen:
    await _searched(pilot)
    identity = await on_screen(pilot, IdentityCheckScreen)
    await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
    return identity


async def _customer(pilot) -> CustomerScreen:
    await _identity(pilot)
    await pilot.press("enter")
    screen = await on_screen(pilot, CustomerScreen)
    table = screen.query_one(InvoiceTable)
    await wait_for(
        pilot,
        lambda: not screen.query_one("#notes").loading and screen.payments and drawn(table.table),
        "the 360 drawn",
    )
    await pilot.pause()
    return screen


def test_clerk_search_with_its_row(snap_compare, pay_server, clerk) -> None:
    async def ready(pilot) -> None:
        search = await _searched(pilot)
        await on_screen(pilot, IdentityCheckScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is search, "back to the search")
        await wait_for(pilot, lambda: drawn(search.query_one("#results", DataTable)), "the row drawn")
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)


def test_identity_check(snap_compare, pay_server, clerk) -> None:
    async def ready(pilot) -> None:
        await _identity(pilot)
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)


def test_customer_360(snap_compare, pay_server, clerk) -> None:
    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=_customer, terminal_size=SMALL)


def test_customer_360_scrolled_to_the_notes(snap_compare, pay_server, clerk) -> None:
    async def ready(pilot) -> None:
        await _customer(pilot)
        await pilot.press("end")
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)


def test_wrap_up(snap_compare, pay_server, clerk) -> None:
    async def ready(pilot) -> None:
        await _customer(pilot)
        await pilot.press("w")
        await on_screen(pilot, WrapUpDialog)
        await pilot.press(*"Asked about the past due bill")
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)


def test_lock(snap_compare, pay_server, clerk) -> None:
    async def ready(pilot) -> None:
        await _customer(pilot)
        pilot.app.lock("Locked after a spell without a key.")
        await on_screen(pilot, LockScreen)
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)


def test_audit(snap_compare, pay_server, clerk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "clock_time", lambda at: "10:00:00")  # the real time, pinned
    (item,) = api_get(pay_server, clerk, "/v1/clerk/accounts", email="dana@example.com")["items"]
    dana = AccountMatch.model_validate(item)
    check = {"checked": ["name", "service_address", "phone_last4"], "passed": True}
    assert api_post(pay_server, clerk, f"/v1/accounts/{dana.id}/identity-checks", check).status_code == 201

    async def ready(pilot) -> None:
        await on_screen(pilot, ClerkSearchScreen)
        pilot.app.push_screen(audit.AuditScreen(dana))
        screen = await on_screen(pilot, audit.AuditScreen)
        trail = screen.query_one("#account-trail", DataTable)
        await wait_for(pilot, lambda: drawn(trail) and not trail.loading, "the trail drawn")
        await wait_for(pilot, lambda: pilot.app.focused is trail, "the trail focused")
        await pilot.pause()

    assert snap_compare(make_app(pay_server.base_url, clerk), run_before=ready, terminal_size=SMALL)
