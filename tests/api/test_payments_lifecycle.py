"""Bank returns at settlement, the clerk's phone payment, surcharges, history paging, saved methods."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import Api, assert_error
from tests.api.identity import verify
from tests.api.paying import (
    CLERK,
    DANA,
    LEE,
    MC_PREPAID,
    RETURNS,
    STAYS_PENDING,
    VISA,
    VISA_DEBIT,
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
from tests.support.stub import fresh_postgres_database, postgres_available, serve_stub


def test_each_return_code_reopens_the_invoices_and_emails_the_customer(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    leaves = singles(dana) + dana.invoice(multi(dana)["id"])["children"]
    payments = {}
    for (account, code), invoice in zip(RETURNS.items(), leaves, strict=False):
        payments[code] = (dana.paid(body(invoices_target(invoice["id"]), ach(account))), invoice)
        assert dana.invoice(invoice["id"])["status"] == "in_progress"
    stuck_invoice = leaves[len(RETURNS)]
    stuck = dana.paid(body(invoices_target(stuck_invoice["id"]), ach(STAYS_PENDING)))
    advance(fresh, 10)
    for code, (paid, invoice) in payments.items():
        stored = fresh.http.get(f"/v1/payments/{paid['id']}", headers=dana.headers()).json()
        assert (stored["status"], stored["return_code"]) == ("returned", code)
        detail = dana.invoice(invoice["id"])
        assert (detail["status"], detail["balance_cents"]) == ("open", invoice["balance_cents"])
    returns = outbox(fresh, DANA, "ach_return")
    assert sorted(code for code in RETURNS.values() if any(code in m["body"] for m in returns)) == sorted(
        RETURNS.values()
    )
    assert len(returns) == len(RETURNS)
    assert fresh.http.get(f"/v1/payments/{stuck['id']}", headers=dana.headers()).json()["status"] == "pending"
    assert dana.invoice(stuck_invoice["id"])["status"] == "in_progress"
    advance(fresh, 30)  # moving on again changes nothing already settled, and sends nothing twice
    assert len(outbox(fresh, DANA, "ach_return")) == len(RETURNS)
    # The processor's record says what the bank did: each returned debit's hold voided, the one the bank
    # has not answered still held.
    states = _charge_states(fresh.server.db_url)
    assert {code: states[paid["id"]] for code, (paid, _) in payments.items()} == dict.fromkeys(
        RETURNS.values(), "voided"
    )
    assert states[stuck["id"]] == "authorized"


def test_a_settled_bank_debit_is_captured_in_the_processors_record(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    paid = dana.paid(body(invoices_target(invoice["id"]), ach()))
    assert _charge_states(fresh.server.db_url)[paid["id"]] == "authorized"
    advance(fresh, 10)
    stored = fresh.http.get(f"/v1/payments/{paid['id']}", headers=dana.headers()).json()
    assert stored["status"] == "succeeded"
    assert _charge_states(fresh.server.db_url)[paid["id"]] == "captured"


def _charge_states(db_url: str) -> dict[int, str]:
    """Each payment's processor charge state (of its first part), read from the database."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT i.payment_id, c.state FROM payment_intents i JOIN processor_charges c "
                    "ON c.idempotency_key = 'pi_' || i.id || '_0' WHERE i.payment_id IS NOT NULL"
                )
            ).all()
    finally:
        engine.dispose()
    return {payment_id: state for payment_id, state in rows}


