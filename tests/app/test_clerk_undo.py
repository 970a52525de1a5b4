"""Void and refund from payment history, as a clerk does them (a fresh demo backend per test: undoing
changes data): what the dialogs say and send, their refusals in place, and what history, the statement
and the server hold afterwards. A customer sees the statuses, never the actions.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from tests.app.clerk_pay import (
    CLERK,
    DANA,
    VISA,
    find_account,
    identity_check,
    post_with_key,
    signed_in,
    widget_text,
)
from tests.app.conftest import (
    api_get,
    api_post,
    make_app,
    on_screen,
    screen_text,
    wait_for,
    wait_for_text,
)
from tests.app.palette import palette_names
from tests.conftest import login
from tests.support.stub import StubServer
from tui.api import MethodSummary
from tui.money import format_cents
from tui.screens.payment_history import PaymentHistoryScreen
from tui.screens.statement import StatementScreen
from tui.screens.undo_dialogs import RefundDialog, VoidDialog
from tui.widgets.formatting import without_reference

SMALL = (80, 24)


def pay_by_card_today(server: StubServer, dana_token: str, account_id: int) -> dict[str, Any]:
    """Dana pays her past-due invoice online by card: a card payment of today."""
    invoices = api_get(server, dana_token, f"/v1/accounts/{account_id}/invoices", status="open")["items"]
    invoice = next(row for row in invoices if row["past_due"])
    body = {
        "target": {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
        "parts": [
            {
                "method": {
                    "type": "card",
                    "number": VISA,
                    "exp_month": 12,
                    "exp_year": 2030,
                    "cvc": "123",
                    "name": "Dana Whitfield",
                    "postal_code": "97405",
                }
            }
        ],
        "accepted_fees_cents": 175,
        "receipt_email": DANA,
        "authorization": {"kind": "online"},
    }
    response = post_with_key(server, dana_token, f"/v1/accounts/{account_id}/payments", body)
    assert response.status_code == 201, response.text
    return response.json()


def settled_card_payment(server: StubServer, token: str, account_id: int) -> dict[str, Any]:
    items = api_get(server, token, f"/v1/accounts/{account_id}/payments", limit=50)["items"]
    return next(p for p in items if p["status"] == "succeeded" and p["parts"][0]["method"]["type"] == "card")


async def history_on(pilot, account, payment_id: int) -> PaymentHistoryScreen:
    """The account's history, the cursor on the payment."""
    await signed_in(pilot)
    pilot.app.push_screen(PaymentHistoryScreen(account))
    screen = await on_screen(pilot, PaymentHistoryScreen)
    await wait_for(pilot, lambda: screen.payments, "the history")
    table = screen.query_one("#history", DataTable)
    table.move_cursor(row=table.get_row_index(str(payment_id)))
    await wait_for(pilot, lambda: screen.selected is not None and screen.selected.id == payment_id, "row")
    return screen


def row_of(screen: PaymentHistoryScreen, payment_id: int) -> list[str]:
    table = screen.query_one("#history", DataTable)
    return [str(cell) for cell in table.get_row(str(payment_id))]


async def statement_shows(pilot, server: StubServer, token: str, account, kind: str) -> list[dict[str, Any]]:
    """Open the statement: the server's lines of `kind` are its last rows, cell for cell, their money
    whole on screen at 80 columns (the words are cut there, never the amounts). Returns those lines."""
    app = pilot.app
    app.push_screen(StatementScreen(account))
    statement = await on_screen(pilot, StatementScreen)
    await wait_for(pilot, lambda: statement.statement is not None and statement.loaded, "the statement")
    page = api_get(
        server,
        token,
        f"/v1/accounts/{account.id}/statement",
        **{"from": statement.start.isoformat(), "to": statement.end.isoformat()},
    )
    lines = [item for item in page["items"] if item["kind"] == kind]
    assert lines and page["items"][-len(lines) :] == lines, "the newest lines are today's undo"
    table = statement.query_one("#statement", DataTable)
    table.move_cursor(row=table.row_count - 1)
    await pilot.pause()
    text = screen_text(app)
    for offset, line in enumerate(lines):
        row = table.row_count - len(lines) + offset
        cells = [str(cell) for cell in table.get_row_at(row)]
        money = [format_cents(line["amount_cents"]), format_cents(line["balance_cents"])]
        # The words leave out the reference the next column shows when they are too long for 80 columns;
        # the cursor's line shows them in full under the table.
        words = without_reference(line["description"], line["reference"], statement.description_width)
        assert cells[1:] == [words, line["reference"], *money]
        assert statement.descriptions[row] == line["description"]
        assert any(
            line["reference"] in shown and all(m in shown for m in money) for shown in text.splitlines()
        )
    assert format_cents(page["closing_balance_cents"]) in text
    await wait_for_text(pilot, lines[-1]["description"])  # the highlighted line, in full
    return lines


