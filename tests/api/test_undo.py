"""Void and refund, every row of the issue's undo table and its refusals, over real HTTP on SQLite and
PostgreSQL: what the payment, the invoices, the summary, the card limit, the statement (JSON and CSV), the
processor's record and the customer's mail say afterwards, and that a retry with the same key does
nothing twice."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from sqlalchemy import create_engine, text

from tests.api.conftest import Api, assert_error
from tests.api.identity import CLERK, keyed, verify
from tests.api.paying import (
    ROUTING,
    STAYS_PENDING,
    Payer,
    ach,
    advance,
    body,
    card,
    invoices_target,
    outbox,
    singles,
)
from tests.api.undo_checks import assert_adds_up, processor_charges, statement_of

DANA, LEE = "dana@example.com", "lee@example.com"


# -- helpers ----------------------------------------------------------------------------------------
def _void(api: Api, payment_id: int, key: str | None = None, reason: str = "Wrong amount") -> httpx.Response:
    return keyed(api, f"/v1/payments/{payment_id}/void", key or uuid.uuid4().hex, {"reason": reason})


def _refund(
    api: Api, payment_id: int, amount: int | None = None, key: str | None = None, reason: str = "Goodwill"
) -> httpx.Response:
    sent: dict = {"reason": reason} | ({"amount_cents": amount} if amount is not None else {})
    return keyed(api, f"/v1/payments/{payment_id}/refund", key or uuid.uuid4().hex, sent)


def _payment(api: Api, payment_id: int, as_: str = DANA) -> dict:
    return api.ok(f"/v1/payments/{payment_id}", as_)


def _setup(fresh: Api) -> tuple[Payer, Api]:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    return dana, fresh


def _open_invoice(dana: Payer) -> dict:
    return singles(dana)[-1]  # one not past due, with room for a partial payment


# -- void ---------------------------------------------------------------------------------------------
def test_void_a_card_payment_of_today_undoes_all_of_it(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    summary_before, statement_before = dana.summary(), statement_of(api, dana.account_id)
    # The whole balance of the invoice and 25.00 more: account credit.
    target = {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]}
    paid = dana.paid(body(target, card()))
    over = dana.paid(
        body({"type": "amount", "amount_cents": dana.summary()["balance_due_cents"] + 2500}, card())
    )
    assert dana.summary()["credit_cents"] == summary_before["credit_cents"] + 2500
    voided = _void(api, over["id"], reason="  Customer paid twice  ")
    assert voided.status_code == 200, voided.text
    shown = voided.json()
    assert (shown["status"], shown["void_reason"], shown["allocations"]) == (
        "voided",
        "Customer paid twice",
        [],
    )
    assert shown["voided_at"] and shown["refunded_cents"] == 0 and shown["refunds"] == []
    assert {p["status"] for p in shown["parts"]} == {"voided"}
    assert _payment(api, over["id"]) == shown  # the payment as history shows it
    history = dana.history()["items"]
    assert next(p for p in history if p["id"] == over["id"]) == shown
    summary = dana.summary()
    assert summary["credit_cents"] == summary_before["credit_cents"]  # the credit it made taken back
    assert summary["balance_due_cents"] == summary_before["balance_due_cents"] - invoice["balance_cents"]
    # Voiding the first one too reopens its invoice exactly as it was.
    assert _void(api, paid["id"]).status_code == 200
    assert dana.invoice(invoice["id"])["status"] == "open"
    assert dana.invoice(invoice["id"])["balance_cents"] == invoice["balance_cents"]
    assert dana.summary() == summary_before
    # The processor voided both captures; the fees were never taken.
    assert processor_charges(api.server.db_url, over["id"]) == [("voided", 0, 0)]
    assert processor_charges(api.server.db_url, paid["id"]) == [("voided", 0, 0)]
    # The statement: a reversal for each, the running balance right, closing where it started.
    statement = statement_of(api, dana.account_id)
    assert_adds_up(statement)
    assert statement["closing_balance_cents"] == statement_before["closing_balance_cents"]
    lines = [i for i in statement["items"] if i["reference"] == over["confirmation_number"]]
    assert [(i["kind"], i["amount_cents"]) for i in lines] == [
        ("fee", over["fees_cents"]),
        ("payment", -over["total_cents"]),
        ("void", over["total_cents"]),
        ("void", -over["fees_cents"]),
    ]
    csv_text = api.get(f"/v1/accounts/{dana.account_id}/statement", DANA, params={"format": "csv"}).text
    kinds = [row["kind"] for row in csv.DictReader(io.StringIO(csv_text))]
    assert kinds.count("void") == 4
    mail = outbox(api, DANA, "payment_voided")
    assert len(mail) == 2 and any(over["confirmation_number"] in m["body"] for m in mail)
    audit = api.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    row = next(a for a in audit if a["action"] == "payment.void" and a["detail"]["payment_id"] == over["id"])
    assert row["detail"]["reason"] == "Customer paid twice"
    assert row["detail"]["total_cents"] == over["total_cents"]
    assert row["actor_user_id"] == api.ok("/v1/me", CLERK)["user"]["id"]


def test_a_voided_card_payment_no_longer_counts_toward_the_card_limit(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    made = []
    for _ in range(4):
        r = dana.pay(body(invoices_target(invoice["id"], amounts={invoice["id"]: 100}), card()))
        if r.status_code != 201:
            assert r.json()["error"]["code"] == "card_payment_limit", r.text
            break
        made.append(r.json())
    else:
        raise AssertionError("the card limit never refused a payment")
    assert _void(api, made[-1]["id"]).status_code == 200
    again = dana.pay(body(invoices_target(invoice["id"], amounts={invoice["id"]: 100}), card()))
    assert again.status_code == 201, again.text
    # A refunded one still counts.
    assert _refund(api, made[0]["id"]).status_code == 201
    assert _payment(api, made[0]["id"])["status"] == "refunded"
    r = dana.pay(body(invoices_target(invoice["id"], amounts={invoice["id"]: 100}), card()))
    assert r.json()["error"]["code"] == "card_payment_limit", r.text


def test_void_a_pending_bank_payment_cancels_the_debit(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    before = dana.summary()
    paid = dana.paid(body(invoices_target(invoice["id"]), ach()))
    assert paid["status"] == "pending" and dana.invoice(invoice["id"])["status"] == "in_progress"
    assert dana.summary()["in_progress_cents"] == before["in_progress_cents"] + invoice["balance_cents"]
    advance(api, 1)  # a later day: a pending bank payment is voided until it settles
    voided = _void(api, paid["id"], reason="Customer cancelled")
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "voided"
    assert dana.invoice(invoice["id"])["status"] == "open"
    assert dana.summary()["in_progress_cents"] == before["in_progress_cents"]
    assert processor_charges(api.server.db_url, paid["id"]) == [("voided", 0, 0)]  # the hold released
    advance(api, 10)  # past its settlement date: never sent, nothing changes
    assert _payment(api, paid["id"])["status"] == "voided"
    assert dana.invoice(invoice["id"])["status"] == "open"
    assert processor_charges(api.server.db_url, paid["id"]) == [("voided", 0, 0)]
    assert outbox(api, DANA, "payment_voided")
    # A pending bank payment is voided, not refunded (and a voided one has nothing to refund).
    assert_error(_refund(api, paid["id"]), 409, "conflict", "not_refundable")


def test_void_a_split_payment_voids_every_part_together_or_none(fresh: Api) -> None:
    dana, api = _setup(fresh)
    first, second = singles(dana)[-2:]
    split = body(
        invoices_target(first["id"], amounts={first["id"]: 3000}), card(), ach(), amounts=[1000, None]
    )
    today = dana.paid(split)
    later = dana.paid(
        body(invoices_target(second["id"], amounts={second["id"]: 3000}), card(), ach(), amounts=[1000, None])
    )
    r = _void(api, today["id"])
    assert r.status_code == 200, r.text
    assert {p["status"] for p in r.json()["parts"]} == {"voided"}
    assert [s for s, _, _ in processor_charges(api.server.db_url, today["id"])] == ["voided", "voided"]
    assert dana.invoice(first["id"])["balance_cents"] == first["balance_cents"]
    advance(api, 1)  # the card part is of yesterday now, the bank part still pending: too late
    before = (_payment(api, later["id"]), dana.summary(), dana.invoice(second["id"]))
    assert_error(_void(api, later["id"]), 409, "conflict", "too_late_to_void")
    assert (_payment(api, later["id"]), dana.summary(), dana.invoice(second["id"])) == before


def test_too_late_to_void_a_card_payment_of_yesterday_or_a_settled_bank_payment(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    by_card = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 500}), card()))
    by_bank = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 500}), ach()))
    advance(api, 7)  # the card payment is old; the bank one settled
    assert _payment(api, by_bank["id"])["status"] == "succeeded"
    for paid in (by_card, by_bank):
        before = _payment(api, paid["id"])
        assert_error(_void(api, paid["id"]), 409, "conflict", "too_late_to_void")
        assert _payment(api, paid["id"]) == before
    # A settled bank payment is not refundable either.
    assert_error(_refund(api, by_bank["id"]), 409, "conflict", "not_refundable")
    audit = api.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    refused = [(a["action"], a["detail"]["code"]) for a in audit if a["action"].endswith("_refused")]
    assert refused.count(("payment.void_refused", "too_late_to_void")) == 2
    assert ("payment.refund_refused", "not_refundable") in refused


# -- refund ------------------------------------------------------------------------------------------
def test_refund_in_parts_credit_first_then_newest_allocation_first(fresh: Api) -> None:
    dana, api = _setup(fresh)
    first, second = singles(dana)[-2:]
    summary_before = dana.summary()
    statement_before = statement_of(api, dana.account_id)
    # Pay two invoices in full and 20.00 more (credit), by card.
    target = {"type": "invoices", "invoices": [{"invoice_id": first["id"]}, {"invoice_id": second["id"]}]}
    paid = dana.paid(body(target, card()))
    extra = dana.paid(
        body({"type": "amount", "amount_cents": 2000 + dana.summary()["balance_due_cents"]}, card())
    )
    advance(api, 1)  # settled: refunded, not voided
    assert_error(_void(api, paid["id"]), 409, "conflict", "too_late_to_void")
    credit = dana.summary()["credit_cents"]
    # 1) 15.00 of the 20.00 credit the second payment made: the invoices stay paid.
    r = _refund(api, extra["id"], 1500, reason="Overpaid")
    assert r.status_code == 201, r.text
    refund = r.json()
    assert set(refund) == {"id", "payment_id", "amount_cents", "reason", "created_by", "created_at"}
    assert (refund["payment_id"], refund["amount_cents"], refund["reason"]) == (extra["id"], 1500, "Overpaid")
    assert refund["created_by"] == {
        "id": api.ok("/v1/me", CLERK)["user"]["id"],
        "name": refund["created_by"]["name"],
    }
    assert dana.summary()["credit_cents"] == credit - 1500
    shown = _payment(api, extra["id"])
    assert (shown["status"], shown["refunded_cents"], shown["refunds"]) == (
        "partially_refunded",
        1500,
        [refund],
    )
    # 2) On the first payment: 10.00 reopens the newest allocation (the second invoice) only.
    r = _refund(api, paid["id"], 1000)
    assert r.status_code == 201, r.text
    assert dana.invoice(second["id"])["balance_cents"] == 1000
    assert dana.invoice(second["id"])["status"] == "open"
    assert dana.invoice(first["id"])["status"] == "paid"
    # 3) The rest (the default): everything it paid is owed again; the fee is never refunded.
    left = paid["amount_cents"] - 1000
    assert_error(
        _refund(api, paid["id"], left + 1), 400, "invalid_request", "refund_too_large", "amount_cents"
    )
    r = _refund(api, paid["id"])
    assert r.status_code == 201 and r.json()["amount_cents"] == left, r.text
    shown = _payment(api, paid["id"])
    assert (shown["status"], shown["refunded_cents"]) == ("refunded", paid["amount_cents"])
    assert [x["amount_cents"] for x in shown["refunds"]] == [1000, left]
    assert dana.invoice(first["id"])["balance_cents"] == first["balance_cents"]
    assert dana.invoice(second["id"])["balance_cents"] == second["balance_cents"]
    assert_error(_refund(api, paid["id"], 1), 409, "conflict", "not_refundable")
    # The processor refunded each, once, never the 1.75 fee.
    [(state, refunded, count)] = processor_charges(api.server.db_url, paid["id"])
    assert (state, refunded, count) == ("captured", paid["amount_cents"], 2)
    # The summary and the statement: as before both payments, less the 5.00 credit still held.
    summary = dana.summary()  # the second payment still pays what it paid beyond its credit
    paid_by_extra = extra["amount_cents"] - extra["credit_cents"]
    assert summary["balance_due_cents"] == summary_before["balance_due_cents"] - paid_by_extra
    assert summary["credit_cents"] == summary_before["credit_cents"] + extra["credit_cents"] - 1500
    statement = statement_of(api, dana.account_id)
    assert_adds_up(statement)
    refunds = [i for i in statement["items"] if i["kind"] == "refund"]
    assert sorted(i["amount_cents"] for i in refunds) == sorted([1500, 1000, left])
    kept = extra["amount_cents"] - 1500  # what the second payment still paid
    assert statement["closing_balance_cents"] == statement_before["closing_balance_cents"] - kept
    mail = outbox(api, DANA, "payment_refunded")
    assert len(mail) == 3 and any("$15.00" in m["body"] for m in mail)
    audit = api.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    assert sum(a["action"] == "payment.refund" for a in audit) == 3


def test_refund_never_gives_back_a_fee_that_is_not_refundable(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    paid = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 1000}), card()))
    assert paid["fees_cents"] == 175
    error = assert_error(
        _refund(api, paid["id"], 1175), 400, "invalid_request", "refund_too_large", "amount_cents"
    )
    assert "$10.00" in error["message"]
    assert _refund(api, paid["id"], 1000).status_code == 201
    assert _payment(api, paid["id"])["status"] == "refunded"


# -- retries -------------------------------------------------------------------------------------------
def test_a_retried_void_or_refund_answers_the_same_and_does_it_once(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    one = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 800}), card()))
    two = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 900}), card()))
    key = uuid.uuid4().hex
    first = _void(api, one["id"], key)
    again = _void(api, one["id"], key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert_error(
        _void(api, one["id"], key, reason="Other words"), 422, "invalid_request", "idempotency_key_reused"
    )
    assert len(outbox(api, DANA, "payment_voided")) == 1
    assert processor_charges(api.server.db_url, one["id"]) == [("voided", 0, 0)]
    advance(api, 1)
    key = uuid.uuid4().hex
    first = _refund(api, two["id"], 300, key)
    again = _refund(api, two["id"], 300, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert _payment(api, two["id"])["refunded_cents"] == 300
    assert processor_charges(api.server.db_url, two["id"]) == [("captured", 300, 1)]  # one processor refund
    assert_error(_refund(api, two["id"], 301, key), 422, "invalid_request", "idempotency_key_reused")
    assert len(outbox(api, DANA, "payment_refunded")) == 1


# -- refusals ------------------------------------------------------------------------------------------
def test_who_may_undo_and_what_they_must_send(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = _open_invoice(dana)
    paid = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 500}), card()))
    for path in (f"/v1/payments/{paid['id']}/void", f"/v1/payments/{paid['id']}/refund"):
        assert_error(keyed(fresh, path, "k1", {"reason": "x"}, as_=DANA), 403, "permission", "clerk_only")
        # Without an identity check on Dana's account, the clerk is refused.
        assert_error(keyed(fresh, path, "k2", {"reason": "x"}), 403, "permission", "identity_check_required")
    verify(fresh, dana.account_id)
    assert_error(_void(fresh, 987654), 404, "not_found", "not_found")
    assert_error(_refund(fresh, 987654), 404, "not_found", "not_found")
    headers = {"Authorization": f"Bearer {fresh.token(CLERK)}"}
    r = fresh.http.post(f"/v1/payments/{paid['id']}/void", json={"reason": "x"}, headers=headers)
    assert_error(r, 400, "invalid_request", "idempotency_key_missing")
    for bad in ({}, {"reason": "   "}, {"reason": "a\tb"}, {"reason": "x" * 501}):
        r = keyed(fresh, f"/v1/payments/{paid['id']}/void", uuid.uuid4().hex, bad)
        assert r.status_code == 400, (bad, r.text)
    for amount in (0, -5, "100"):
        r = _refund(fresh, paid["id"], amount)  # type: ignore[arg-type]
        assert r.status_code == 400, (amount, r.text)
    assert _payment(fresh, paid["id"])["status"] == "succeeded"  # nothing changed


def test_a_payment_on_another_account_is_404_for_its_customer(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    paid = next(p for p in lee.history()["items"] if p["status"] == "succeeded")
    r = fresh.get(f"/v1/payments/{paid['id']}", DANA)
    assert_error(r, 404, "not_found", "not_found")
    # A customer is refused as a customer first: no clerk endpoint tells them the payment exists.
    assert_error(
        keyed(fresh, f"/v1/payments/{paid['id']}/void", "k", {"reason": "x"}, as_=DANA),
        403,
        "permission",
        "clerk_only",
    )


def test_a_bank_payment_that_stays_pending_is_still_voidable_by_its_routing(fresh: Api) -> None:
    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    paid = dana.paid(
        body(invoices_target(invoice["id"], amounts={invoice["id"]: 500}), ach(STAYS_PENDING, ROUTING))
    )
    advance(api, 5)
    assert _payment(api, paid["id"])["status"] == "pending"
    assert _void(api, paid["id"]).status_code == 200


def _forget_telling(db_url: str, payment_id: int) -> None:
    """What a crash between an undo's commit and the processor leaves: the undo recorded, the processor
    never told (its charge as it was, nothing marked sent)."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            keys = "SELECT 'pi_' || id || '_0' FROM payment_intents WHERE payment_id = :id"
            charge = f"SELECT id FROM processor_charges WHERE idempotency_key IN ({keys})"
            conn.execute(
                text(f"DELETE FROM processor_refunds WHERE charge_id IN ({charge})"), {"id": payment_id}
            )
            conn.execute(
                text(
                    "UPDATE processor_charges SET state = 'captured', refunded_cents = 0 "
                    f"WHERE id IN ({charge})"
                ),
                {"id": payment_id},
            )
            conn.execute(text("UPDATE payments SET void_sent_at = NULL WHERE id = :id"), {"id": payment_id})
            conn.execute(
                text("UPDATE payment_refunds SET sent_at = NULL WHERE payment_id = :id"), {"id": payment_id}
            )
    finally:
        engine.dispose()