def test_clerk_takes_a_phone_payment_by_bank_with_the_tel_authorization(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    clerk = Payer(fresh, CLERK, account_id=dana.account_id)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), ach())
    verify(fresh, dana.account_id)  # a clerk acts on an account only after checking the caller
    assert_error(
        clerk.pay(payment, fees=0), 400, "invalid_request", "authorization_required", "authorization.kind"
    )
    phone = payment | {
        "authorization": {"kind": "phone", "script_version": "tel-2026-1", "recording_ref": "rec-1"}
    }
    paid = clerk.paid(phone)
    assert paid["channel"] == "phone" and paid["status"] == "pending"
    me = fresh.http.get("/v1/me", headers=clerk.headers()).json()["user"]
    assert paid["created_by"] == me["id"]
    tel = outbox(fresh, DANA, "ach_authorization")[0]["body"]
    for words in ("2026-11-15", "Dana Whitfield", "6789", "1-800-555-0142", "revoke", paid["settles_on"]):
        assert words in tel, words
    audit = fresh.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    assert {"identity_check.passed", "payment.create", "payment.refused"} <= {a["action"] for a in audit}
    assert all(a["actor_user_id"] == me["id"] for a in audit)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def surcharge(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    env = {"PAYDESK_FEE_POLICY": "surcharge"}
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432")
        with fresh_postgres_database("demo") as url, serve_stub(url, tmp_path, extra_env=env) as server:
            yield Api(server)
    else:
        with serve_stub(f"sqlite:///{tmp_path / 's.db'}", tmp_path, extra_env=env) as server:
            yield Api(server)


def test_surcharge_is_only_on_credit_cards(surcharge: Api) -> None:
    dana = Payer(surcharge, DANA)
    invoice = singles(dana)[0]
    target = invoices_target(invoice["id"])
    credit = dana.quoted(body(target, card(VISA)))
    assert credit["fee_policy"] == "surcharge"
    expected = (invoice["balance_cents"] * 300 + 5_000) // 10_000
    assert credit["fees_cents"] == expected and credit["parts"][0]["fees"][0]["kind"] == "surcharge"
    for method in (card(VISA_DEBIT), card(MC_PREPAID), ach()):
        assert dana.quoted(body(target, method))["fees_cents"] == 0
    paid = dana.paid(body(target, card(VISA_DEBIT)))
    assert paid["fees_cents"] == 0 and paid["parts"][0]["method"]["funding"] == "debit"
    other = singles(dana)[0]
    paid = dana.paid(body(invoices_target(other["id"]), card(VISA)))
    assert paid["fees_cents"] == (other["balance_cents"] * 300 + 5_000) // 10_000


def test_history_pages_newest_first(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    for _ in range(3):
        dana.paid(body({"type": "amount", "amount_cents": 100}, ach()))
    first = dana.history(limit=4)
    total = first["total_count"]
    seen = [p["id"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = dana.history(limit=4, cursor=cursor)
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == total == 6 + 1 + 3  # 6 paid + the pending seed + 3 new
    assert seen[:3] == sorted(seen[:3], reverse=True)
    assert_error(
        fresh.http.get(
            f"/v1/accounts/{dana.account_id}/payments", params={"cursor": "zz"}, headers=dana.headers()
        ),
        400,
        "invalid_request",
        "invalid_cursor",
        "cursor",
    )


def test_saved_methods_add_list_default_delete_and_pay(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    base = f"/v1/accounts/{dana.account_id}/payment-methods"
    assert dana.get(base)["items"] == []
    r = fresh.http.post(base, json=card(VISA), headers=dana.headers())
    assert r.status_code == 201, r.text
    visa = r.json()
    assert (visa["brand"], visa["last4"], visa["is_default"], visa["label"]) == (
        "visa",
        "4242",
        True,
        "Visa •••• 4242",
    )
    bank = fresh.http.post(base, json=ach(), headers=dana.headers()).json()
    assert bank["type"] == "ach" and bank["is_default"] is False and bank["last4"] == "6789"
    declined = fresh.http.post(base, json=card("4000000000000002"), headers=dana.headers())
    assert declined.status_code == 402 and declined.json()["error"]["decline_code"] == "generic_decline"
    r = fresh.http.patch(
        f"/v1/payment-methods/{bank['id']}", json={"is_default": True}, headers=dana.headers()
    )
    assert r.status_code == 200 and r.json()["is_default"] is True
    items = dana.get(base)["items"]
    assert [m["id"] for m in items] == [bank["id"], visa["id"]] and not items[1]["is_default"]
    saved = {"type": "saved", "payment_method_id": visa["id"]}
    paid = dana.paid(body(invoices_target(singles(dana)[0]["id"]), saved))
    assert paid["parts"][0]["method"]["last4"] == "4242" and paid["status"] == "succeeded"
    # save: true keeps the method after a successful payment.
    paid = dana.paid(body({"type": "amount", "amount_cents": 100}, ach("000987654321", save=True)))
    assert len(paid["saved_payment_method_ids"]) == 1
    assert len(dana.get(base)["items"]) == 3
    # Lee's and Dana's methods are each other's 404s; Lee's autopay method cannot go.
    lee = Payer(fresh, LEE)
    lee_visa = lee.get(f"/v1/accounts/{lee.account_id}/payment-methods")["items"][0]
    assert_error(
        fresh.http.delete(f"/v1/payment-methods/{lee_visa['id']}", headers=dana.headers()),
        404,
        "not_found",
        "not_found",
    )
    foreign = body(
        {"type": "amount", "amount_cents": 100}, {"type": "saved", "payment_method_id": lee_visa["id"]}
    )
    assert_error(dana.quote(foreign), 404, "not_found", "not_found", "parts[0].method.payment_method_id")
    assert_error(
        fresh.http.delete(f"/v1/payment-methods/{lee_visa['id']}", headers=lee.headers()),
        409,
        "conflict",
        "method_in_use",
    )
    assert fresh.http.delete(f"/v1/payment-methods/{bank['id']}", headers=dana.headers()).status_code == 204
    items = dana.get(base)["items"]
    assert bank["id"] not in [m["id"] for m in items] and sum(m["is_default"] for m in items) == 1
