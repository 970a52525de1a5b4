"""A split payment whose bank part was returned (issue 11): its card part was allocated on its own and paid
its invoices, so it is still refunded as any settled card payment is (never voided: the card's day is long
past when the bank answers). Over real HTTP on SQLite and PostgreSQL: the card part refunded once, the
processor's record shows one refund, the invoices the card paid reopen, the bank part's return stays as it
was, a retry with the same key does nothing more."""

from __future__ import annotations

import uuid

import httpx

from tests.api.conftest import Api, assert_error
from tests.api.identity import keyed, verify
from tests.api.paying import Payer, ach, advance, body, card, outbox
from tests.api.undo_checks import assert_adds_up, processor_charges, statement_of

DANA = "dana@example.com"
R01 = "000222222227"  # returned at settlement: insufficient funds
CARD, BANK = 0, 1  # the parts' indexes: card first, then bank


# -- helpers ----------------------------------------------------------------------------------------
def _by_part(paid: dict, index: int) -> dict[int, int]:
    """What the part `index` of the payment pays on each invoice (invoice id → cents)."""
    shares: dict[int, int] = {}
    for allocation in paid["allocations"]:
        if allocation["part_index"] == index:
            invoice_id = allocation["invoice_id"]
            shares[invoice_id] = shares.get(invoice_id, 0) + allocation["amount_cents"]
    return shares


def _state(dana: Payer, invoice_id: int) -> tuple[str, int]:
    detail = dana.invoice(invoice_id)
    return detail["status"], detail["balance_cents"]


def _payment(api: Api, payment_id: int) -> dict:
    return api.ok(f"/v1/payments/{payment_id}", DANA)


def _refund(api: Api, payment_id: int, key: str, amount: int | None = None) -> httpx.Response:
    sent: dict = {"reason": "Billing error"} | ({"amount_cents": amount} if amount is not None else {})
    return keyed(api, f"/v1/payments/{payment_id}/refund", key, sent)


def _void(api: Api, payment_id: int) -> httpx.Response:
    return keyed(api, f"/v1/payments/{payment_id}/void", uuid.uuid4().hex, {"reason": "Paid twice"})


def _returned_split(api: Api, dana: Payer, card_cents: int, over_cents: int = 0) -> dict:
    """Dana pays her whole balance (and `over_cents` more), `card_cents` by card and the rest from a bank
    account the bank returns (R01); the clock moves past the return. The payment as it was returned."""
    due = dana.summary()["balance_due_cents"]
    target = {"type": "amount", "amount_cents": due + over_cents}
    paid = dana.paid(body(target, card(), ach(R01), amounts=[card_cents, None]))
    advance(api, 5)
    returned = _payment(api, paid["id"])
    assert (returned["status"], returned["return_code"]) == ("returned", "R01")
    assert [p["status"] for p in returned["parts"]] == ["succeeded", "returned"]
    return returned


def _the_return(api: Api, dana: Payer, payment: dict) -> tuple:
    """What the bank's return left, which no refund of the card part may change."""
    shown = _payment(api, payment["id"])
    notices = api.ok(f"/v1/accounts/{dana.account_id}/notices", DANA)["items"]
    return (
        shown["status"],
        shown["return_code"],
        shown["settles_on"],
        [(p["method"]["type"], p["status"], p["amount_cents"]) for p in shown["parts"]],
        _by_part(shown, BANK),
        [n for n in notices if n["kind"] == "bank_payment_returned"],
        len(outbox(api, DANA, "ach_return")),
        processor_charges(api.server.db_url, payment["id"])[BANK],
    )


