"""Home is never stale (issue 11 item 2): what the demo clock, a job or a payment made elsewhere changed
while another screen was open shows when the person comes back, with no key pressed, drawn over what was
there (no loading state) and with the tab and the invoice under the cursor kept.
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
from textual.widgets import Input

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tests.conftest import login
from tui.money import format_cents
from tui.screens.demo_clock import DemoClockDialog
from tui.screens.home import HomeScreen
from tui.screens.payment_history import PaymentHistoryScreen
from tui.screens.scheduled import ScheduledPaymentsScreen
from tui.widgets.balance_card import BalanceCard
from tui.widgets.formatting import format_date

LEE = "lee@example.com"  # autopay with a saved Visa 4242, two open invoices


def watch_loading(home: HomeScreen) -> list[str]:
    """Every time the balance card or a tab's table shows a loading state from now on."""
    seen: list[str] = []
    card = home.query_one(BalanceCard)
    home.watch(card, "loading", lambda on: on and seen.append("card"), init=False)
    for table in home.query("InvoiceTable DataTable"):
        home.watch(table, "loading", lambda on: on and seen.append("table"), init=False)
    return seen


def figures(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The balance card's values as on screen: Balance Due, Past Due, In Progress, credit, next due."""
    lines = screen_text(app).splitlines()
    heading = next(i for i, line in enumerate(lines) if "Balance Due" in line and "Past Due" in line)
    return lines[heading + 1].split()


def cursor_invoice(home: HomeScreen) -> str | None:
    table = home.current_table()
    row = table.current_row() if table is not None else None
    return row.number if row is not None else None


async def test_back_from_another_screen_home_shows_what_the_clock_and_a_payment_changed(pay_server) -> None:
    token = login(pay_server.base_url, LEE)
    account_id = api_get(pay_server, token, "/v1/me")["accounts"][0]["id"]
    before = api_get(pay_server, token, f"/v1/accounts/{account_id}/summary")
    today = dt.date.fromisoformat(before["today"])
    open_rows = api_get(pay_server, token, f"/v1/accounts/{account_id}/invoices", status="open")["items"]
    first_due = min(dt.date.fromisoformat(row["due_on"]) for row in open_rows)
    days = (first_due - today).days + 1  # past the first due date: autopay runs, the figures change

    app = make_app(pay_server.base_url, token, demo=True)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        home = await on_home(pilot)
        await pilot.press("1")  # the All tab: the same invoices before and after, new statuses
        await wait_for(pilot, lambda: home.current_table().rows and cursor_invoice(home), "the All tab")
        await pilot.press("down")
        kept = cursor_invoice(home)
        assert kept is not None
        seen = watch_loading(home)

        # The demo clock moves while the scheduled payments are open.
        await pilot.press("S")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await pilot.press("f3")
        dialog = await on_screen(pilot, DemoClockDialog)
        field = dialog.query_one("#clock-days", Input)
        field.value = ""
        await pilot.press(*str(days), "enter")
        moved = today + dt.timedelta(days=days)
        await wait_for_text(pilot, f"The demo clock now reads {format_date(moved)}.")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await pilot.press("escape")

        after = api_get(pay_server, token, f"/v1/accounts/{account_id}/summary")
        assert after["today"] == moved.isoformat()
        assert (after["balance_due_cents"], after["past_due_cents"]) != (
            before["balance_due_cents"],
            before["past_due_cents"],
        )
        await wait_for_text(pilot, f"as of {format_date(moved)}")
        await wait_for(
            pilot,
            lambda: (
                figures(app)[:2]
                == [format_cents(after["balance_due_cents"]), format_cents(after["past_due_cents"])]
            ),
            "the new balance due and past due",
        )
        rows = api_get(pay_server, token, f"/v1/accounts/{account_id}/invoices", status="all", limit=100)
        await wait_for(
            pilot,
            lambda: (
                {r.number: r.status for r in home.current_table().rows}
                == {r["number"]: r["status"] for r in rows["items"]}
            ),
            "the invoices as the server has them",
        )
        assert app.screen is home and home.query_one("#tabs").active == "all"
        assert cursor_invoice(home) == kept
        assert seen == [], f"a loading state showed: {seen}"

        # A payment made elsewhere (the API) while the history is open.
        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        visa = api_get(pay_server, token, f"/v1/accounts/{account_id}/payment-methods")["items"][0]
        balance = after["balance_due_cents"]
        assert balance > 0
        response = httpx.post(
            f"{pay_server.base_url}/v1/accounts/{account_id}/payments",
            json={
                "target": {"type": "balance"},
                "parts": [{"method": {"type": "saved", "payment_method_id": visa["id"]}}],
                "accepted_fees_cents": 175,
                "receipt_email": LEE,
            },
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        await pilot.press("escape")
        await on_screen(pilot, HomeScreen)
        await wait_for(
            pilot,
            lambda: figures(app)[:2] == ["$0.00", "$0.00"],
            "Balance Due $0.00 on home",
        )
        await wait_for(
            pilot,
            lambda: all(row.balance_cents == 0 for row in home.current_table().rows),
            "every invoice paid in the table",
        )
        assert cursor_invoice(home) == kept
        # The Open tab, seen before both changes, asks again when shown: its rows are gone.
        await pilot.press("2")
        await wait_for_text(pilot, "No open invoices — you're all paid up.")
        assert seen == [], f"a loading state showed: {seen}"


async def test_a_dialog_over_home_asks_nothing_again(live_server, tokens) -> None:
    """The command palette (or a question) over home changes nothing: home does not ask the server again."""
    app = make_app(live_server.base_url, tokens[LEE])
    async with app.run_test(size=(100, 40)) as pilot:
        home = await on_home(pilot)
        asked: list[int] = []
        real = app.client.summary

        async def counting(account_id: int):  # type: ignore[no-untyped-def]
            asked.append(account_id)
            return await real(account_id)

        app.client.summary = counting  # type: ignore[method-assign]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen is not home, "the palette")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "home again")
        await pilot.pause()
        assert asked == []
        # A full screen, though, is a way out of home: coming back asks once.
        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: asked == [home.account.id], "one summary")
