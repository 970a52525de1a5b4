"""A split payment, card and bank (issue 11 item 4): each part is allocated on its own, card parts first to
the oldest invoices, and each allocation names its part. What a card part pays is paid at once (and the
credit it makes granted at once); a bank part's invoices are in progress until it settles, and its return
reopens only what it paid; a void puts all of it back, a refund of a settled split takes back only what
the card part paid; the statement keeps a right running balance. Over real HTTP on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

import httpx

from tests.api.conftest import Api
from tests.api.identity import keyed, verify
from tests.api.paying import Payer, ach, advance, body, card, outbox

DANA = "dana@example.com"
R01 = "000222222227"  # returned at settlement: insufficient funds
CARD, BANK = 0, 1  # the parts' indexes in every payment here: card first, then bank


# -- helpers ----------------------------------------------------------------------------------------
def _leaves(dana: Payer) -> dict[int, dict]:
    """Every open leaf invoice (single-site, and each site of a multi-site one) by id."""
    found: dict[int, dict] = {}
    for invoice in dana.open_invoices():
        for leaf in dana.invoice(invoice["id"])["children"] or [invoice]:
            found[leaf["id"]] = leaf
    return found


def _by_part(paid: dict, index: int) -> dict[int, int]:
    """What the part `index` of the payment pays on each invoice (invoice id → cents)."""
    shares: dict[int, int] = {}
    for allocation in paid["allocations"]:
        if allocation["part_index"] == index:
            shares[allocation["invoice_id"]] = (
                shares.get(allocation["invoice_id"], 0) + allocation["amount_cents"]
            )
    return shares


def _state(dana: Payer, invoice_id: int) -> tuple[str, int]:
    detail = dana.invoice(invoice_id)
    return detail["status"], detail["balance_cents"]


def _payment(api: Api, payment_id: int) -> dict:
    return api.ok(f"/v1/payments/{payment_id}", DANA)


def _statement(api: Api, account_id: int) -> dict:
    return api.ok(f"/v1/accounts/{account_id}/statement", DANA, params={"limit": 200})


def _adds_up(statement: dict) -> None:
    balance = statement["opening_balance_cents"]
    for item in statement["items"]:
        balance += item["amount_cents"]
        assert item["balance_cents"] == balance, item
    assert balance == statement["closing_balance_cents"]


def _void(api: Api, payment_id: int) -> httpx.Response:
    return keyed(api, f"/v1/payments/{payment_id}/void", uuid.uuid4().hex, {"reason": "Paid twice"})


def _refund(api: Api, payment_id: int) -> httpx.Response:
    return keyed(api, f"/v1/payments/{payment_id}/refund", uuid.uuid4().hex, {"reason": "Goodwill"})


def _split(dana: Payer, card_cents: int, bank: dict | None = None, over_cents: int = 0) -> dict:
    """Dana pays her whole balance (and `over_cents` more), `card_cents` by card, the rest by bank."""
    due = dana.summary()["balance_due_cents"]
    target = {"type": "amount", "amount_cents": due + over_cents}
    return dana.paid(body(target, card(), bank or ach(), amounts=[card_cents, None]))


# -- the tests --------------------------------------------------------------------------------------
def test_the_card_part_pays_the_oldest_invoices_at_once_the_bank_part_the_rest_in_progress(
    fresh: Api,
) -> None:
    dana = Payer(fresh, DANA)
    leaves = _leaves(dana)
    before = dana.summary()
    paid = _split(dana, 50_000)
    assert paid["status"] == "pending"  # the payment as a whole waits for its bank part
    assert [(p["method"]["type"], p["status"]) for p in paid["parts"]] == [
        ("card", "succeeded"),
        ("ach", "pending"),
    ]
    by_card, by_bank = _by_part(paid, CARD), _by_part(paid, BANK)
    assert sum(by_card.values()) == 50_000
    assert sum(by_bank.values()) == paid["parts"][BANK]["amount_cents"]
    # Card first, to the oldest invoices: every invoice the card pays is due no later than any the bank pays
    # alone, and the card's allocations come first.
    oldest = sorted(leaves, key=lambda i: (leaves[i]["due_on"], i))
    assert list(by_card) == oldest[: len(by_card)]
    assert [a["part_index"] for a in paid["allocations"]] == sorted(
        a["part_index"] for a in paid["allocations"]
    )
    shared = set(by_card) & set(by_bank)
    assert len(shared) <= 1
    for invoice_id in by_card.keys() - shared:
        assert _state(dana, invoice_id) == ("paid", 0)
    for invoice_id in by_bank:
        assert _state(dana, invoice_id) == ("in_progress", 0)
    summary = dana.summary()
    assert summary["in_progress_cents"] == before["in_progress_cents"] + sum(by_bank.values())
    assert summary["balance_due_cents"] == 0 and summary["credit_cents"] == before["credit_cents"]
    # An invoice the card paid alone names the card and says succeeded; one the bank paid, pending.
    card_only = next(iter(by_card.keys() - shared))
    [applied] = [p for p in dana.invoice(card_only)["payments"] if p["payment_id"] == paid["id"]]
    assert (applied["status"], applied["amount_cents"]) == ("succeeded", by_card[card_only])
    assert applied["method_label"] == "Visa •••• 4242"
    bank_only = next(iter(by_bank.keys() - shared))
    [applied] = [p for p in dana.invoice(bank_only)["payments"] if p["payment_id"] == paid["id"]]
    assert (applied["status"], applied["amount_cents"]) == ("pending", by_bank[bank_only])
    assert "4242" not in applied["method_label"]
    # The invoice list says the same as each invoice.
    listed = {i["id"]: i["status"] for i in dana.all_invoices()}
    assert all(listed[i] == "paid" for i in by_card.keys() - shared if i in listed)
    stored = _payment(fresh, paid["id"])
    assert stored["allocations"] == paid["allocations"]
    [receipt] = [m for m in outbox(fresh, DANA, "receipt") if paid["confirmation_number"] in m["body"]]
    flat = " ".join(receipt["body"].split())
    assert (
        "Until then what the card paid is paid now, the invoices the bank pays show as in progress." in flat
    )
    advance(fresh, 5)  # settled
    for invoice_id in {*by_card, *by_bank}:
        assert _state(dana, invoice_id) == ("paid", 0)
    assert dana.summary()["in_progress_cents"] == 0
    assert _payment(fresh, paid["id"])["status"] == "succeeded"


def test_a_returned_bank_part_reopens_only_what_it_paid(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    paid = _split(dana, 50_000, ach(R01))
    by_card, by_bank = _by_part(paid, CARD), _by_part(paid, BANK)
    advance(fresh, 5)
    stored = _payment(fresh, paid["id"])
    assert (stored["status"], stored["return_code"]) == ("returned", "R01")
    assert [p["status"] for p in stored["parts"]] == ["succeeded", "returned"]
    for invoice_id in {*by_card, *by_bank}:
        owed = by_bank.get(invoice_id, 0)
        assert _state(dana, invoice_id) == (("open", owed) if owed else ("paid", 0)), invoice_id
    summary = dana.summary()
    assert summary["balance_due_cents"] == sum(by_bank.values()) and summary["in_progress_cents"] == 0
    card_only = next(iter(by_card.keys() - by_bank.keys()))
    [applied] = [p for p in dana.invoice(card_only)["payments"] if p["payment_id"] == paid["id"]]
    assert applied["status"] == "succeeded"  # the card's money arrived; only the bank's came back
    bank_only = next(iter(by_bank.keys() - by_card.keys()))
    [applied] = [p for p in dana.invoice(bank_only)["payments"] if p["payment_id"] == paid["id"]]
    assert applied["status"] == "returned"
    # The email names the invoices that reopened, none the card paid alone.
    [mail] = [m for m in outbox(fresh, DANA, "ach_return") if paid["confirmation_number"] in m["body"]]
    numbers = {a["invoice_id"]: a["number"] for a in paid["allocations"]}
    assert all(numbers[i] in mail["body"] for i in by_bank)
    assert not any(numbers[i] in mail["body"] for i in by_card.keys() - by_bank.keys())
    statement = _statement(fresh, dana.account_id)
    _adds_up(statement)
    assert statement["closing_balance_cents"] == summary["balance_due_cents"] - summary["credit_cents"]


def test_credit_each_part_makes_is_granted_when_that_part_is_paid(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    credit = dana.summary()["credit_cents"]
    due = dana.summary()["balance_due_cents"]
    # The card pays everything and 10.00 more; the bank's 10.00 is all credit.
    paid = _split(dana, due + 1_000, over_cents=2_000)
    assert paid["credit_cents"] == 2_000 and _by_part(paid, BANK) == {}
    assert [p["credit_cents"] for p in paid["parts"]] == [1_000, 1_000]
    assert dana.summary()["credit_cents"] == credit + 1_000  # the card's at once
    assert all(_state(dana, i) == ("paid", 0) for i in _by_part(paid, CARD))
    advance(fresh, 5)
    assert dana.summary()["credit_cents"] == credit + 2_000  # the bank's when it settled
    # Returned instead: the bank's credit is never granted, the card's stays, no invoice reopens.
    r = dana.pay(body({"type": "amount", "amount_cents": 3_000}, card(), ach(R01), amounts=[1_000, None]))
    assert r.status_code == 201, r.text
    returned = r.json()
    assert returned["credit_cents"] == 3_000 and returned["allocations"] == []
    assert [p["credit_cents"] for p in returned["parts"]] == [1_000, 2_000]
    assert dana.summary()["credit_cents"] == credit + 3_000
    advance(fresh, 5)
    assert _payment(fresh, returned["id"])["status"] == "returned"
    assert dana.summary()["credit_cents"] == credit + 3_000  # 20.00 + the card's 10.00, not the bank's
    _adds_up(_statement(fresh, dana.account_id))


def test_a_void_of_a_split_puts_everything_back(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    leaves = _leaves(dana)
    before = dana.summary()
    paid = _split(dana, 50_000, over_cents=1_000)  # the bank part makes 10.00 credit at settlement
    assert dana.summary()["credit_cents"] == before["credit_cents"]
    r = _void(fresh, paid["id"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "voided" and r.json()["allocations"] == []
    for invoice_id, leaf in leaves.items():
        assert _state(dana, invoice_id) == (leaf["status"], leaf["balance_cents"])
    assert dana.summary() == before
    advance(fresh, 5)  # the bank part was never sent: nothing settles, no credit
    assert dana.summary()["credit_cents"] == before["credit_cents"]
    assert _payment(fresh, paid["id"])["status"] == "voided"


def test_a_void_of_a_split_takes_back_the_credit_its_card_part_made(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    before = dana.summary()
    paid = _split(dana, before["balance_due_cents"] + 1_500, over_cents=2_500)
    assert dana.summary()["credit_cents"] == before["credit_cents"] + 1_500
    r = _void(fresh, paid["id"])
    assert r.status_code == 200, r.text
    assert dana.summary() == before


def test_a_refund_of_a_settled_split_reopens_only_what_the_card_paid(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    paid = _split(dana, 50_000)
    by_card, by_bank = _by_part(paid, CARD), _by_part(paid, BANK)
    advance(fresh, 5)  # settled: refunded, not voided
    assert _payment(fresh, paid["id"])["status"] == "succeeded"
    r = _refund(fresh, paid["id"])  # all it can: the card's 500.00, never its fee
    assert r.status_code == 201, r.text
    assert r.json()["amount_cents"] == 50_000
    for invoice_id in {*by_card, *by_bank}:
        owed = by_card.get(invoice_id, 0)
        assert _state(dana, invoice_id) == (("open", owed) if owed else ("paid", 0)), invoice_id
    assert dana.summary()["balance_due_cents"] == 50_000
    stored = _payment(fresh, paid["id"])
    assert stored["status"] == "refunded"
    assert _by_part(stored, CARD) == {} and _by_part(stored, BANK) == by_bank
    statement = _statement(fresh, dana.account_id)
    _adds_up(statement)
    summary = dana.summary()
    assert statement["closing_balance_cents"] == summary["balance_due_cents"] - summary["credit_cents"]


def test_the_statement_keeps_a_running_balance_through_a_split(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    opening = _statement(fresh, dana.account_id)["closing_balance_cents"]
    paid = _split(dana, 50_000)
    statement = _statement(fresh, dana.account_id)
    _adds_up(statement)
    mine = [i for i in statement["items"] if i["reference"] == paid["confirmation_number"]]
    assert sum(i["amount_cents"] for i in mine) == -paid["amount_cents"]
    assert statement["closing_balance_cents"] == opening - paid["amount_cents"]
    csv_text = fresh.get(f"/v1/accounts/{dana.account_id}/statement", DANA, params={"format": "csv"}).text
    assert paid["confirmation_number"] in csv_text
    advance(fresh, 5)
    statement = _statement(fresh, dana.account_id)
    _adds_up(statement)
    summary = dana.summary()
    assert statement["closing_balance_cents"] == summary["balance_due_cents"] - summary["credit_cents"]
