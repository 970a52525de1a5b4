"""Focus, keys and messages as a person meets them (issue 11 items 6, 7, 10 and 13), each against a fresh
reference backend: what the screen shows after the keys, then what the server holds.

6. a paid-up account: the empty Open tab, `1`, Down, Enter opens the second invoice (no Tab Tab first);
7. Enter in step 1's amount field keeps the amount and shows the new total, without going on;
10. the scheduling dialogs stay open on the server's refusal, with what was typed and the field marked;
13. a message goes once it stops applying: the card limit after Split, a bad link after the right one.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
from textual.widgets import Checkbox, DataTable, Input, RadioButton, RadioSet

from tests.app.conftest import api_get, api_post, make_app, on_home, on_screen, screen_text, wait_for
from tests.app.test_pay_flows import (
    VISA,
    accept,
    choose_bank,
    fill_card,
    open_wizard,
    receipt,
    select_rows,
    to_review,
    type_into,
)
from tests.conftest import login
from tui.money import format_cents
from tui.screens.home import HomeScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.login import LoginScreen
from tui.screens.passwords import SetPasswordScreen
from tui.screens.pay_dialogs import FeeDialog
from tui.screens.schedule_dialogs import ChangeScheduleDialog, ScheduleDialog
from tui.screens.scheduled import ScheduledPaymentsScreen
from tui.widgets.invoice_table import InvoiceTable
from tui.widgets.status_line import StatusLine

SIZE = (100, 40)
SMALL = (80, 24)
DANA = "dana@example.com"
LEE = "lee@example.com"  # a saved Visa and two open invoices


def lee_pays_everything(server, token: str) -> int:
    """Lee pays his balance with his saved Visa over the API: the account is paid up. Its id."""
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    (visa,) = api_get(server, token, f"/v1/accounts/{account_id}/payment-methods")["items"]
    body = {
        "target": {"type": "balance"},
        "parts": [{"method": {"type": "saved", "payment_method_id": visa["id"]}}],
        "receipt_email": LEE,
    }
    quote = api_post(server, token, f"/v1/accounts/{account_id}/payments/quote", body).json()
    response = httpx.post(
        f"{server.base_url}/v1/accounts/{account_id}/payments",
        json=body | {"accepted_fees_cents": quote["fees_cents"], "authorization": {"kind": "online"}},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "paid-up"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    assert api_get(server, token, f"/v1/accounts/{account_id}/summary")["open_count"] == 0
    return account_id


def shown(widget) -> bool:
    return all(node.display for node in widget.ancestors_with_self if hasattr(node, "display"))


# ---- 6. focus on a paid-up account ---------------------------------------------------------------


async def test_a_paid_up_account_opens_an_invoice_with_1_down_enter(pay_server) -> None:
    token = login(pay_server.base_url, LEE)
    account_id = lee_pays_everything(pay_server, token)
    every = api_get(pay_server, token, f"/v1/accounts/{account_id}/invoices", status="all")["items"]
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SMALL) as pilot:
        home = await on_home(pilot)
        await wait_for(pilot, lambda: "No open invoices" in screen_text(app), "the empty Open tab")
        empty = home.query_one("#invoices-open", InvoiceTable)
        await wait_for(pilot, lambda: empty.started and not empty.loading_more, "the Open tab's answer")
        await pilot.pause()
        # Nothing hidden holds the focus: the keys go where the person can see them.
        assert app.focused is None or shown(app.focused), f"{app.focused!r} is focused but hidden"

        await pilot.press("1")
        table = home.query_one("#invoices-all", InvoiceTable)
        await wait_for(pilot, lambda: table.rows and app.focused is table.table, "the All tab's rows focused")
        await pilot.press("down", "enter")
        detail = await on_screen(pilot, InvoiceDetailScreen)
        assert detail.number == every[1]["number"], "the second invoice, as the server lists them"


# ---- 7. Enter in step 1's amount ------------------------------------------------------------------


async def test_enter_in_the_amount_keeps_it_and_shows_the_total_then_ctrl_s_goes_on(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        (invoice,) = await select_rows(
            pilot, home, lambda row: not row.is_multi_site and row.balance_cents > 5000 and row.past_due
        )
        screen = await open_wizard(pilot, "p")
        table = screen.query_one("#pay-invoices", DataTable)
        assert app.focused is table
        await pilot.press("ctrl+e")
        field = screen.query_one("#edit-amount", Input)
        await wait_for(pilot, lambda: app.focused is field, "the amount field")
        field.clear()
        await pilot.press(*"50.00", "enter")
        await wait_for(pilot, lambda: not screen.query_one("#edit-row").display, "the amount kept")
        assert screen.step == "what", "Enter keeps the amount: it does not go on to step 2"
        text = screen_text(app)
        assert "Amount selected $50.00" in text and "$50.00 *" in text
        said = str(screen.query_one("#pay-message", StatusLine).content)
        assert said == f"{invoice.number} pays $50.00; the amount selected is now $50.00. Ctrl+S goes on."
        assert app.focused is table

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await fill_card(pilot, screen, "method-1", VISA)
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
    held = api_get(pay_server, token, f"/v1/invoices/{invoice.id}")
    assert held["balance_cents"] == invoice.balance_cents - 5000
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    assert [(a["invoice_id"], a["amount_cents"]) for a in payment["allocations"]] == [(invoice.id, 5000)]


# ---- 10. the scheduling dialogs keep what was typed on a refusal ----------------------------------


async def test_a_refused_schedule_or_change_keeps_the_dialog_and_marks_the_date(pay_server) -> None:
    token = login(pay_server.base_url, LEE)
    account_id = api_get(pay_server, token, "/v1/me")["accounts"][0]["id"]
    invoices = api_get(pay_server, token, f"/v1/accounts/{account_id}/invoices", status="open")["items"]
    latest = max(invoices, key=lambda row: row["due_on"])
    earliest_due = min(dt.date.fromisoformat(row["due_on"]) for row in invoices)
    path = f"/v1/accounts/{account_id}/scheduled-payments"
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("S")
        screen = await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for(pilot, lambda: screen.today is not None, "the scheduled payments")

        # The balance after the earliest due date: refused by the server (the dialog lets any date by
        # for the balance); its sentence in the dialog, the date marked, the amount and email kept.
        await pilot.press("n")
        dialog = await on_screen(pilot, ScheduleDialog)
        dialog.query_one("#pay-on", Input).value = latest["due_on"]
        await pilot.press("ctrl+s")
        message = dialog.query_one(StatusLine)
        await wait_for(pilot, lambda: message.has_class("-error") and not dialog.busy, "the refusal")
        assert app.screen is dialog
        assert re.fullmatch(
            r"Invoice \S+ is due on \S+: choose that date or an earlier one\.", str(message.content)
        )
        date = dialog.query_one("#pay-on", Input)
        assert date.has_class("-invalid") and app.focused is date and date.value == latest["due_on"]
        assert api_get(pay_server, token, path)["items"] == []

        date.value = earliest_due.isoformat()
        await wait_for(pilot, lambda: not date.has_class("-invalid"), "the mark gone with the change")
        await pilot.press("enter")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for(pilot, lambda: len(screen.items) == 1, "the new row")
        (made,) = api_get(pay_server, token, path)["items"]
        assert made["pay_on"] == earliest_due.isoformat() and made["status"] == "scheduled"

        # Change it to a day after its due date: refused, the dialog open with the date typed.
        await pilot.press("e")
        change = await on_screen(pilot, ChangeScheduleDialog)
        later = (earliest_due + dt.timedelta(days=1)).isoformat()
        change.query_one("#pay-on", Input).value = later
        await pilot.press("enter")
        message = change.query_one(StatusLine)
        await wait_for(pilot, lambda: message.has_class("-error") and not change.busy, "the refusal")
        assert app.screen is change and change.query_one("#pay-on", Input).value == later
        assert change.query_one("#pay-on", Input).has_class("-invalid")
        assert "is due on" in str(message.content)
        await pilot.press("escape")
        await on_screen(pilot, ScheduledPaymentsScreen)
        assert api_get(pay_server, token, path)["items"][0]["pay_on"] == earliest_due.isoformat()


# ---- 13. messages that stop applying go -------------------------------------------------------------


async def test_the_card_limit_goes_when_split_is_ticked(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        screen = await open_wizard(pilot, "m")
        screen.query_one("#amount-choice", RadioSet).query_one("#pay-other", RadioButton).value = True
        await type_into(pilot, screen.query_one("#custom-amount"), "1500.00")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        await fill_card(pilot, screen, "method-1", VISA)
        await pilot.press("ctrl+s")
        line = screen.query_one("#pay-message", StatusLine)
        await wait_for(pilot, lambda: "A card can pay at most" in str(line.content), "the card limit")
        assert screen.step == "how" and line.has_class("-error")

        split = screen.query_one("#split", Checkbox)
        split.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: split.value, "Split ticked")
        await wait_for(pilot, lambda: str(line.content) == "", "the card limit gone")
        assert "at most" not in screen_text(app)

        await type_into(pilot, screen.query_one("#first-amount"), "900")
        await choose_bank(pilot, screen, "method-2")
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
    payment = api_get(pay_server, token, f"/v1/payments/{screen.payment.id}")
    parts = [(part["method"]["type"], part["amount_cents"]) for part in payment["parts"]]
    assert parts == [("card", 90000), ("ach", 60000)], format_cents(payment["amount_cents"])


async def test_a_bad_link_message_goes_when_the_right_link_is_pasted(pay_server) -> None:
    response = httpx.post(f"{pay_server.base_url}/v1/auth/signup", json={"email": LEE}, timeout=5)
    assert response.status_code == 202
    items = httpx.get(f"{pay_server.base_url}/v1/dev/outbox", params={"to": LEE}, timeout=5).json()["items"]
    link = next(
        m.group(0)
        for item in items
        if (m := re.search(r"paydesk://set-password\?token=[\w-]+", item["body"]))
    )
    app = make_app(pay_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        app.push_screen(SetPasswordScreen(LEE))
        screen = await on_screen(pilot, SetPasswordScreen)
        field = screen.query_one("#link", Input)
        await type_into(pilot, field, "paydesk://set-password?token=" + "x" * 43)
        screen.query_one("#password", Input).value = "Okafor-Maple-7"
        screen.query_one("#password-again", Input).value = "Okafor-Maple-7"
        await pilot.press("ctrl+s")
        line = screen.query_one("#set-password-message", StatusLine)
        await wait_for(pilot, lambda: "That link is not valid" in str(line.content), "the bad link refused")
        assert app.focused is field

        field.value = link  # the right one, pasted
        await wait_for(pilot, lambda: str(line.content) == "", "the old message gone")
        assert "not valid" not in screen_text(app)
        await pilot.press("ctrl+s")
        await on_screen(pilot, HomeScreen)
    login_answer = httpx.post(
        f"{pay_server.base_url}/v1/auth/login", json={"email": LEE, "password": "Okafor-Maple-7"}, timeout=5
    )
    assert login_answer.status_code == 200