# -- the tests --------------------------------------------------------------------------------------
def test_the_card_part_of_a_returned_split_is_refunded_once_and_reopens_what_it_paid(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    paid = _returned_split(fresh, dana, 50_000)
    by_card, by_bank = _by_part(paid, CARD), _by_part(paid, BANK)
    the_return = _the_return(fresh, dana, paid)
    owed_after_return = dana.summary()["balance_due_cents"]
    assert owed_after_return == sum(by_bank.values())
    assert processor_charges(fresh.server.db_url, paid["id"]) == [("captured", 0, 0), ("voided", 0, 0)]

    # Never voided: the bank has answered and the card part is of days ago. Nothing changes.
    error = assert_error(_void(fresh, paid["id"]), 409, "conflict", "too_late_to_void")
    assert "refund its card part instead" in error["message"]
    assert _payment(fresh, paid["id"]) == paid
    # More than the card paid (its fee is not refundable): refused, naming what is left.
    error = assert_error(
        _refund(fresh, paid["id"], uuid.uuid4().hex, 50_001), 400, "invalid_request", "refund_too_large"
    )
    assert "$500.00" in error["message"]

    # 1) 200.00 of it: the newest allocation the card made reopens by that much.
    key = uuid.uuid4().hex
    first = _refund(fresh, paid["id"], key, 20_000)
    assert first.status_code == 201, first.text
    assert first.json()["amount_cents"] == 20_000
    assert dana.summary()["balance_due_cents"] == owed_after_return + 20_000
    # The same key again answers the same refund and does nothing more.
    again = _refund(fresh, paid["id"], key, 20_000)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    shown = _payment(fresh, paid["id"])
    assert (shown["refunded_cents"], len(shown["refunds"])) == (20_000, 1)
    assert processor_charges(fresh.server.db_url, paid["id"])[CARD] == ("captured", 20_000, 1)
    assert dana.summary()["balance_due_cents"] == owed_after_return + 20_000
    assert len(outbox(fresh, DANA, "payment_refunded")) == 1

    # 2) The rest (the default amount): every invoice the card paid owes that again.
    key = uuid.uuid4().hex
    rest = _refund(fresh, paid["id"], key)
    assert rest.status_code == 201, rest.text
    assert rest.json()["amount_cents"] == 30_000
    assert _refund(fresh, paid["id"], key).json() == rest.json()  # a retry: the same, nothing more
    for invoice_id in {*by_card, *by_bank}:
        owed = by_card.get(invoice_id, 0) + by_bank.get(invoice_id, 0)
        assert _state(dana, invoice_id) == ("open", owed), invoice_id
    summary = dana.summary()
    assert summary["balance_due_cents"] == owed_after_return + 50_000
    assert summary["in_progress_cents"] == 0

    # The payment: the bank's return as it was, the card part refunded in full, nothing of its left.
    shown = _payment(fresh, paid["id"])
    assert (shown["refunded_cents"], [r["amount_cents"] for r in shown["refunds"]]) == (
        50_000,
        [20_000, 30_000],
    )
    assert _by_part(shown, CARD) == {}
    assert _the_return(fresh, dana, paid) == the_return
    # The processor: the card's capture refunded in two refunds (one per refund, none for the retries),
    # never the fee; the bank's hold still voided, as the return left it.
    assert processor_charges(fresh.server.db_url, paid["id"]) == [("captured", 50_000, 2), ("voided", 0, 0)]
    assert len(outbox(fresh, DANA, "payment_refunded")) == 2
    error = assert_error(_refund(fresh, paid["id"], uuid.uuid4().hex), 409, "conflict", "not_refundable")
    assert "refunded in full" in error["message"]

    # The statement: the return's line and both refunds, the running balance right throughout.
    statement = statement_of(fresh, dana.account_id)
    assert_adds_up(statement)
    mine = [i for i in statement["items"] if i["reference"] == paid["confirmation_number"]]
    assert [i["kind"] for i in mine].count("ach_return") == 1
    assert sorted(i["amount_cents"] for i in mine if i["kind"] == "refund") == [20_000, 30_000]
    assert statement["closing_balance_cents"] == summary["balance_due_cents"] - summary["credit_cents"]
    audit = fresh.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    assert sum(a["action"] == "payment.refund" for a in audit) == 2


def test_a_refund_of_a_returned_split_takes_the_credit_its_card_part_made_first(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    before = dana.summary()
    # The card pays everything and 15.00 more (credit at once); the bank's 10.00 would have been credit.
    paid = _returned_split(fresh, dana, before["balance_due_cents"] + 1_500, over_cents=2_500)
    assert [p["credit_cents"] for p in paid["parts"]] == [1_500, 1_000]
    assert dana.summary()["credit_cents"] == before["credit_cents"] + 1_500  # never the bank's
    the_return = _the_return(fresh, dana, paid)
    r = _refund(fresh, paid["id"], uuid.uuid4().hex, 2_000)
    assert r.status_code == 201, r.text
    summary = dana.summary()
    assert summary["credit_cents"] == before["credit_cents"]  # the card's 15.00 credit first
    assert summary["balance_due_cents"] == 500  # then 5.00 of the newest invoice it paid
    assert _the_return(fresh, dana, paid) == the_return
    assert processor_charges(fresh.server.db_url, paid["id"])[CARD][1:] == (2_000, 1)
    assert_adds_up(statement_of(fresh, dana.account_id))


def test_a_returned_bank_payment_alone_has_nothing_to_refund_or_void(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    due = dana.summary()["balance_due_cents"]
    paid = dana.paid(body({"type": "amount", "amount_cents": due}, ach(R01)))
    advance(fresh, 5)
    returned = _payment(fresh, paid["id"])
    assert returned["status"] == "returned"
    error = assert_error(_refund(fresh, paid["id"], uuid.uuid4().hex), 409, "conflict", "not_refundable")
    assert "returned by the bank" in error["message"]
    error = assert_error(_void(fresh, paid["id"]), 409, "conflict", "too_late_to_void")
    assert "returned by the bank" in error["message"]
    assert _payment(fresh, paid["id"]) == returned
