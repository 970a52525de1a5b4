"""Every screen is drawn with its data, asked for the moment the screen is made (issue 11, tui/api/early.py),
and never stale: what a payment, the demo clock or an autopay change made elsewhere changed shows when the
screen is opened again (issue 11 item 2). An early request that failed still says so, and its retry asks
the server again.
"""

from __future__ import annotations

import datetime as dt

import httpx

from tests.app.conftest import api_get, api_post, make_app, on_home, on_screen, wait_for, wait_for_text
from tests.app.test_focus_and_stale_messages import lee_pays_everything
from tests.conftest import login
from tui.api import PaydeskClient, ServerUnavailable
from tui.api.early import EarlyAnswer
from tui.money import format_cents
from tui.screens.home import HomeScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.pay import PayScreen
from tui.screens.payment_history import PaymentHistoryScreen
from tui.screens.payment_methods import PaymentMethodsScreen
from tui.screens.scheduled import ScheduledPaymentsScreen
from tui.screens.settings import SettingsScreen
from tui.screens.statement import StatementScreen
from tui.screens.unavailable import UnavailableScreen
from tui.widgets.formatting import format_date

SIZE = (100, 40)
LEE = "lee@example.com"  # autopay on with a saved Visa 4242, two open invoices, twelve payments


async def back_home(pilot) -> HomeScreen:
    await pilot.press("escape")
    return await on_home(pilot)


async def test_each_screen_opens_with_the_servers_data(live_server, tokens) -> None:
    server, token = live_server, tokens[LEE]
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    summary = api_get(server, token, f"/v1/accounts/{account_id}/summary")
    payments = api_get(server, token, f"/v1/accounts/{account_id}/payments", limit=50)
    (visa,) = api_get(server, token, f"/v1/accounts/{account_id}/payment-methods")["items"]
    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        home = await on_home(pilot)

        await pilot.press("m")
        await on_screen(pilot, PayScreen)
        await wait_for_text(pilot, f"Balance due ({format_cents(summary['balance_due_cents'])})")
        await wait_for_text(pilot, "Step 1 of 3")
        home = await back_home(pilot)

        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        await wait_for_text(pilot, f"{len(payments['items'])} of {payments['total_count']} loaded")
        await wait_for_text(pilot, payments["items"][0]["confirmation_number"])
        home = await back_home(pilot)

        first = home.current_table().rows[0]
        await pilot.press("enter")
        detail = await on_screen(pilot, InvoiceDetailScreen)
        invoice = api_get(server, token, f"/v1/invoices/{first.id}")
        await wait_for(pilot, lambda: detail.invoice is not None, "the invoice")
        await wait_for_text(pilot, invoice["line_items"][0]["description"])
        home = await back_home(pilot)

        await pilot.press("t")
        await on_screen(pilot, StatementScreen)
        await wait_for_text(pilot, "entries loaded")
        await wait_for_text(pilot, "Opening balance $")
        home = await back_home(pilot)

        await pilot.press("s")
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, "Autopay is on")
        await wait_for_text(pilot, LEE)
        home = await back_home(pilot)

        await pilot.press("S")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for_text(pilot, "No scheduled payments")
        home = await back_home(pilot)

        await pilot.press("w")
        await on_screen(pilot, PaymentMethodsScreen)
        await wait_for_text(pilot, f"•••• {visa['last4']}")


async def test_screens_opened_again_show_what_changed_elsewhere(pay_server) -> None:
    server = pay_server
    token = login(server.base_url, LEE)
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    app = make_app(server.base_url, token, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await on_home(pilot)

        # Settings, then autopay turned off elsewhere: opened again, settings says it is off.
        await pilot.press("s")
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, "Autopay is on")
        await back_home(pilot)
        response = httpx.put(
            f"{server.base_url}/v1/accounts/{account_id}/autopay",
            json={"enabled": False},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        await pilot.press("s")
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, "Autopay is off")
        await back_home(pilot)

        # The history, then a payment made elsewhere: opened again, the history and step 1 show it.
        history = api_get(server, token, f"/v1/accounts/{account_id}/payments", limit=50)
        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        await wait_for_text(pilot, f"{history['total_count']} of {history['total_count']} loaded")
        await back_home(pilot)
        lee_pays_everything(server, token)
        newest = api_get(server, token, f"/v1/accounts/{account_id}/payments", limit=50)["items"][0]
        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        total = history["total_count"] + 1
        await wait_for_text(pilot, f"{total} of {total} loaded")
        await wait_for_text(pilot, newest["confirmation_number"])
        await back_home(pilot)
        await pilot.press("m")
        await on_screen(pilot, PayScreen)
        await wait_for_text(pilot, "Balance due ($0.00)")
        await back_home(pilot)

        # The statement, then the demo clock moved elsewhere: opened again, its range ends on the new today.
        before = dt.date.fromisoformat(api_get(server, token, f"/v1/accounts/{account_id}/summary")["today"])
        await pilot.press("t")
        statement = await on_screen(pilot, StatementScreen)
        await wait_for(pilot, lambda: statement.end == before, "the statement up to today")
        await back_home(pilot)
        # Home has not asked since (no screen closed over it): the statement's first guess is the old today.
        moved = api_post(server, token, "/v1/dev/clock", {"advance_days": 3}).json()["today"]
        new_today = dt.date.fromisoformat(moved)
        await pilot.press("t")
        statement = await on_screen(pilot, StatementScreen)
        await wait_for_text(pilot, "entries loaded")
        await wait_for(pilot, lambda: statement.end == new_today, "the range up to the new today")
        assert statement.query_one("#to").value == moved
        assert statement.today == new_today
        await back_home(pilot)
        await wait_for_text(pilot, f"as of {format_date(new_today)}")


async def test_a_failed_early_request_shows_and_its_retry_asks_again(
    live_server, tokens, monkeypatch
) -> None:
    server, token = live_server, tokens[LEE]
    asked: list[int] = []
    real = PaydeskClient.payment_methods

    async def away_once(self: PaydeskClient, account_id: int):  # type: ignore[no-untyped-def]
        asked.append(account_id)
        if len(asked) == 1:
            raise ServerUnavailable("Cannot reach the Paydesk server. Check your connection and try again.")
        return await real(self, account_id)

    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        await on_home(pilot)
        monkeypatch.setattr(PaydeskClient, "payment_methods", away_once)
        await pilot.press("w")
        await on_screen(pilot, UnavailableScreen)
        await wait_for_text(pilot, "Cannot reach the Paydesk server")
        await pilot.press("r")
        await on_screen(pilot, PaymentMethodsScreen)
        await wait_for_text(pilot, "Visa •••• 4242")
        assert len(asked) == 2, "the retry asked the server again"


async def test_an_early_answer_is_taken_once_then_asked_again() -> None:
    """What a retry, `r` or a screen opened again gets is the server's answer now, never the first one."""

    calls: list[str] = []

    async def ask() -> str:
        calls.append("asked")
        return "answer"

    early = EarlyAnswer(ask)  # a loop runs here (pytest-asyncio): sent now, taken once
    assert await early.take() == "answer"
    assert await early.take() == "answer"
    assert calls == ["asked", "asked"], "a second take asks again: an answer is never reused"
