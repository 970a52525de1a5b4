"""Scheduled payments: create with a saved method on a date up to the due date, list, change, cancel, and
the run on the dev clock (once, dated its day; a decline recorded and emailed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import VISA, Payer, advance, card, outbox
from tests.support.stub import serve_stub

DANA, LEE = "dana@example.com", "lee@example.com"
TODAY = "2026-11-15"
CARD_FEE = 175  # the demo's card convenience fee


def _saved_card(api: Api, payer: Payer) -> int:
    method = {k: v for k, v in card(VISA).items() if k != "save"}
    r = api.post(f"/v1/accounts/{payer.account_id}/payment-methods", payer.email, json=method)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _schedule(
    api: Api, payer: Payer, target: dict, method_id: int, pay_on: str, fees: int | None = CARD_FEE
) -> object:
    """Schedule, accepting `fees` (the card's convenience fee by default; None accepts none)."""
    accepted = {} if fees is None else {"accepted_fees_cents": fees}
    return api.post(
        f"/v1/accounts/{payer.account_id}/scheduled-payments",
        payer.email,
        json={
            "target": target,
            "method": {"type": "saved", "payment_method_id": method_id},
            "pay_on": pay_on,
            "receipt_email": payer.email,
            **accepted,
        },
    )


def _scheduled_payments(payer: Payer) -> list[dict]:
    items = payer.history(limit=200)["items"]
    return [p for p in items if p["channel"] == "scheduled"]


def _invoice_due(payer: Payer, due_on: str) -> dict:
    return next(i for i in payer.open_invoices() if i["due_on"] == due_on and i["children_count"] == 0)


def test_a_scheduled_payment_runs_once_on_its_date(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    invoice = _invoice_due(dana, "2026-11-30")
    r = _schedule(
        fresh,
        dana,
        {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
        method_id,
        "2026-11-20",
    )
    assert r.status_code == 201, r.text
    scheduled = r.json()
    assert (scheduled["status"], scheduled["pay_on"], scheduled["amount_cents"]) == (
        "scheduled",
        "2026-11-20",
        invoice["balance_cents"],
    )
    assert scheduled["method_label"] == "Visa •••• 4242" and scheduled["payment_id"] is None
    listed = fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)
    assert listed == {"items": [scheduled], "next_cursor": None, "total_count": 1}
    advance(fresh, 4)  # 11-19: not yet
    assert _scheduled_payments(dana) == []
    advance(fresh, 1)  # 11-20
    [payment] = _scheduled_payments(dana)
    assert payment["created_on"] == "2026-11-20" and payment["created_by"] is None
    assert payment["allocations"][0]["invoice_id"] == invoice["id"] and payment["fees_cents"] == 175
    assert dana.invoice(invoice["id"])["status"] == "paid"
    after = fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]
    assert (after["status"], after["payment_id"]) == ("paid", payment["id"])
    assert any(payment["confirmation_number"] in m["body"] for m in outbox(fresh, DANA, "receipt"))
    advance(fresh, 30)
    assert len(_scheduled_payments(dana)) == 1
    # It ran: too late to change or cancel.
    assert_error(fresh.delete(f"/v1/scheduled-payments/{after['id']}", DANA), 409, "conflict", "already_run")
    r = fresh.patch(f"/v1/scheduled-payments/{after['id']}", DANA, json={"pay_on": "2026-12-30"})
    assert_error(r, 409, "conflict", "already_run")


def test_change_and_cancel_before_the_date(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    r = _schedule(fresh, dana, {"type": "amount", "amount_cents": 5000}, method_id, "2026-11-18")
    assert r.status_code == 400 and r.json()["error"]["code"] == "date_after_due"  # the past-due one is first
    invoice = _invoice_due(dana, "2026-11-30")
    target = {"type": "invoices", "invoices": [{"invoice_id": invoice["id"], "amount_cents": 5000}]}
    scheduled = _schedule(fresh, dana, target, method_id, "2026-11-18").json()
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", DANA, json={"pay_on": "2026-11-25"})
    assert r.status_code == 200 and r.json()["pay_on"] == "2026-11-25"
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", DANA, json={"pay_on": "2026-12-25"})
    assert_error(r, 400, "invalid_request", "date_after_due", "pay_on")
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", DANA, json={"amount_cents": 10})
    assert_error(r, 400, "invalid_request", "invalid_amount", "amount_cents")
    assert (
        fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]["pay_on"]
        == "2026-11-25"
    )
    assert fresh.delete(f"/v1/scheduled-payments/{scheduled['id']}", DANA).status_code == 204
    assert (
        fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA, params={"status": "scheduled"})[
            "total_count"
        ]
        == 0
    )
    advance(fresh, 20)
    assert _scheduled_payments(dana) == []
    assert (
        fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]["status"]
        == "cancelled"
    )


