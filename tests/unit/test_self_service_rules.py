"""Pure self-service rules: phone numbers, addresses, password rules, statement balances and CSV dollars."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_stub.billing.money import plain_dollars as dollars
from backend_stub.billing.statement import Entry, build, months_before
from backend_stub.contact_info import clean_address, display_phone, normalise_phone
from backend_stub.password_rules import password_problem


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("(541) 555-0142", "+15415550142"),
        ("541.555.0142", "+15415550142"),
        ("+1 541 555 0142", "+15415550142"),
        ("1-541-555-0142", "+15415550142"),
        ("5415550142", "+15415550142"),
        ("555-0142", None),
        ("(041) 555-0142", None),
        ("541 155 0142", None),
        ("+44 20 7946 0958", None),
        ("541-555-01422", None),
        ("phone", None),
    ],
)
def test_phone_numbers(raw: str, stored: str | None) -> None:
    assert normalise_phone(raw) == stored
    if stored:
        assert display_phone(stored) == "+1 541-555-0142" and display_phone(
            display_phone(stored)
        ) == display_phone(stored)


def test_addresses() -> None:
    assert clean_address("  1 Main St  ") == "1 Main St"
    assert clean_address("") is None and clean_address("   ") is None
    assert clean_address("a\nb") is None and clean_address("x" * 301) is None and clean_address("x" * 300)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Blue-Heron-42", True),
        ("correcthorsebattery9", True),
        ("short1A", False),
        ("alllowercaseletters", False),
        ("1234567890123", False),
        ("Whitfield-Eugene-1", True),
        ("my-dana-password-1", False),
        ("x" * 129 + "A", False),
    ],
)
def test_password_rules(password: str, ok: bool) -> None:
    assert (password_problem(password, "dana@example.com") is None) is ok


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(date(2026, 11, 15), 36) == date(2023, 11, 15)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(-50_000, 50_000)), max_size=40), st.integers(0, 60))
def test_running_balance_adds_up(events: list[tuple[int, int]], start_day: int) -> None:
    base = date(2026, 1, 1)
    entries = [
        Entry(date.fromordinal(base.toordinal() + d), "invoice" if a >= 0 else "payment", "", "", a, seq=(i,))
        for i, (d, a) in enumerate(events)
    ]
    start = date.fromordinal(base.toordinal() + start_day)
    end = date.fromordinal(start.toordinal() + 10)
    result = build(entries, start, end)
    assert result.opening_balance_cents == sum(e.amount_cents for e in entries if e.date < start)
    balance = result.opening_balance_cents
    for entry in result.entries:
        balance += entry.amount_cents
        assert entry.balance_cents == balance and start <= entry.date <= end
    assert balance == result.closing_balance_cents
    assert [e.date for e in result.entries] == sorted(e.date for e in result.entries)


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "0.00"), (5, "0.05"), (12550, "125.50"), (-12550, "-125.50"), (-5, "-0.05")]
)
def test_csv_dollars(cents: int, text: str) -> None:
    assert dollars(cents) == text
