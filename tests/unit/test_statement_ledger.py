"""The statement as billing holds it: the ledger, the range, and the one 36-month window."""

from __future__ import annotations

from datetime import date, datetime

from backend_stub.billing.dates import history_start
from backend_stub.billing.problems import Problem
from backend_stub.billing.statement import build, ledger, statement_range

INVOICE = {
    "id": 1,
    "number": "INV-1",
    "issued_on": date(2026, 10, 1),
    "amount_cents": 5_000,
    "children_count": 0,
}
CARD = {"method_type": "card", "brand": "visa", "last4": "4242", "bank_name": None}


def _payment(**extra: object) -> dict:
    return {
        "id": 7,
        "confirmation_number": "PD-7",
        "status": "succeeded",
        "fees_cents": 0,
        "total_cents": 5_000,
        "created_at": datetime(2026, 10, 5, 14, 5),
        "settles_on": None,
        "return_code": None,
        **extra,
    }


def test_a_card_payment_with_a_fee_is_a_fee_then_the_payment() -> None:
    pay = _payment(fees_cents=175, total_cents=5_175)
    parts = {7: [{**CARD, "amount_cents": 5_000, "status": "succeeded"}]}
    result = build(ledger([INVOICE], [pay], parts), date(2026, 10, 1), date(2026, 10, 31))
    assert [(e.kind, e.description, e.amount_cents, e.balance_cents) for e in result.entries] == [
        ("invoice", "Invoice INV-1", 5_000, 5_000),
        ("fee", "Fees on payment PD-7", 175, 5_175),
        ("payment", "Payment, Visa •••• 4242", -5_175, 0),
    ]


def test_a_returned_bank_payment_puts_the_money_back_on_its_return_day() -> None:
    bank = {"method_type": "ach", "brand": None, "last4": "6789", "bank_name": "First Example Bank"}
    pay = _payment(status="returned", settles_on=date(2026, 10, 8), return_code="R01")
    parts = {7: [{**bank, "amount_cents": 5_000, "status": "returned"}]}
    entries = build(ledger([INVOICE], [pay], parts), date(2026, 10, 1), date(2026, 10, 31)).entries
    assert [(e.date, e.kind, e.amount_cents) for e in entries][-1] == (date(2026, 10, 8), "ach_return", 5_000)
    assert entries[-1].description == "Bank payment returned (R01)"


def test_the_range_defaults_to_twelve_months_and_refuses_what_cannot_be_shown() -> None:
    today = date(2026, 11, 15)
    assert statement_range(None, None, today) == (date(2025, 11, 16), today)
    backwards = statement_range(date(2026, 11, 2), date(2026, 11, 1), today)
    assert isinstance(backwards, Problem) and backwards.code == "invalid_range"
    too_old = statement_range(date(2023, 11, 14), None, today)
    assert isinstance(too_old, Problem) and too_old.code == "range_too_old" and too_old.param == "from"


def test_history_and_statements_share_one_window_clamped_to_the_month_end() -> None:
    assert history_start(date(2026, 11, 15)) == date(2023, 11, 15)
    assert history_start(date(2027, 2, 28)) == date(2024, 2, 28)
    assert history_start(date(2026, 5, 31)) == date(2023, 5, 31)  # day 28 before the fix
    assert history_start(date(2027, 3, 31)) == date(2024, 3, 31)
    assert history_start(date(2028, 2, 29)) == date(2025, 2, 28)
