"""The money rules of void and refund (billing.refunds), and their statement lines (billing.statement):
a refund comes out of the payment's credit first, then reopens its allocations newest first; never a fee
that is not refundable; a void only when every part can be voided."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_stub.billing.refunds import (
    PartFacts,
    by_part,
    refund_refusal,
    refund_status,
    refundable_cents,
    split_refund,
    void_refusal,
)
from backend_stub.billing.statement import build, ledger

TODAY = date(2026, 11, 15)
CARD = PartFacts("card", "succeeded", 10_000)
BANK_PENDING = PartFacts("ach", "pending", 5_000)
BANK_SETTLED = PartFacts("ach", "succeeded", 5_000)
BANK_RETURNED = PartFacts("ach", "returned", 5_000)


def test_credit_goes_first_then_the_newest_allocation() -> None:
    split = split_refund([3_000, 2_000], credit_left=500, amount=1_200)
    assert (split.from_credit_cents, split.reopened, split.fee_cents) == (500, [0, 700], 0)
    split = split_refund([3_000, 2_000], credit_left=0, amount=2_500)
    assert split.reopened == [500, 2_000]


def test_beyond_the_money_a_refund_is_a_refundable_fee() -> None:
    split = split_refund([1_000], credit_left=0, amount=1_030)
    assert (split.reopened, split.fee_cents) == ([1_000], 30)


def test_a_refund_is_positive() -> None:
    with pytest.raises(ValueError):
        split_refund([1_000], 0, 0)


allocations = st.lists(st.integers(min_value=1, max_value=100_000), min_size=0, max_size=6)


@given(allocations, st.integers(min_value=0, max_value=50_000), st.data())
def test_a_split_adds_up_and_takes_no_allocation_before_a_newer_one_is_empty(
    amounts: list[int], credit: int, data: st.DataObject
) -> None:
    total = sum(amounts) + credit
    if total == 0:
        return
    amount = data.draw(st.integers(min_value=1, max_value=total))
    split = split_refund(amounts, credit, amount)
    assert split.from_credit_cents + sum(split.reopened) + split.fee_cents == amount
    assert split.fee_cents == 0
    assert split.from_credit_cents == min(credit, amount)  # credit first
    assert all(0 <= back <= held for back, held in zip(split.reopened, amounts, strict=True))
    touched = [i for i, back in enumerate(split.reopened) if back]
    if touched:  # newest first: every allocation after the oldest one touched is given back in full
        assert all(split.reopened[i] == amounts[i] for i in range(touched[0] + 1, len(amounts)))


@given(
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=4),
    st.data(),
)
def test_refunds_fall_on_the_card_parts_in_order_and_add_up(
    capacities: list[int], data: st.DataObject
) -> None:
    total = sum(capacities)
    already = data.draw(st.integers(min_value=0, max_value=total - 1))
    amount = data.draw(st.integers(min_value=1, max_value=total - already))
    shares = by_part(capacities, already, amount)
    assert sum(shares) == amount
    # Two refunds in a row fall exactly where one refund of both would.
    first = data.draw(st.integers(min_value=0, max_value=amount))
    one = by_part(capacities, already, first) if first else [0] * len(capacities)
    two = by_part(capacities, already + first, amount - first) if amount - first else [0] * len(capacities)
    assert [a + b for a, b in zip(one, two, strict=True)] == shares


def test_refunds_never_beyond_what_the_card_parts_paid() -> None:
    with pytest.raises(ValueError):
        by_part([1_000], 900, 200)


def test_refundable_is_card_money_and_refundable_fees_only() -> None:
    parts = [PartFacts("card", "succeeded", 10_000, refundable_fee_cents=300), BANK_SETTLED]
    assert refundable_cents(parts) == 10_300
    assert refundable_cents([PartFacts("card", "succeeded", 10_000)]) == 10_000  # a convenience fee: never
    assert refund_status(10_300, 10_300) == "refunded"
    assert refund_status(100, 10_300) == "partially_refunded"


@pytest.mark.parametrize(
    ("status", "made_on", "refunded", "parts", "voidable"),
    [
        ("succeeded", TODAY, 0, [CARD], True),
        ("succeeded", date(2026, 11, 14), 0, [CARD], False),  # yesterday's card payment: refund it
        ("pending", date(2026, 11, 10), 0, [BANK_PENDING], True),  # a pending bank payment, any day
        ("pending", TODAY, 0, [CARD, BANK_PENDING], True),  # a split, every part voidable
        ("pending", date(2026, 11, 14), 0, [CARD, BANK_PENDING], False),  # its card part is old
        ("succeeded", date(2026, 11, 10), 0, [BANK_SETTLED], False),  # settled: the debit was sent
        ("partially_refunded", TODAY, 100, [CARD], False),
        ("voided", TODAY, 0, [CARD], False),
        ("returned", TODAY, 0, [BANK_SETTLED], False),
        ("returned", date(2026, 11, 10), 0, [CARD, BANK_RETURNED], False),  # refund the card part
    ],
)
def test_what_can_be_voided(status: str, made_on: date, refunded: int, parts: list, voidable: bool) -> None:
    refusal = void_refusal(status, made_on, TODAY, refunded, parts)
    assert (refusal is None) == voidable
    assert refusal is None or refusal.endswith(".")


@pytest.mark.parametrize(
    ("status", "parts", "refundable"),
    [
        ("succeeded", [CARD], True),
        ("partially_refunded", [CARD], True),
        ("succeeded", [CARD, BANK_SETTLED], True),
        ("pending", [BANK_PENDING], False),
        ("succeeded", [BANK_SETTLED], False),
        ("refunded", [CARD], False),
        ("voided", [CARD], False),
        ("returned", [BANK_SETTLED], False),
        ("returned", [BANK_RETURNED], False),
        ("returned", [CARD, BANK_RETURNED], True),  # a split: its card part's money stayed paid
    ],
)
def test_what_can_be_refunded(status: str, parts: list, refundable: bool) -> None:
    assert (refund_refusal(status, parts) is None) == refundable


def test_a_returned_split_is_refunded_until_its_card_part_is_given_back_and_stays_returned() -> None:
    parts = [CARD, BANK_RETURNED]
    assert refundable_cents(parts) == 10_000  # the card's money only: the bank's came back already
    assert refund_refusal("returned", parts, refunded_cents=9_999) is None
    refusal = refund_refusal("returned", parts, refunded_cents=10_000)
    assert refusal is not None and "in full" in refusal
    assert refund_status(10_000, 10_000, "returned") == "returned"
    assert refund_status(100, 10_000, "returned") == "returned"
    assert refund_status(100, 10_000, "succeeded") == "partially_refunded"


def test_a_pending_split_says_its_card_part_is_refunded_after_the_bank_answers() -> None:
    refusal = refund_refusal("pending", [CARD, BANK_PENDING])
    assert refusal is not None and "once the bank part settles or is returned" in refusal
    assert refund_refusal("pending", [BANK_PENDING]) == "A pending bank payment is voided, not refunded."


def _payment(**over: object) -> dict:
    return {
        "id": 1,
        "confirmation_number": "PD-TEST",
        "status": "succeeded",
        "amount_cents": 10_000,
        "fees_cents": 175,
        "total_cents": 10_175,
        "created_at": datetime(2026, 11, 15, 10),
        "settles_on": None,
        "return_code": None,
        "voided_at": None,
        **over,
    }


INVOICE = {
    "id": 9,
    "number": "INV-9",
    "issued_on": date(2026, 11, 1),
    "amount_cents": 10_000,
    "children_count": 0,
}
PARTS = {
    1: [
        {
            "method_type": "card",
            "brand": "Visa",
            "last4": "4242",
            "bank_name": None,
            "amount_cents": 10_000,
            "status": "succeeded",
        }
    ]
}


def test_a_void_reverses_the_payment_and_its_fees_on_the_statement() -> None:
    voided = _payment(status="voided", voided_at=datetime(2026, 11, 15, 11))
    result = build(ledger([INVOICE], [voided], PARTS), date(2026, 11, 1), date(2026, 11, 30))
    assert [(e.kind, e.amount_cents, e.balance_cents) for e in result.entries] == [
        ("invoice", 10_000, 10_000),
        ("fee", 175, 10_175),
        ("payment", -10_175, 0),
        ("void", 10_175, 10_175),
        ("void", -175, 10_000),
    ]
    assert result.closing_balance_cents == 10_000  # owed again, no fee charged


def test_each_refund_is_a_line_on_its_day() -> None:
    paid = _payment(status="partially_refunded")
    refunds = {1: [{"id": 5, "amount_cents": 2_500, "created_at": datetime(2026, 11, 16, 9)}]}
    result = build(ledger([INVOICE], [paid], PARTS, refunds), date(2026, 11, 1), date(2026, 11, 30))
    last = result.entries[-1]
    assert (last.kind, last.date, last.amount_cents, last.balance_cents) == (
        "refund",
        date(2026, 11, 16),
        2_500,
        2_500,
    )
    assert result.closing_balance_cents == 2_500  # the fee stays charged: it was not refundable