async def test_a_clerk_voids_a_card_payment_of_today(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana_token = login(pay_server.base_url, DANA)
    dana = find_account(pay_server, clerk)
    payment = pay_by_card_today(pay_server, dana_token, dana.id)
    identity_check(pay_server, clerk, dana.id)
    balance_before = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")["balance_due_cents"]
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        history = await history_on(pilot, dana, payment["id"])
        await wait_for(pilot, lambda: history.today is not None, "the server's today")
        # Made today and settled at once: both are offered (a void takes nothing, fee included).
        assert history.check_action("void", ()) is True and history.check_action("refund", ()) is True
        await pilot.press("v")
        dialog = await on_screen(pilot, VoidDialog)
        text = widget_text(app, dialog.query_one(".undo-dialog"))
        assert f"Void payment {payment['confirmation_number']}" in text
        assert "fee are voided: nothing is taken from Visa •••• 4242" in text
        assert payment["allocations"][0]["number"] in text and "open again" in text

        await pilot.press("enter")  # no reason: refused here, nothing sent
        await wait_for_text(pilot, "Enter the reason")
        assert app.screen is dialog and app.focused is dialog.query_one("#reason")
        await pilot.press(*"Wrong amount", "enter")
        await wait_for(pilot, lambda: app.screen is history, "the dialog closed")
        await wait_for(pilot, lambda: "Voided" in row_of(history, payment["id"]), "Voided in history")
        await wait_for_text(pilot, f"Voided payment {payment['confirmation_number']}")

        # The statement: the payment reversed and its fee not charged, the running balance right.
        lines = await statement_shows(pilot, pay_server, clerk, dana, "void")
        assert sum(line["amount_cents"] for line in lines) == payment["amount_cents"]

    held = api_get(pay_server, clerk, f"/v1/payments/{payment['id']}")
    assert held["status"] == "voided" and held["void_reason"] == "Wrong amount" and held["voided_at"]
    summary = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")
    assert summary["balance_due_cents"] == balance_before + payment["amount_cents"]


async def test_a_clerk_refunds_part_of_a_settled_card_payment(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana = find_account(pay_server, clerk)
    identity_check(pay_server, clerk, dana.id)
    settled = settled_card_payment(pay_server, clerk, dana.id)
    left = settled["amount_cents"]  # its fee is not refundable
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        history = await history_on(pilot, dana, settled["id"])
        await wait_for(pilot, lambda: history.today is not None, "the server's today")
        assert history.check_action("refund", ()) is True and history.check_action("void", ()) is None
        await pilot.press("f")
        dialog = await on_screen(pilot, RefundDialog)
        amount = dialog.query_one("#amount", Input)
        assert app.focused is amount and amount.value == f"{left / 100:.2f}"  # all that is left
        text = widget_text(app, dialog.query_one(".undo-dialog"))
        card = MethodSummary.model_validate(settled["parts"][0]["method"]).label
        assert f"{format_cents(left)} goes back to {card}" in text
        assert "fee is not refundable" in text and f"Refund {format_cents(left)}" in text

        # More than is left: the server refuses, the dialog stays open, the amount marked.
        amount.value = f"{(left + 1) / 100:.2f}"
        await pilot.press("enter")  # on to the reason
        await wait_for(pilot, lambda: app.focused is dialog.query_one("#reason"), "the reason field")
        await pilot.press(*"Billing error", "enter")
        await wait_for_text(pilot, f"At most {format_cents(left)} of this payment can be refunded.")
        assert app.screen is dialog and app.focused is amount and amount.has_class("-invalid")

        amount.value = "20.00"
        await wait_for_text(pilot, "Refund $20.00")
        assert "partially refunded" in widget_text(app, dialog.query_one(".undo-dialog"))
        dialog.query_one("#ok").press()
        await wait_for(pilot, lambda: app.screen is history, "the dialog closed")
        await wait_for(
            pilot,
            lambda: "Refunded $20.00" in row_of(history, settled["id"]),
            "Part refunded in history",
        )

        # The statement shows the refund the server sends, with its running balance.
        (line,) = await statement_shows(pilot, pay_server, clerk, dana, "refund")
        assert line["amount_cents"] == 2000 and line["reference"] == settled["confirmation_number"]

    held = api_get(pay_server, clerk, f"/v1/payments/{settled['id']}")
    assert held["status"] == "partially_refunded" and held["refunded_cents"] == 2000
    (refund,) = held["refunds"]
    assert refund["amount_cents"] == 2000 and refund["reason"] == "Billing error"


async def test_too_late_to_void_is_said_in_the_dialog(pay_server) -> None:
    """The day ends while the dialog is open: the server refuses, the dialog says why and stays."""
    clerk = login(pay_server.base_url, CLERK)
    dana_token = login(pay_server.base_url, DANA)
    dana = find_account(pay_server, clerk)
    payment = pay_by_card_today(pay_server, dana_token, dana.id)
    identity_check(pay_server, clerk, dana.id)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await history_on(pilot, dana, payment["id"])
        await pilot.press("v")
        dialog = await on_screen(pilot, VoidDialog)
        moved = api_post(pay_server, clerk, "/v1/dev/clock", {"advance_days": 1})
        assert moved.status_code == 200, moved.text
        await pilot.press(*"Duplicate", "enter")
        await wait_for_text(pilot, "refund it instead")
        assert app.screen is dialog
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentHistoryScreen), "back to history")
    assert api_get(pay_server, clerk, f"/v1/payments/{payment['id']}")["status"] == "succeeded"


async def test_a_customer_sees_the_statuses_but_never_the_actions(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana_token = login(pay_server.base_url, DANA)
    dana = find_account(pay_server, clerk)
    payment = pay_by_card_today(pay_server, dana_token, dana.id)
    identity_check(pay_server, clerk, dana.id)
    voided = post_with_key(pay_server, clerk, f"/v1/payments/{payment['id']}/void", {"reason": "Paid twice"})
    assert voided.status_code == 200, voided.text
    app = make_app(pay_server.base_url, dana_token)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        history = await history_on(pilot, dana, payment["id"])
        assert history.check_action("void", ()) is False and history.check_action("refund", ()) is False
        names = await palette_names(history)
        assert "Void" not in names and "Refund" not in names
        await pilot.press("v", "f")
        assert app.screen is history
        text = screen_text(app)
        assert "Void" not in text.replace("Voided", "") and "Refund" not in text
