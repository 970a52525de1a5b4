"""Scheduled payments: schedule one with a saved method on a date on or before the due date, change its
date, cancel it; a date the server refuses shows its words. The backend is this module's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from textual.widgets import Button, Input, Select

from tests.app.conftest import api_get, make_app, on_home, on_screen, wait_for, wait_for_text
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.money import format_cents
from tui.screens.dialogs import QuestionDialog
from tui.screens.schedule_dialogs import ChangeScheduleDialog, ScheduleDialog, date_problem
from tui.screens.scheduled import ScheduledPaymentsScreen
from tui.widgets.formatting import format_date
from tui.widgets.status_line import StatusLine

SIZE = (100, 40)
LEE = "lee@example.com"  # a saved Visa and two open invoices


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("scheduled")
    with serve_stub(f"sqlite:///{workdir / 'scheduled.db'}", workdir, seed="demo") as stub:
        yield stub


def test_dates_are_checked_against_today_and_the_due_date() -> None:
    today, due = dt.date(2026, 11, 15), dt.date(2026, 11, 22)
    assert date_problem("2026-11-14", today, due) == "Choose today (2026-11-15) or a later date."
    assert date_problem("2026-11-23", today, due) == "Choose a date on or before the due date, 2026-11-22."
    assert date_problem("2026-11-20", today, due) is None
    assert date_problem("20261120", today, due) is not None


def scheduled(server: StubServer, token: str, account_id: int) -> list[dict]:
    return api_get(server, token, f"/v1/accounts/{account_id}/scheduled-payments")["items"]


async def test_schedule_change_and_cancel(server) -> None:
    token = login(server.base_url, LEE)
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    invoices = api_get(server, token, f"/v1/accounts/{account_id}/invoices", status="open")["items"]
    invoice = min(invoices, key=lambda row: row["due_on"])
    due = dt.date.fromisoformat(invoice["due_on"])

    app = make_app(server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("S")
        screen = await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for(pilot, lambda: screen.today is not None, "the scheduled payments")
        await wait_for_text(pilot, "No scheduled payments. Press n to schedule one.")

        await pilot.press("n")
        dialog = await on_screen(pilot, ScheduleDialog)
        dialog.query_one("#what", Select).value = str(invoice["id"])
        # The card's fee in words before anything is scheduled (issue 11 item 1: it was never shown).
        total = format_cents(invoice["balance_cents"] + 175)
        await wait_for_text(pilot, f"Fee: Card convenience fee ($1.75, not refundable). Total: {total}.")
        date = dialog.query_one("#pay-on", Input)
        date.value = (due + dt.timedelta(days=1)).isoformat()
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, f"Choose a date on or before the due date, {due.isoformat()}.")
        assert isinstance(app.screen, ScheduleDialog) and app.focused is date
        pay_on = due - dt.timedelta(days=2)
        date.value = pay_on.isoformat()
        await pilot.press("ctrl+s")
        await wait_for_text(
            pilot, f"Scheduled: {format_cents(invoice['balance_cents'])}, fee $1.75, on {format_date(pay_on)}"
        )
        held = scheduled(server, token, account_id)
        assert [(s["pay_on"], s["status"], s["amount_cents"], s["fees_cents"]) for s in held] == [
            (pay_on.isoformat(), "scheduled", invoice["balance_cents"], 175)
        ]

        # A new date.
        await wait_for(pilot, lambda: len(screen.items) == 1, "the row")
        await pilot.press("e")
        change = await on_screen(pilot, ChangeScheduleDialog)
        new_day = pay_on - dt.timedelta(days=1)
        change.query_one("#pay-on", Input).value = new_day.isoformat()
        await pilot.press("enter")
        await wait_for_text(
            pilot, f"Changed: {format_cents(invoice['balance_cents'])} on {format_date(new_day)}."
        )
        assert scheduled(server, token, account_id)[0]["pay_on"] == new_day.isoformat()

        # Cancel: asked first.
        await pilot.press("x")
        question = await on_screen(pilot, QuestionDialog)
        assert str(question.query_one("#cancel", Button).label) == "Keep it"  # not a second "Cancel"
        await pilot.press("enter")
        await wait_for_text(pilot, "Cancelled the payment of")
        assert scheduled(server, token, account_id)[0]["status"] == "cancelled"
        await wait_for(
            pilot, lambda: screen.items and screen.items[0].status == "cancelled", "the new status"
        )

        # The balance on a date the server refuses (after the earliest due date): its own words in the
        # dialog, which stays open with the date marked and everything typed (issue 11 item 10: it
        # closed and lost it all).
        await pilot.press("n")
        dialog = await on_screen(pilot, ScheduleDialog)
        date = dialog.query_one("#pay-on", Input)
        date.value = "2026-12-31"
        receipt = dialog.query_one("#receipt-email", Input)
        receipt.value = "lee.receipts@example.com"
        await pilot.press("ctrl+s")
        message = dialog.query_one(StatusLine)
        await wait_for(pilot, lambda: message.has_class("-error") and not dialog.busy, "the refusal")
        assert isinstance(app.screen, ScheduleDialog), "a refusal keeps the dialog open"
        said = str(message.content)
        assert "is due on" in said and said.startswith("Invoice ")
        assert date.has_class("-invalid") and app.focused is date
        assert date.value == "2026-12-31" and receipt.value == "lee.receipts@example.com"
        assert len(scheduled(server, token, account_id)) == 1

        # Fixed in place: the mark goes with the new date, and the payment is saved.
        date.value = ""
        await pilot.press(*(due - dt.timedelta(days=1)).isoformat())
        assert not date.has_class("-invalid")
        await pilot.press("enter")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for_text(pilot, "Scheduled: ")
        held = scheduled(server, token, account_id)
        assert len(held) == 2
        new = next(s for s in held if s["status"] == "scheduled")
        assert new["pay_on"] == (due - dt.timedelta(days=1)).isoformat()
        assert new["receipt_email"] == "lee.receipts@example.com"
