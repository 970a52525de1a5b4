"""The clerk's void and refund dialogs on a split payment name each part (issue 11): its method, its
amount and what will happen to it, in words, before the clerk confirms; the card part of a split whose bank
part was returned is refunded from history, and the server holds the refund while the return stays.
A fresh demo backend per test (undoing changes data)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tests.app.clerk_pay import CLERK, DANA, VISA, find_account, identity_check, post_with_key, widget_text
from tests.app.conftest import api_get, api_post, make_app, on_screen, wait_for, wait_for_text
from tests.app.test_clerk_undo import history_on, row_of
from tests.conftest import login
from tests.support.stub import StubServer
from tui.money import format_cents
from tui.screens.undo_dialogs import RefundDialog, VoidDialog

SMALL = (80, 24)
CARD_CENTS = 10_000
R01 = "000222222227"  # the bank returns it at settlement: insufficient funds
SETTLES = "000123456789"


def split_payment(server: StubServer, token: str, account_id: int, bank_account: str) -> dict[str, Any]:
    """Dana pays her whole balance online: $100.00 by Visa 4242, the rest from her bank account."""
    due = api_get(server, token, f"/v1/accounts/{account_id}/summary")["balance_due_cents"]
    visa = {
        "type": "card",
        "number": VISA,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "123",
        "name": "Dana Whitfield",
        "postal_code": "97405",
    }
    bank = {
        "type": "ach",
        "routing_number": "110000000",
        "account_number": bank_account,
        "account_type": "checking",
        "holder_name": "Dana Whitfield",
    }
    body = {
        "target": {"type": "amount", "amount_cents": due},
        "parts": [{"amount_cents": CARD_CENTS, "method": visa}, {"method": bank}],
        "accepted_fees_cents": 175,
        "receipt_email": DANA,
        "authorization": {"kind": "online"},
    }
    response = post_with_key(server, token, f"/v1/accounts/{account_id}/payments", body)
    assert response.status_code == 201, response.text
    return response.json()


def returned_split(server: StubServer, clerk: str) -> tuple[Any, dict[str, Any]]:
    """A split whose bank part the bank returned (R01): the clock moved past its settlement."""
    dana_token = login(server.base_url, DANA)
    dana = find_account(server, clerk)
    paid = split_payment(server, dana_token, dana.id, R01)
    moved = api_post(server, clerk, "/v1/dev/clock", {"advance_days": 5})
    assert moved.status_code == 200, moved.text
    returned = api_get(server, clerk, f"/v1/payments/{paid['id']}")
    assert (returned["status"], [p["status"] for p in returned["parts"]]) == (
        "returned",
        ["succeeded", "returned"],
    )
    identity_check(server, clerk, dana.id)  # after the clock moved: the check is of today
    return dana, returned


def bank_label(payment: dict[str, Any]) -> str:
    return f"•••• {payment['parts'][1]['method']['last4']}"


async def test_the_void_dialog_of_a_split_names_each_part_and_what_happens_to_it(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana_token = login(pay_server.base_url, DANA)
    dana = find_account(pay_server, clerk)
    paid = split_payment(pay_server, dana_token, dana.id, SETTLES)
    identity_check(pay_server, clerk, dana.id)
    bank_cents = paid["parts"][1]["amount_cents"]
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        history = await history_on(pilot, dana, paid["id"])
        await wait_for(pilot, lambda: history.today is not None, "the server's today")
        await pilot.press("v")
        dialog = await on_screen(pilot, VoidDialog)
        lines = widget_text(app, dialog.query_one(".undo-dialog")).splitlines()
        card_line = next(line for line in lines if "Visa •••• 4242" in line)
        assert format_cents(CARD_CENTS) in card_line and "voided: nothing is taken" in card_line
        bank_line = next(line for line in lines if bank_label(paid) in line)
        assert format_cents(bank_cents) in bank_line and "voided: the debit is never sent" in bank_line
        assert "open again" in " ".join(lines)
        # Nothing is sent before the clerk confirms.
        assert api_get(pay_server, clerk, f"/v1/payments/{paid['id']}")["status"] == "pending"
        await pilot.press(*"Paid twice", "enter")
        await wait_for(pilot, lambda: app.screen is history, "the dialog closed")
        await wait_for(pilot, lambda: "Voided" in row_of(history, paid["id"]), "Voided in history")
    held = api_get(pay_server, clerk, f"/v1/payments/{paid['id']}")
    assert held["status"] == "voided" and {p["status"] for p in held["parts"]} == {"voided"}


async def test_the_card_part_of_a_returned_split_is_refunded_from_history(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    dana, returned = returned_split(pay_server, clerk)
    owed_before = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")["balance_due_cents"]
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        history = await history_on(pilot, dana, returned["id"])
        await wait_for(pilot, lambda: history.today is not None, "the server's today")
        # Refund is offered for its card part; void is not (the bank has answered).
        assert history.check_action("refund", ()) is True and history.check_action("void", ()) is None
        await pilot.press("f")
        dialog = await on_screen(pilot, RefundDialog)
        assert dialog.query_one("#amount").value == f"{CARD_CENTS / 100:.2f}"  # the card's, never its fee
        lines = widget_text(app, dialog.query_one(".undo-dialog")).splitlines()
        card_line = next(line for line in lines if "Visa •••• 4242" in line and "refunded" in line)
        assert format_cents(CARD_CENTS) in card_line and f"refunded: {format_cents(CARD_CENTS)}" in card_line
        bank_line = next(line for line in lines if bank_label(returned) in line)
        bank_cents = returned["parts"][1]["amount_cents"]
        assert format_cents(bank_cents) in bank_line and "already returned by the bank (R01)" in bank_line
        text = " ".join(lines)
        assert "still shows as returned" in text and f"Refund {format_cents(CARD_CENTS)}" in text
        # Only the invoices the card paid reopen, and the words name only those.
        card_numbers = {a["number"] for a in returned["allocations"] if a["part_index"] == 0}
        bank_only = {a["number"] for a in returned["allocations"] if a["part_index"] == 1} - card_numbers
        assert all(number in text for number in card_numbers)
        assert not any(number in text for number in bank_only)

        # A smaller amount: the card line follows it before anything is sent.
        dialog.query_one("#amount").value = "40.00"
        await wait_for_text(pilot, "refunded: $40.00")
        await wait_for_text(pilot, "Refund $40.00")
        dialog.query_one("#reason").focus()
        await pilot.press(*"Bank part bounced", "enter")
        await wait_for(pilot, lambda: app.screen is history, "the dialog closed")
        await wait_for_text(pilot, f"Refunded $40.00 of payment {returned['confirmation_number']}")
        # History says both: the bank's return and the card part's refund (not "Returned R01" alone).
        table = history.query_one("#history", DataTable)
        await wait_for(
            pilot,
            lambda: str(table.get_row(str(returned["id"]))[-1]) == "Returned R01\nRefunded $40.00",
            "the row's status after the refund",
        )

    held = api_get(pay_server, clerk, f"/v1/payments/{returned['id']}")
    assert (held["status"], held["return_code"], held["refunded_cents"]) == ("returned", "R01", 4_000)
    assert [p["status"] for p in held["parts"]] == ["succeeded", "returned"]
    (refund,) = held["refunds"]
    assert refund["reason"] == "Bank part bounced"
    summary = api_get(pay_server, clerk, f"/v1/accounts/{dana.id}/summary")
    assert summary["balance_due_cents"] == owed_before + 4_000
