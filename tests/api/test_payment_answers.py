"""A payment's answer is built from the rows it wrote, not read back: it must be exactly what the server
answers for that payment afterwards (GET /v1/payments/{id}, the history), for every shape of payment."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.paying import DANA, Payer, ach, body, card, invoices_target, multi, singles


def _stored(payer: Payer, paid: dict) -> dict:
    answer = payer.api.http.get(f"/v1/payments/{paid['id']}", headers=payer.headers())
    assert answer.status_code == 200, answer.text
    return answer.json()


def _same_as_stored(payer: Payer, paid: dict) -> None:
    stored = _stored(payer, paid)
    assert {**stored, "saved_payment_method_ids": paid["saved_payment_method_ids"]} == paid
    listed = next(p for p in payer.history()["items"] if p["id"] == paid["id"])
    assert {**listed, "saved_payment_method_ids": paid["saved_payment_method_ids"]} == paid


def test_a_split_payment_on_one_invoice_answers_what_is_stored(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    paid = dana.paid(body(invoices_target(invoice["id"]), card(), ach(), amounts=[5_000, None]))
    assert [a["part_index"] for a in paid["allocations"]] == [0, 1]
    _same_as_stored(dana, paid)


def test_a_multi_site_payment_by_bank_answers_what_is_stored(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    paid = dana.paid(body(invoices_target(multi(dana)["id"]), ach()))
    assert len(paid["allocations"]) > 1
    _same_as_stored(dana, paid)


def test_a_saved_card_and_credit_answer_what_is_stored(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    owed = sum(i["balance_cents"] for i in dana.open_invoices())
    target = {"type": "amount", "amount_cents": owed + 1_234}
    paid = dana.paid(body(target, card(save=True)))
    assert paid["credit_cents"] == 1_234 and len(paid["saved_payment_method_ids"]) == 1
    _same_as_stored(dana, paid)
