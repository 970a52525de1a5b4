"""Autopay: enrolment (PUT), and the runs on the dev clock: once per invoice on its due date, only what is
left after a manual payment, and a decline reported on the account and by email.

Declines: saving a decline test card is refused (402), so the test makes Lee's enrolled Visa decline with
the dev hook `POST /v1/dev/payment-methods/{id}/behaviour`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import VISA, Payer, advance, body, card, invoices_target, outbox
from tests.support.stub import serve_stub

DANA, LEE, CLERK = "dana@example.com", "lee@example.com", "clerk@example.com"
CONVENIENCE_TERMS = {
    "kind": "convenience",
    "amount_cents": 175,
    "basis_points": None,
    "description": "Card convenience fee of $1.75 on each payment (not refundable)",
}


def _autopay_payments(payer: Payer) -> list[dict]:
    """Autopay payments made from the demo's today on (the seed's history has older ones)."""
    items = payer.history(limit=200)["items"]
    return [p for p in items if p["channel"] == "autopay" and p["created_on"] >= "2026-11-15"]


def _open(payer: Payer) -> list[dict]:
    return sorted(payer.open_invoices(), key=lambda i: i["due_on"])


def test_autopay_pays_each_invoice_on_its_due_date_exactly_once(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first, second = _open(lee)
    account = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]
    assert account["enabled"] and account["next_run_on"] == first["due_on"]
    assert account["next_amount_cents"] == first["balance_cents"] and account["last_failure"] is None
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    [paid] = _autopay_payments(lee)
    assert paid["allocations"] == [
        {
            "invoice_id": first["id"],
            "number": first["number"],
            "amount_cents": first["balance_cents"],
            "part_index": 0,  # the part paying it (issue 11 item 4)
        }
    ]
    assert (paid["status"], paid["created_by"], paid["fees_cents"]) == ("succeeded", None, 175)
    assert paid["created_on"] == first["due_on"] and paid["receipt_email"] == LEE
    receipts = outbox(fresh, LEE, "receipt")
    assert [r for r in receipts if paid["confirmation_number"] in r["body"]]
    assert lee.invoice(first["id"])["status"] == "paid" and lee.invoice(second["id"])["status"] == "open"
    after = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]
    assert (after["next_run_on"], after["next_amount_cents"]) == (second["due_on"], second["balance_cents"])
    # Past the second due date in one jump, then further: each invoice paid once, nothing more.
    advance(fresh, 20)
    advance(fresh, 40)
    payments = _autopay_payments(lee)
    assert sorted(a["invoice_id"] for p in payments for a in p["allocations"]) == sorted(
        [first["id"], second["id"]]
    )
    second_payment = next(p for p in payments if p["allocations"][0]["invoice_id"] == second["id"])
    assert (
        second_payment["created_on"] == second["due_on"]
    )  # dated its due day, not the day the clock stopped
    assert lee.summary()["balance_due_cents"] == 0
    assert len(outbox(fresh, LEE, "receipt")) == len(receipts) + 1


def test_a_manual_payment_first_leaves_autopay_only_the_rest(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first, second = _open(lee)
    lee.paid(body(invoices_target(first["id"], amounts={first["id"]: 1000}), card(VISA), email=LEE))
    lee.paid(body(invoices_target(second["id"]), card(VISA), email=LEE))
    assert (
        fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]["next_amount_cents"]
        == first["balance_cents"] - 1000
    )
    advance(fresh, 30)
    [paid] = _autopay_payments(lee)
    assert paid["allocations"] == [
        {
            "invoice_id": first["id"],
            "number": first["number"],
            "amount_cents": first["balance_cents"] - 1000,
            "part_index": 0,
        }
    ]
    assert lee.summary()["balance_due_cents"] == 0


def test_a_decline_is_recorded_emailed_and_shown_and_autopay_stays_on(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first, _second = _open(lee)
    method_id = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]["payment_method_id"]
    r = fresh.http.post(
        f"/v1/dev/payment-methods/{method_id}/behaviour", json={"behaviour": "insufficient_funds"}
    )
    assert r.status_code == 200, r.text
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    assert _autopay_payments(lee) == []
    assert lee.invoice(first["id"])["status"] == "open"
    autopay = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]
    assert autopay["enabled"] is True and autopay["last_failure"]["on"] == first["due_on"]
    assert "insufficient" in autopay["last_failure"]["message"].lower() or autopay["last_failure"]["message"]
    [mail] = outbox(fresh, LEE, "autopay_failed")
    assert first["number"] in mail["body"] and "Nothing was charged" in mail["body"]
    # Tried once: moving on does not try the same invoice again.
    advance(fresh, 1)
    assert len(outbox(fresh, LEE, "autopay_failed")) == 1
    # Choosing the method again clears the failure.
    fresh.http.post(f"/v1/dev/payment-methods/{method_id}/behaviour", json={"behaviour": "ok"})
    terms = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]["fee_terms"]
    enrol = {"enabled": True, "payment_method_id": method_id, "accepted_fee_terms": terms}
    r = fresh.put(f"/v1/accounts/{lee.account_id}/autopay", LEE, json=enrol)
    assert r.status_code == 200 and r.json()["autopay"]["last_failure"] is None


def test_enrol_change_and_cancel(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    r = fresh.post(
        f"/v1/accounts/{dana.account_id}/payment-methods",
        DANA,
        json={k: v for k, v in card(VISA).items() if k != "save"},
    )
    assert r.status_code == 201, r.text
    method = r.json()
    assert method["autopay_fee"] == CONVENIENCE_TERMS
    # The card's fee on each payment must be accepted to turn autopay on.
    for accepted in (
        None,
        {"kind": "convenience", "amount_cents": 100},
        {"kind": "surcharge", "basis_points": 300},
    ):
        enrol = {"enabled": True, "payment_method_id": method["id"], "accepted_fee_terms": accepted}
        r = fresh.put(f"/v1/accounts/{dana.account_id}/autopay", DANA, json=enrol)
        error = assert_error(r, 409, "conflict", "fees_changed", "accepted_fee_terms")
        assert "card convenience fee of $1.75 on each payment" in error["message"]
    assert fresh.ok(f"/v1/accounts/{dana.account_id}", DANA)["autopay"]["enabled"] is False
    r = fresh.put(
        f"/v1/accounts/{dana.account_id}/autopay",
        DANA,
        json={
            "enabled": True,
            "payment_method_id": method["id"],
            "accepted_fee_terms": method["autopay_fee"],
        },
    )
    assert r.status_code == 200, r.text
    autopay = r.json()["autopay"]
    assert (autopay["enabled"], autopay["payment_method_id"], autopay["method_label"]) == (
        True,
        method["id"],
        "Visa •••• 4242",
    )
    assert autopay["fee_terms"] == CONVENIENCE_TERMS
    assert autopay["next_run_on"] == "2026-11-22" and autopay["next_amount_cents"] > 0
    assert fresh.ok(f"/v1/accounts/{dana.account_id}", DANA)["autopay"] == autopay
    r = fresh.put(f"/v1/accounts/{dana.account_id}/autopay", DANA, json={"enabled": False})
    assert r.json()["autopay"] == {
        "enabled": False,
        "payment_method_id": None,
        "method_label": None,
        "next_run_on": None,
        "next_amount_cents": None,
        "last_failure": None,
        "fee_terms": None,
    }
    audit = fresh.ok("/v1/dev/audit", params={"account_id": dana.account_id})["items"]
    assert [e["detail"]["enabled"]["new"] for e in audit if e["action"] == "autopay.update"] == [False, True]


@pytest.mark.parametrize(
    ("payload", "status", "code", "param"),
    [
        ({"enabled": True}, 400, "method_required", "payment_method_id"),
        ({"enabled": "yes", "payment_method_id": 1}, 400, "invalid_request", "enabled"),
        ({"payment_method_id": 1}, 400, "invalid_request", "enabled"),
        ({"enabled": True, "payment_method_id": 987654}, 404, "not_found", "payment_method_id"),
        ({"enabled": True, "payment_method_id": "LEE"}, 404, "not_found", "payment_method_id"),
    ],
)
def test_bad_enrolments_change_nothing(demo: Api, payload: dict, status: int, code: str, param: str) -> None:
    dana = demo.account_id(DANA)
    if payload.get("payment_method_id") == "LEE":
        payload = {
            **payload,
            "payment_method_id": demo.ok(f"/v1/accounts/{demo.account_id(LEE)}", LEE)["autopay"][
                "payment_method_id"
            ],
        }
    before = demo.ok(f"/v1/accounts/{dana}", DANA)
    r = demo.put(f"/v1/accounts/{dana}/autopay", DANA, json=payload)
    assert_error(r, status, "invalid_request" if status == 400 else "not_found", code, param)
    assert demo.ok(f"/v1/accounts/{dana}", DANA) == before


def test_another_account_is_404(demo: Api) -> None:
    lee = demo.account_id(LEE)
    before = demo.ok(f"/v1/accounts/{lee}", LEE)
    r = demo.put(f"/v1/accounts/{lee}/autopay", DANA, json={"enabled": False})
    assert_error(r, 404, "not_found", "not_found")
    assert demo.ok(f"/v1/accounts/{lee}", LEE) == before


def test_lee_accepted_the_cards_fee_at_enrolment_and_each_run_takes_it(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first, _second = _open(lee)
    assert fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]["fee_terms"] == CONVENIENCE_TERMS
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    [paid] = _autopay_payments(lee)
    assert (paid["fees_cents"], paid["total_cents"]) == (175, first["balance_cents"] + 175)


def test_a_run_under_other_fee_terms_is_skipped_with_a_notice_until_they_are_accepted(
    kept_database: str, tmp_path: Path
) -> None:
    # The business moves to a 3% credit card surcharge: not the $1.75 Lee accepted.
    with serve_stub(kept_database, tmp_path, extra_env={"PAYDESK_FEE_POLICY": "surcharge"}) as server:
        api = Api(server)
        lee = Payer(api, LEE)
        first, second = _open(lee)
        api.http.post("/v1/dev/clock", json={"today": first["due_on"]})
        assert _autopay_payments(lee) == [] and lee.invoice(first["id"])["status"] == "open"
        autopay = api.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]
        assert autopay["enabled"] is True and autopay["last_failure"] == {
            "on": first["due_on"],
            "message": "Its fees changed: turn autopay on again to see and accept the new fees.",
        }
        [notice] = [
            n
            for n in api.ok(f"/v1/accounts/{lee.account_id}/notices", LEE)["items"]
            if n["kind"] == "fees_changed"
        ]
        assert first["number"] in notice["message"] and "Nothing was charged" in notice["message"]
        assert "(Card convenience fee of $1.75 on each payment (not refundable))" in notice["message"]
        # Accepting the new terms turns it on under them: the next run takes the surcharge.
        method = api.ok(f"/v1/accounts/{lee.account_id}/payment-methods", LEE)["items"][0]
        assert method["autopay_fee"] == {
            "kind": "surcharge",
            "amount_cents": None,
            "basis_points": 300,
            "description": "Credit card surcharge of 3.00% of each payment",
        }
        enrol = {
            "enabled": True,
            "payment_method_id": method["id"],
            "accepted_fee_terms": method["autopay_fee"],
        }
        assert api.put(f"/v1/accounts/{lee.account_id}/autopay", LEE, json=enrol).status_code == 200
        api.http.post("/v1/dev/clock", json={"today": second["due_on"]})
        [paid] = _autopay_payments(lee)
        assert paid["allocations"][0]["invoice_id"] == second["id"]
        assert paid["fees_cents"] == (second["balance_cents"] * 300 + 5_000) // 10_000
        api.close()