def test_an_undo_the_processor_missed_is_finished_by_the_retry_or_by_recovery(fresh: Api) -> None:
    from backend_stub import owners
    from backend_stub.payments import recovery
    from backend_stub.processor import Processor
    from backend_stub.settings import Settings
    from backend_stub.store.db import create_db_engine

    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    voided = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 600}), card()))
    refunded = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 700}), card()))
    key = uuid.uuid4().hex
    assert _void(api, voided["id"], key).status_code == 200
    _forget_telling(api.server.db_url, voided["id"])
    assert processor_charges(api.server.db_url, voided["id"]) == [("captured", 0, 0)]
    assert _void(api, voided["id"], key).status_code == 200  # the retry tells the processor
    assert processor_charges(api.server.db_url, voided["id"]) == [("voided", 0, 0)]
    assert _refund(api, refunded["id"], 250).status_code == 201
    assert _void(api, voided["id"]).status_code == 409  # (a new key: already voided)
    _forget_telling(api.server.db_url, refunded["id"])
    assert processor_charges(api.server.db_url, refunded["id"]) == [("captured", 0, 0)]
    engine = create_db_engine(api.server.db_url)
    try:
        processor = Processor(engine)
        assert recovery.recover(engine, processor, Settings(db_url=api.server.db_url)) >= 1
        assert recovery.recover(engine, processor, Settings(db_url=api.server.db_url)) == 0  # once
    finally:
        owners.of(engine).stop()
        owners.forget(engine)
        engine.dispose()
    assert processor_charges(api.server.db_url, refunded["id"]) == [("captured", 250, 1)]


