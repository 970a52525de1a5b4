"""Payments over real HTTP: card and bank, quotes equal payments, receipts, declines, bad input, limits."""

from __future__ import annotations

from tests.api.conftest import Api, assert_error
from tests.api.paying import (
    AMEX,
    DANA,
    DECLINES,
    DISCOVER,
    LEE,
    MASTERCARD,
    VISA,
    Payer,
    ach,
    advance,
    body,
    card,
    invoices_target,
    multi,
    outbox,
    singles,
)


def _state(payer: Payer) -> tuple:
    """Everything a refused payment must leave alone."""
    return (
        payer.summary(),
        [(i["id"], i["balance_cents"], i["status"]) for i in payer.all_invoices()],
        payer.history()["total_count"],
    )


def test_card_payment_equals_its_quote_pays_at_once_and_sends_a_receipt(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    before = dana.summary()
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), card(MASTERCARD))
    quote = dana.quoted(payment)
    assert quote["problems"] == [] and quote["fees_cents"] == 175 and quote["fee_policy"] == "convenience"
    assert quote["allocations"] == [
        {
            "invoice_id": invoice["id"],
            "number": invoice["number"],
            "amount_cents": invoice["balance_cents"],
            "part_index": 0,  # the part paying it (issue 11 item 4)
        }
    ]
    assert quote["parts"][0]["fees"] == [
        {
            "kind": "convenience",
            "amount_cents": 175,
            "description": quote["parts"][0]["fees"][0]["description"],
            "refundable": False,
        }
    ]
    paid = dana.paid(payment)
    assert paid["confirmation_number"].startswith("PD-") and len(paid["confirmation_number"]) == 11
    assert (paid["status"], paid["channel"], paid["settles_on"], paid["return_code"]) == (
        "succeeded",
        "online",
        None,
        None,
    )
    for field in ("allocations", "credit_cents", "fees_cents", "total_cents", "amount_cents"):
        assert paid[field] == quote[field], field
    assert paid["parts"][0]["method"] == {
        "type": "card",
        "brand": "mastercard",
        "last4": "4444",
        "bank_name": None,
        "funding": "credit",
    }
    assert paid["total_cents"] == invoice["balance_cents"] + 175
    detail = dana.invoice(invoice["id"])
    assert (detail["status"], detail["balance_cents"]) == ("paid", 0)
    assert detail["payments"][0]["confirmation_number"] == paid["confirmation_number"]
    after = dana.summary()
    assert after["balance_due_cents"] == before["balance_due_cents"] - invoice["balance_cents"]
    assert fresh.http.get(f"/v1/payments/{paid['id']}", headers=dana.headers()).json() == paid
    receipt = outbox(fresh, DANA, "receipt")[0]
    for words in (
        "4100012345",
        invoice["number"],
        paid["confirmation_number"],
        "Mastercard •••• 4444",
        "$1.75",
    ):
        assert words in receipt["body"], words
    # Another customer sees none of it.
    lee = Payer(fresh, LEE)
    assert_error(
        fresh.http.get(f"/v1/payments/{paid['id']}", headers=lee.headers()), 404, "not_found", "not_found"
    )


