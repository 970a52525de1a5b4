"""The money rules in backend_stub.billing: plain functions, so properties hold for any input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend_stub.billing.dates import add_business_days, due_date
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.status import is_past_due, is_visible, parent_pay_state, pay_state
from backend_stub.billing.summary import InvoiceGroup, summarize

cents = st.integers(min_value=0, max_value=10**12)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
states = st.sampled_from(["open", "in_progress", "paid"])


@given(cents, cents)
def test_pay_state(balance: int, pending: int) -> None:
    state = pay_state(balance, pending)
    if pending:
        assert state == "in_progress"
    elif balance:
        assert state == "open"
    else:
        assert state == "paid"


def test_pay_state_refuses_negative_money() -> None:
    with pytest.raises(ValueError):
        pay_state(-1, 0)


@given(st.lists(states, min_size=1))
def test_parent_follows_its_children(children: list[str]) -> None:
    state = parent_pay_state(children)  # type: ignore[arg-type]
    if "open" in children:
        assert state == "open"
    elif "in_progress" in children:
        assert state == "in_progress"
    else:
        assert state == "paid"


@given(states, days, days)
def test_only_open_invoices_due_before_today_are_past_due(state: str, due_on: date, today: date) -> None:
    assert is_past_due(state, due_on, today) == (state == "open" and due_on < today)


def test_visibility() -> None:
    assert is_visible("sent") and not is_visible("unsent") and not is_visible("void")


groups = st.builds(
    InvoiceGroup,
    pay_state=states,
    due_on=days,
    count=st.integers(min_value=1, max_value=50),
    balance_cents=cents,
    pending_cents=cents,
)


@given(st.lists(groups, max_size=30), cents, days)
def test_summary_adds_up(items: list[InvoiceGroup], credit: int, today: date) -> None:
    summary = summarize(items, credit, today)
    open_items = [g for g in items if g.pay_state == "open"]
    late = [g for g in open_items if g.due_on < today]
    upcoming = [g.due_on for g in open_items if g.due_on >= today]
    assert summary.balance_due_cents == sum(g.balance_cents for g in items)
    assert summary.in_progress_cents == sum(g.pending_cents for g in items)
    assert summary.past_due_cents == sum(g.balance_cents for g in late) <= summary.balance_due_cents
    assert summary.open_count == sum(g.count for g in open_items)
    assert summary.past_due_count == sum(g.count for g in late) <= summary.open_count
    assert summary.next_due_on == (min(upcoming) if upcoming else None)
    assert summary.credit_cents == credit and summary.today == today


def test_summary_of_nothing() -> None:
    summary = summarize([], 0, date(2026, 11, 15))
    assert (summary.balance_due_cents, summary.open_count, summary.next_due_on) == (0, 0, None)


@given(days, st.integers(min_value=0, max_value=60))
def test_business_days_skip_weekends(start: date, count: int) -> None:
    end = add_business_days(start, count)
    assert end >= start
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == count
    if count:
        assert end.weekday() < 5


def test_ach_settles_three_business_days_later() -> None:
    assert add_business_days(date(2026, 11, 12), 3) == date(2026, 11, 17)  # Thu -> Tue
    assert due_date(date(2026, 11, 1)) == date(2026, 11, 22)


def test_method_labels() -> None:
    assert method_label("card", "visa", "4242") == "Visa •••• 4242"
    assert method_label("card", "amex", "0005") == "American Express •••• 0005"
    assert method_label("ach", None, "6789", "Cascade Community Bank") == "Cascade Community Bank •••• 6789"
    assert method_label("ach", None, "6789") == "Bank account •••• 6789"
    assert (
        combined_label(["Visa •••• 4242", "Visa •••• 4242", "Bank •••• 1"]) == "Visa •••• 4242 + Bank •••• 1"
    )


def test_billing_never_imports_web_or_database_code() -> None:
    import subprocess
    import sys

    code = (
        "import sys, backend_stub.billing.status, backend_stub.billing.summary, backend_stub.billing.dates, "
        "backend_stub.billing.labels; "
        "bad = [m for m in ('fastapi', 'sqlalchemy', 'starlette') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