def test_a_payment_scheduled_for_today_runs_at_once(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    invoice = _invoice_due(dana, "2026-11-22")
    r = _schedule(
        fresh, dana, {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]}, method_id, TODAY
    )
    assert r.status_code == 201 and r.json()["status"] == "paid"
    assert dana.invoice(invoice["id"])["status"] == "paid"


def test_a_decline_is_recorded_and_emailed(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    invoice = _invoice_due(dana, "2026-11-22")
    target = {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]}
    scheduled = _schedule(fresh, dana, target, method_id, "2026-11-21").json()
    fresh.http.post(f"/v1/dev/payment-methods/{method_id}/behaviour", json={"behaviour": "generic_decline"})
    advance(fresh, 10)
    row = fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]
    assert row["id"] == scheduled["id"] and row["status"] == "failed" and row["failure_message"]
    [mail] = outbox(fresh, DANA, "scheduled_failed")
    assert "2026-11-21" in mail["body"] and "Nothing was charged" in mail["body"]
    assert dana.invoice(invoice["id"])["status"] == "open" and _scheduled_payments(dana) == []


@pytest.mark.parametrize(
    ("change", "status", "code", "param"),
    [
        ({"pay_on": "2026-11-14"}, 400, "date_in_past", "pay_on"),
        ({"pay_on": "2026-11-23"}, 400, "date_after_due", "pay_on"),
        ({"receipt_email": "nope"}, 400, "invalid_email", "receipt_email"),
        ({"pay_on": "soon"}, 400, "invalid_request", "pay_on"),
        ({"method": {"type": "card"}}, 400, "invalid_request", None),
        (
            {"method": {"type": "saved", "payment_method_id": 987654}},
            404,
            "not_found",
            "method.payment_method_id",
        ),
        ({"target": {"type": "invoices", "invoices": [{"invoice_id": 987654}]}}, 404, "not_found", None),
    ],
)
def test_refused_schedules_change_nothing(
    demo: Api, change: dict, status: int, code: str, param: object
) -> None:
    lee = Payer(demo, LEE)  # Lee has a saved card
    methods = demo.ok(f"/v1/accounts/{lee.account_id}/payment-methods", LEE)["items"]
    method_id = methods[0]["id"]
    invoice = _invoice_due(lee, "2026-11-22")
    payload = {
        "target": {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
        "method": {"type": "saved", "payment_method_id": method_id},
        "pay_on": "2026-11-20",
        "receipt_email": LEE,
        **change,
    }
    before = demo.ok(f"/v1/accounts/{lee.account_id}/scheduled-payments", LEE)
    r = demo.post(f"/v1/accounts/{lee.account_id}/scheduled-payments", LEE, json=payload)
    error = assert_error(r, status, "invalid_request" if status == 400 else "not_found", code)
    if param is not None:
        assert error["param"] == param
    if code == "date_after_due":
        assert invoice["number"] in error["message"] and "2026-11-22" in error["message"]
    assert demo.ok(f"/v1/accounts/{lee.account_id}/scheduled-payments", LEE) == before


def test_another_accounts_scheduled_payments_are_404(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    invoice = _invoice_due(dana, "2026-11-30")
    scheduled = _schedule(
        fresh,
        dana,
        {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
        method_id,
        "2026-11-20",
    ).json()
    lee = Payer(fresh, LEE)
    assert_error(
        fresh.get(f"/v1/accounts/{dana.account_id}/scheduled-payments", LEE), 404, "not_found", "not_found"
    )
    assert_error(
        fresh.delete(f"/v1/scheduled-payments/{scheduled['id']}", LEE), 404, "not_found", "not_found"
    )
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", LEE, json={"pay_on": "2026-11-21"})
    assert_error(r, 404, "not_found", "not_found")
    # Lee cannot pay with Dana's card either.
    lee_invoice = lee.open_invoices()[0]
    r = _schedule(
        fresh,
        lee,
        {"type": "invoices", "invoices": [{"invoice_id": lee_invoice["id"]}]},
        method_id,
        "2026-11-20",
    )
    assert_error(r, 404, "not_found", "not_found", "method.payment_method_id")
    assert (
        fresh.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]["pay_on"]
        == "2026-11-20"
    )


def test_a_card_payment_is_scheduled_only_with_its_fee_shown_and_accepted(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    invoice = _invoice_due(dana, "2026-11-30")
    target = {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]}
    listed = f"/v1/accounts/{dana.account_id}/scheduled-payments"
    for accepted in (None, 0, 100):
        r = _schedule(fresh, dana, target, method_id, "2026-11-20", fees=accepted)
        error = assert_error(r, 409, "conflict", "fees_changed", "accepted_fees_cents")
        assert "$1.75" in error["message"]
    assert fresh.ok(listed, DANA)["total_count"] == 0  # nothing was scheduled
    scheduled = _schedule(fresh, dana, target, method_id, "2026-11-20").json()
    assert (scheduled["fees_cents"], scheduled["total_cents"]) == (175, invoice["balance_cents"] + 175)
    assert scheduled["fees"] == [
        {
            "kind": "convenience",
            "amount_cents": 175,
            "description": "Card convenience fee ($1.75, not refundable)",
            "refundable": False,
        }
    ]
    assert fresh.ok(listed, DANA)["items"] == [scheduled]
    # A change that keeps the fee needs no new acceptance; one that names another fee is refused.
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", DANA, json={"pay_on": "2026-11-21"})
    assert r.status_code == 200 and r.json()["fees_cents"] == 175, r.text
    change = {"pay_on": "2026-11-22", "accepted_fees_cents": 0}
    r = fresh.patch(f"/v1/scheduled-payments/{scheduled['id']}", DANA, json=change)
    assert_error(r, 409, "conflict", "fees_changed", "accepted_fees_cents")
    assert fresh.ok(listed, DANA)["items"][0]["pay_on"] == "2026-11-21"


def test_a_run_whose_fees_changed_is_skipped_with_a_notice_and_charges_nothing(
    kept_database: str, tmp_path: Path
) -> None:
    with serve_stub(kept_database, tmp_path) as server:
        api = Api(server)
        dana = Payer(api, DANA)
        method_id = _saved_card(api, dana)
        invoice = _invoice_due(dana, "2026-11-30")
        target = {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]}
        scheduled = _schedule(api, dana, target, method_id, "2026-11-20").json()
        assert scheduled["fees_cents"] == 175
        api.close()
    # The business moves to a 3% credit card surcharge before the run: not the fee Dana accepted.
    with serve_stub(kept_database, tmp_path, extra_env={"PAYDESK_FEE_POLICY": "surcharge"}) as server:
        api = Api(server)
        dana = Payer(api, DANA)
        advance(api, 5)  # 11-20
        row = api.ok(f"/v1/accounts/{dana.account_id}/scheduled-payments", DANA)["items"][0]
        assert (row["status"], row["payment_id"]) == ("skipped", None)
        assert _scheduled_payments(dana) == [] and dana.invoice(invoice["id"])["status"] == "open"
        [notice] = [
            n
            for n in api.ok(f"/v1/accounts/{dana.account_id}/notices", DANA)["items"]
            if n["kind"] == "fees_changed"
        ]
        assert notice["message"] == (
            f"The payment of ${invoice['balance_cents'] // 100:,}.{invoice['balance_cents'] % 100:02d} "
            "scheduled for Nov 20, 2026 was not made: its fees are no longer the $1.75 you accepted when you "
            "scheduled it. Nothing was charged. Make the payment again to see the new fees."
        )
        advance(api, 1)  # a later round does not try again
        assert _scheduled_payments(dana) == []
        api.close()