def test_refunds_at_once_never_give_back_more_than_was_paid(fresh: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    dana, api = _setup(fresh)
    invoice = _open_invoice(dana)
    paid = dana.paid(body(invoices_target(invoice["id"], amounts={invoice["id"]: 1000}), card()))
    api.token(CLERK)  # signed in before the threads start

    def refund_all(_: int) -> httpx.Response:
        with httpx.Client(base_url=api.base_url, timeout=15) as http:
            headers = {"Authorization": f"Bearer {api.token(CLERK)}", "Idempotency-Key": uuid.uuid4().hex}
            return http.post(f"/v1/payments/{paid['id']}/refund", json={"reason": "race"}, headers=headers)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(refund_all, range(4)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409], [r.text for r in answers]
    shown = _payment(api, paid["id"])
    assert (shown["status"], shown["refunded_cents"], len(shown["refunds"])) == ("refunded", 1000, 1)
    assert processor_charges(api.server.db_url, paid["id"]) == [("captured", 1000, 1)]
    csv_text = api.get(f"/v1/accounts/{dana.account_id}/statement", DANA, params={"format": "csv"}).text
    rows = [row for row in csv.DictReader(io.StringIO(csv_text)) if row["kind"] == "refund"]
    assert [(r["reference"], r["amount"]) for r in rows] == [(paid["confirmation_number"], "10.00")]