def test_brands_from_the_number(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    for number, brand in [(VISA, "visa"), (AMEX, "amex"), (DISCOVER, "discover")]:
        paid = dana.paid(body({"type": "amount", "amount_cents": 100}, card(number)))
        assert paid["parts"][0]["method"]["brand"] == brand


def test_each_decline_charges_nothing(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    before = _state(dana)
    invoice = singles(dana)[0]
    for number, code in DECLINES.items():
        r = dana.pay(body(invoices_target(invoice["id"]), card(number)))
        error = r.json()["error"]
        assert r.status_code == 402 and error["type"] == "payment" and error["code"] == "card_declined", (
            r.text
        )
        assert error["decline_code"] == code and error["param"] == "parts[0].method"
    # A split where the second part is declined: the first part's authorisation is voided, nothing is paid.
    split = body(invoices_target(invoice["id"]), card(VISA), card("4000000000009995"), amounts=[1000, None])
    r = dana.pay(split)
    assert r.status_code == 402 and r.json()["error"]["decline_code"] == "insufficient_funds"
    assert _state(dana) == before
    assert outbox(fresh, DANA, "receipt") == []


def test_bad_input_answers_in_the_contract_shape_and_changes_nothing(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    lee = Payer(fresh, LEE)
    open_ = singles(dana)
    invoice = open_[0]
    paid_invoice = next(i for i in dana.all_invoices() if i["status"] == "paid")
    before = _state(dana)
    target = invoices_target(invoice["id"])
    fixable = [  # (payment, status, type, code, param): a quote lists them as problems
        (
            body(target, card("4242424242424241")),
            400,
            "invalid_request",
            "invalid_card_number",
            "parts[0].method.number",
        ),
        (
            body(target, card(exp_year=2026, exp_month=10)),
            400,
            "invalid_request",
            "invalid_expiry",
            "parts[0].method.exp_year",
        ),
        (
            body(target, card(exp_month=13)),
            400,
            "invalid_request",
            "invalid_expiry",
            "parts[0].method.exp_month",
        ),
        (body(target, card(VISA, cvc="1234")), 400, "invalid_request", "invalid_cvc", "parts[0].method.cvc"),
        (body(target, card(AMEX, cvc="123")), 400, "invalid_request", "invalid_cvc", "parts[0].method.cvc"),
        (
            body(target, ach(routing="110000001")),
            400,
            "invalid_request",
            "invalid_routing_number",
            "parts[0].method.routing_number",
        ),
        (
            body(target, ach(account="12")),
            400,
            "invalid_request",
            "invalid_account_number",
            "parts[0].method.account_number",
        ),
        (
            body({"type": "amount", "amount_cents": 0}, card()),
            400,
            "invalid_request",
            "invalid_amount",
            "target.amount_cents",
        ),
        (
            body({"type": "amount", "amount_cents": -500}, card()),
            400,
            "invalid_request",
            "invalid_amount",
            "target.amount_cents",
        ),
        (
            body({"type": "amount", "amount_cents": 10**10}, ach()),
            400,
            "invalid_request",
            "invalid_amount",
            "target.amount_cents",
        ),
        (
            body(invoices_target(invoice["id"], amounts={invoice["id"]: 0}), card()),
            400,
            "invalid_request",
            "invalid_amount",
            "target.invoices[0].amount_cents",
        ),
        (
            body(
                invoices_target(invoice["id"], amounts={invoice["id"]: invoice["balance_cents"] + 1}), card()
            ),
            400,
            "invalid_request",
            "amount_above_balance",
            "target.invoices[0].amount_cents",
        ),
        (
            body(invoices_target(*range(1, 202)), card()),
            400,
            "invalid_request",
            "too_many_invoices",
            "target.invoices",
        ),
        (
            body(invoices_target(paid_invoice["id"]), card()),
            409,
            "conflict",
            "invoice_paid",
            "target.invoices[0].invoice_id",
        ),
        (body(target, card(), card(), amounts=[100, 100]), 400, "invalid_request", "parts_mismatch", "parts"),
        (body(target, card(), ach()), 400, "invalid_request", "invalid_parts", "parts"),
        (
            body({"type": "amount", "amount_cents": 100_001}, card()),
            400,
            "invalid_request",
            "card_amount_limit",
            "parts[0].amount_cents",
        ),
        (
            body(target, card()) | {"receipt_email": "not-an-email"},
            400,
            "invalid_request",
            "invalid_email",
            "receipt_email",
        ),
        (
            body(target, card()) | {"authorization": {"kind": "phone"}},
            400,
            "invalid_request",
            "authorization_invalid",
            "authorization.kind",
        ),
    ]
    for payment, status, type_, code, param in fixable:
        problems = dana.quoted(payment)["problems"]
        assert problems and problems[0]["code"] == code and problems[0]["param"] == param, (code, problems)
        error = assert_error(dana.pay(payment, fees=0), status, type_, code, param)
        assert error == problems[0]
    # Another account's invoice is 404 for the quote and the payment, as if it did not exist.
    foreign = body(invoices_target(singles(lee)[0]["id"]), card())
    assert_error(dana.quote(foreign), 404, "not_found", "not_found", "target.invoices[0].invoice_id")
    assert_error(dana.pay(foreign, fees=175), 404, "not_found", "not_found")
    assert_error(
        dana.pay(foreign | {"receipt_email": DANA}, key="x", fees=175), 404, "not_found", "not_found"
    )
    # A stale fee acceptance, a missing key, a malformed body.
    assert_error(
        dana.pay(body(target, card()), fees=0), 409, "conflict", "fees_changed", "accepted_fees_cents"
    )
    assert_error(
        dana.pay(body(target, card()), key=None),
        400,
        "invalid_request",
        "idempotency_key_missing",
        "Idempotency-Key",
    )
    assert_error(
        dana.quote({"target": {"type": "nope"}, "parts": []}), 400, "invalid_request", "invalid_request"
    )
    assert_error(dana.pay(body(target, {"type": "cash"}), fees=0), 400, "invalid_request", "invalid_request")
    # Another account altogether is 404.
    r = fresh.http.post(
        f"/v1/accounts/{lee.account_id}/payments/quote", json=body(target, card()), headers=dana.headers()
    )
    assert_error(r, 404, "not_found", "not_found")
    assert _state(dana) == before
    assert outbox(fresh, DANA, "receipt") == []


def test_custom_amount_goes_oldest_first_and_the_rest_becomes_credit(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    before = dana.summary()
    owed = before["balance_due_cents"]
    payment = body({"type": "amount", "amount_cents": owed + 2_500}, ach())
    quote = dana.quoted(payment)
    leaves = []
    for top in dana.open_invoices():
        leaves += dana.invoice(top["id"])["children"] or [top]
    leaves = [i for i in leaves if i["balance_cents"] > 0]
    leaves.sort(key=lambda i: (i["due_on"], i["issued_on"], i["id"]))
    assert [a["invoice_id"] for a in quote["allocations"]] == [i["id"] for i in leaves]
    assert quote["credit_cents"] == 2_500 and quote["fees_cents"] == 0
    paid = dana.paid(payment)
    assert paid["status"] == "pending" and paid["credit_cents"] == 2_500
    assert dana.summary()["credit_cents"] == 0  # credit arrives with the money
    advance(fresh, 7)
    after = dana.summary()
    assert (after["balance_due_cents"], after["in_progress_cents"], after["credit_cents"]) == (0, 0, 2_500)
    assert (
        fresh.http.get(f"/v1/payments/{paid['id']}", headers=dana.headers()).json()["status"] == "succeeded"
    )


def test_a_partial_card_amount_then_oldest_first_by_card(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    oldest = singles(dana)[0]
    paid = dana.paid(body({"type": "amount", "amount_cents": 1_000}, card()))
    assert paid["allocations"] == [
        {"invoice_id": oldest["id"], "number": oldest["number"], "amount_cents": 1_000, "part_index": 0}
    ]
    assert dana.invoice(oldest["id"])["balance_cents"] == oldest["balance_cents"] - 1_000
    assert dana.invoice(oldest["id"])["status"] == "open"


def test_three_card_payments_in_five_days(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    for _ in range(3):
        dana.paid(body({"type": "amount", "amount_cents": 100}, card()))
    fourth = body({"type": "amount", "amount_cents": 100}, card())
    problems = dana.quoted(fourth)["problems"]
    assert [(p["code"], p["type"]) for p in problems] == [("card_payment_limit", "payment")]
    assert_error(dana.pay(fourth, fees=175), 402, "payment", "card_payment_limit", "parts[0].method")
    dana.paid(body({"type": "amount", "amount_cents": 100}, ach()))  # a bank payment is fine
    advance(fresh, 4)
    assert_error(dana.pay(fourth, fees=175), 402, "payment", "card_payment_limit")
    advance(fresh, 1)
    dana.paid(fourth)


def test_split_card_and_bank_is_pending_as_a_whole_then_settles(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    in_progress = dana.summary()["in_progress_cents"]
    payment = body(invoices_target(invoice["id"]), card(), ach(), amounts=[5_000, None])
    paid = dana.paid(payment)
    assert paid["status"] == "pending" and paid["fees_cents"] == 175
    assert [(p["method"]["type"], p["amount_cents"], p["status"]) for p in paid["parts"]] == [
        ("card", 5_000, "succeeded"),
        ("ach", invoice["balance_cents"] - 5_000, "pending"),
    ]
    # One invoice, both parts (issue 11 item 4): the card's 50.00 is paid at once, only the bank's share
    # is in progress, so the invoice is in progress until the bank part settles.
    bank_share = invoice["balance_cents"] - 5_000
    assert [(a["part_index"], a["amount_cents"]) for a in paid["allocations"]] == [
        (0, 5_000),
        (1, bank_share),
    ]
    assert dana.summary()["in_progress_cents"] == in_progress + bank_share
    assert dana.invoice(invoice["id"])["status"] == "in_progress"
    receipt = outbox(fresh, DANA, "receipt")[0]["body"]
    assert "pending" in receipt and paid["settles_on"] in receipt
    advance(fresh, 1)
    assert dana.invoice(invoice["id"])["status"] == "in_progress"
    advance(fresh, 4)
    assert dana.invoice(invoice["id"])["status"] == "paid"
    stored = fresh.http.get(f"/v1/payments/{paid['id']}", headers=dana.headers()).json()
    assert stored["status"] == "succeeded" and {p["status"] for p in stored["parts"]} == {"succeeded"}


def test_multi_site_parent_by_bank_then_settled(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    parent = multi(dana)
    children = dana.invoice(parent["id"])["children"]
    paid = dana.paid(body(invoices_target(parent["id"]), ach()))
    assert sorted(a["invoice_id"] for a in paid["allocations"]) == sorted(c["id"] for c in children)
    assert paid["amount_cents"] == parent["balance_cents"]
    detail = dana.invoice(parent["id"])
    assert detail["status"] == "in_progress" and detail["balance_cents"] == 0
    assert {c["status"] for c in detail["children"]} == {"in_progress"}
    assert paid["settles_on"] == "2026-11-18"  # Sunday the 15th + 3 business days
    advance(fresh, 3)
    detail = dana.invoice(parent["id"])
    assert detail["status"] == "paid" and {c["status"] for c in detail["children"]} == {"paid"}
    # The demo's own pending bank payment settled on the 17th as well.
    summary = dana.summary()
    assert summary["in_progress_cents"] == 0


def test_paying_the_same_key_twice_and_another_body(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), card())
    first = dana.pay(payment, key="same-key", fees=175)
    again = dana.pay(payment, key="same-key", fees=175)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    other = body(invoices_target(singles(dana)[0]["id"]), card())
    assert_error(
        dana.pay(other, key="same-key"), 422, "invalid_request", "idempotency_key_reused", "Idempotency-Key"
    )
    # A declined answer replays too, and charges nothing more.
    declined = body(invoices_target(singles(dana)[0]["id"]), card("4000000000000002"))
    a, b = dana.pay(declined, key="declined-key", fees=175), dana.pay(declined, key="declined-key", fees=175)
    assert (a.status_code, b.status_code) == (402, 402) and a.json() == b.json()
    assert dana.history()["total_count"] == len([p for p in dana.history()["items"]])
    assert len(outbox(fresh, DANA, "receipt")) == 1
    # Keys are per caller: Lee may use the same key string for his own payment.
    lee = Payer(fresh, LEE)
    assert (
        lee.pay(body({"type": "amount", "amount_cents": 100}, ach(), email=LEE), key="same-key").status_code
        == 201
    )
