"""The payment rules in backend_stub.billing: allocation, fees, limits, split parts, invoice money."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_stub.billing.allocation import (
    MAX_PAYMENT_CENTS,
    InvoiceBalance,
    Selection,
    Target,
    allocate,
    oldest_first_key,
)
from backend_stub.billing.fees import FeePolicy, fees_for, surcharge_cents
from backend_stub.billing.instruments import (
    BankInput,
    CardInput,
    aba_ok,
    card_brand,
    check_bank,
    check_card,
    luhn_ok,
)
from backend_stub.billing.ledger import InvoiceMoney, parent_totals, reopen, settle, split_return, take
from backend_stub.billing.parts import PartRequest, card_limits, split
from backend_stub.billing.quote import MethodFacts, QuoteRequest, quote

DAY0 = date(2026, 1, 1)


@st.composite
def account_invoices(draw: st.DrawFn) -> list[InvoiceBalance]:
    """Leaf invoices and a multi-site parent or two, balances from 0 up."""
    result: list[InvoiceBalance] = []
    next_id = 1
    for _ in range(draw(st.integers(0, 8))):
        issued = DAY0 + timedelta(days=draw(st.integers(0, 400)))
        due = issued + timedelta(days=draw(st.integers(0, 30)))
        kids = draw(st.integers(0, 3)) if draw(st.booleans()) else 0
        parent_id = next_id
        if kids:
            balances = [draw(st.integers(0, 500_000)) for _ in range(kids)]
            result.append(
                InvoiceBalance(parent_id, f"INV-{parent_id}", issued, due, sum(balances), None, kids)
            )
            next_id += 1
            for balance in balances:
                result.append(InvoiceBalance(next_id, f"INV-{next_id}", issued, due, balance, parent_id, 0))
                next_id += 1
        else:
            balance = draw(st.integers(0, 500_000))
            result.append(InvoiceBalance(parent_id, f"INV-{parent_id}", issued, due, balance))
            next_id += 1
    return result


def _leaves(invoices: list[InvoiceBalance]) -> dict[int, InvoiceBalance]:
    return {i.id: i for i in invoices if i.is_leaf}


@given(account_invoices(), st.integers(1, MAX_PAYMENT_CENTS))
def test_amount_conserves_money_and_goes_oldest_first(invoices: list[InvoiceBalance], amount: int) -> None:
    result = allocate(Target("amount", amount_cents=amount), invoices)
    assert not result.problems
    assert sum(a.amount_cents for a in result.allocations) + result.credit_cents == amount
    leaves = _leaves(invoices)
    for allocation in result.allocations:
        assert 0 < allocation.amount_cents <= leaves[allocation.invoice_id].balance_cents
    # Oldest first: every invoice before the last one touched is paid in full, none after is touched.
    open_leaves = sorted((i for i in leaves.values() if i.balance_cents > 0), key=oldest_first_key)
    touched = [a.invoice_id for a in result.allocations]
    assert touched == [i.id for i in open_leaves[: len(touched)]]
    for allocation in result.allocations[:-1]:
        assert allocation.amount_cents == leaves[allocation.invoice_id].balance_cents
    if result.credit_cents:
        assert len(touched) == len(open_leaves)
        assert all(a.amount_cents == leaves[a.invoice_id].balance_cents for a in result.allocations)


@given(account_invoices())
def test_balance_pays_every_open_balance(invoices: list[InvoiceBalance]) -> None:
    result = allocate(Target("balance"), invoices)
    owed = sum(i.balance_cents for i in invoices if i.is_leaf)
    if owed == 0:
        assert [p.code for p in result.problems] == ["nothing_to_pay"]
    else:
        assert not result.problems and result.credit_cents == 0
        assert result.amount_cents == owed


@given(account_invoices(), st.data())
def test_selected_invoices_never_go_below_zero(invoices: list[InvoiceBalance], data: st.DataObject) -> None:
    top = [i for i in invoices if i.parent_id is None]
    if not top:
        return
    chosen = data.draw(
        st.lists(st.sampled_from(top), min_size=1, max_size=len(top), unique_by=lambda i: i.id)
    )
    selections = []
    for invoice in chosen:
        amount = None
        if invoice.is_leaf and data.draw(st.booleans()):
            amount = data.draw(st.integers(-5, invoice.balance_cents + 5))
        selections.append(Selection(invoice.id, amount))
    result = allocate(Target("invoices", tuple(selections)), invoices)
    if result.problems:
        assert not result.allocations
        return
    leaves = _leaves(invoices)
    assert result.credit_cents == 0
    for allocation in result.allocations:
        assert 0 < allocation.amount_cents <= leaves[allocation.invoice_id].balance_cents
    for selection in selections:
        if selection.amount_cents is not None:
            paid = [a.amount_cents for a in result.allocations if a.invoice_id == selection.invoice_id]
            assert paid == [selection.amount_cents]


def test_parent_stands_for_its_open_children_and_paid_ones_are_refused() -> None:
    parent = InvoiceBalance(1, "P", DAY0, DAY0, 300, None, 3)
    kids = [
        InvoiceBalance(2, "C1", DAY0, DAY0, 100, 1),
        InvoiceBalance(3, "C2", DAY0, DAY0, 0, 1),
        InvoiceBalance(4, "C3", DAY0, DAY0, 200, 1),
    ]
    paid = InvoiceBalance(5, "X", DAY0, DAY0, 0)
    result = allocate(Target("invoices", (Selection(1),)), [parent, *kids, paid])
    assert [(a.invoice_id, a.amount_cents) for a in result.allocations] == [(2, 100), (4, 200)]
    refused = allocate(Target("invoices", (Selection(5),)), [parent, *kids, paid])
    assert [(p.status, p.code, p.param) for p in refused.problems] == [
        (409, "invoice_paid", "target.invoices[0].invoice_id")
    ]
    twice = allocate(Target("invoices", (Selection(1), Selection(2))), [parent, *kids])
    assert twice.problems[0].code == "duplicate_invoice"
    foreign = allocate(Target("invoices", (Selection(99),)), [parent])
    assert foreign.problems[0].status == 404
    above = allocate(Target("invoices", (Selection(2, 101),)), [parent, *kids])
    assert above.problems[0].code == "amount_above_balance"
    many = allocate(Target("invoices", tuple(Selection(i) for i in range(1, 202))), [parent])
    assert many.problems[0].code == "too_many_invoices"


@pytest.mark.parametrize("amount", [0, -1, MAX_PAYMENT_CENTS + 1])
def test_amount_must_be_positive_and_sane(amount: int) -> None:
    assert allocate(Target("amount", amount_cents=amount), []).problems[0].code == "invalid_amount"


# -- fees -------------------------------------------------------------------------------------------
@given(st.integers(1, 10**9), st.integers(0, 300), st.sampled_from(["credit", "debit", "prepaid"]))
def test_fees_are_never_combined(amount: int, bps: int, funding: str) -> None:
    convenience = fees_for("card", funding, amount, FeePolicy("convenience"))
    assert [(f.kind, f.amount_cents, f.refundable) for f in convenience] == [("convenience", 175, False)]
    surcharge = fees_for("card", funding, amount, FeePolicy("surcharge", surcharge_bps=bps))
    if funding != "credit" or surcharge_cents(amount, bps) == 0:
        assert surcharge == []
    else:
        assert [f.kind for f in surcharge] == ["surcharge"]
        exact = amount * bps / 10_000
        assert abs(surcharge[0].amount_cents - exact) <= 0.5
    for policy in (FeePolicy("convenience"), FeePolicy("surcharge")):
        assert fees_for("ach", None, amount, policy) == []


def test_surcharge_rounds_half_up() -> None:
    assert surcharge_cents(50, 300) == 2  # 1.5 -> 2
    assert surcharge_cents(49, 300) == 1  # 1.47 -> 1
    assert surcharge_cents(10_000, 300) == 300


def test_policy_refuses_surcharges_above_three_percent() -> None:
    with pytest.raises(ValueError):
        FeePolicy("surcharge", surcharge_bps=301)
    with pytest.raises(ValueError):
        FeePolicy("both")


# -- parts and limits -------------------------------------------------------------------------------
@given(st.lists(st.integers(1, 100_000), min_size=1, max_size=5), st.booleans())
def test_split_adds_up(amounts: list[int], leave_one_open: bool) -> None:
    total = sum(amounts)
    parts = [PartRequest(a, "card") for a in amounts]
    if leave_one_open:
        parts[-1] = PartRequest(None, "ach")
    result, problems = split(parts, total)
    assert not problems and result == amounts and sum(result) == total
    _, off = split([PartRequest(a, "card") for a in amounts], total + 1)
    assert [p.code for p in off] == ["parts_mismatch"]


def test_split_rules() -> None:
    assert split([], 100)[1][0].code == "invalid_parts"
    assert split([PartRequest(None, "card")] * 2, 100)[1][0].code == "invalid_parts"
    assert split([PartRequest(100, "card"), PartRequest(None, "ach")], 100)[1][0].code == "parts_mismatch"
    assert split([PartRequest(0, "card")], 0)[1][0].code == "invalid_amount"


def test_card_limits() -> None:
    parts = [PartRequest(None, "card"), PartRequest(None, "ach")]
    assert card_limits(parts, [100_000, 5], 100_000, 2) == []
    assert [p.code for p in card_limits(parts, [100_001, 5], 100_000, 0)] == ["card_amount_limit"]
    limited = card_limits(parts, [10, 5], 100_000, 3)
    assert [(p.status, p.code, p.param) for p in limited] == [(402, "card_payment_limit", "parts[0].method")]
    assert card_limits([PartRequest(None, "ach")], [10**6], 100_000, 3) == []


# -- quote ------------------------------------------------------------------------------------------
methods = st.sampled_from(
    [
        MethodFacts("card", "visa", "4242", None, "credit"),
        MethodFacts("card", "visa", "5556", None, "debit"),
        MethodFacts("ach", None, "6789", "Bank", None),
    ]
)


@given(account_invoices(), st.integers(1, 300_000), st.lists(methods, min_size=1, max_size=3), st.booleans())
@settings(max_examples=200)
def test_quote_conserves_money(invoices, amount, part_methods, surcharge) -> None:  # type: ignore[no-untyped-def]
    policy = FeePolicy("surcharge" if surcharge else "convenience")
    share = amount // len(part_methods)
    amounts = tuple([share] * (len(part_methods) - 1) + [None])
    request = QuoteRequest(Target("amount", amount_cents=amount), amounts, tuple(part_methods))
    result = quote(request, invoices, policy, 100_000, 0)
    if result.problems:
        return
    assert sum(a.amount_cents for a in result.allocations) + result.credit_cents == amount
    assert sum(p.amount_cents for p in result.parts) == amount
    assert result.total_cents == amount + sum(f.amount_cents for p in result.parts for f in p.fees)
    assert all(p.amount_cents <= 100_000 for p in result.parts if p.method.type == "card")
    # The same inputs give the same plan: the payment re-runs this under the lock.
    assert quote(request, invoices, policy, 100_000, 0) == result


# -- invoice money ----------------------------------------------------------------------------------
@given(st.integers(1, 10**6), st.integers(0, 10**6), st.data())
def test_take_settle_and_reopen_keep_money(balance: int, pending: int, data: st.DataObject) -> None:
    invoice = InvoiceMoney(1, balance, pending)
    amount = data.draw(st.integers(1, balance))
    paid_now = take(invoice, amount, pending=False)
    assert paid_now.balance_cents == balance - amount and paid_now.pending_cents == pending
    waiting = take(invoice, amount, pending=True)
    assert waiting.state == "in_progress"
    assert settle(waiting, amount) == paid_now
    assert reopen(waiting, amount) == invoice
    with pytest.raises(ValueError):
        take(invoice, balance + 1, pending=False)


def test_parent_totals_follow_children() -> None:
    kids = [InvoiceMoney(2, 0, 0, 1), InvoiceMoney(3, 0, 50, 1), InvoiceMoney(4, 10, 0, 1)]
    assert parent_totals(kids) == (10, 50, "open")
    assert parent_totals(kids[:2]) == (0, 50, "in_progress")
    assert parent_totals(kids[:1]) == (0, 0, "paid")


@given(st.lists(st.integers(1, 10**5), min_size=1, max_size=5), st.integers(0, 10**5), st.data())
def test_split_return_conserves(amounts: list[int], credit: int, data: st.DataObject) -> None:
    returned = data.draw(st.integers(0, sum(amounts) + credit))
    reopened, credit_left = split_return(amounts, credit, returned)
    assert sum(reopened) + (credit - credit_left) == returned
    assert all(0 <= r <= a for r, a in zip(reopened, amounts, strict=True))


# -- what people type -------------------------------------------------------------------------------
def test_luhn_brand_and_aba() -> None:
    for number, brand in [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("4000056655665556", "visa"),
        ("5105105105105100", "mastercard"),
    ]:
        assert luhn_ok(number) and card_brand(number) == brand
    assert not luhn_ok("4242424242424241")
    assert aba_ok("110000000") and aba_ok("021000021") and not aba_ok("110000001") and not aba_ok("12345678")


def test_card_and_bank_checks() -> None:
    today = date(2026, 11, 15)
    ok = CardInput("4242 4242 4242 4242", 11, 2026, "123")
    assert check_card(ok, today, "m") == []
    codes = [
        (p.code, p.param) for p in check_card(CardInput("4242424242424241", 10, 2026, "1234"), today, "m")
    ]
    assert codes == [
        ("invalid_card_number", "m.number"),
        ("invalid_expiry", "m.exp_year"),
        ("invalid_cvc", "m.cvc"),
    ]
    assert check_card(CardInput("378282246310005", 1, 2030, "1234"), today, "m") == []
    assert [p.code for p in check_card(CardInput("378282246310005", 1, 2030, "123"), today, "m")] == [
        "invalid_cvc"
    ]
    assert [p.code for p in check_card(CardInput("4242424242424242", 13, 2030, "123"), today, "m")] == [
        "invalid_expiry"
    ]
    assert check_bank(BankInput("110000000", "000123456789", "checking"), "m") == []
    bad = check_bank(BankInput("110000001", "12", "checking"), "m")
    assert [p.code for p in bad] == ["invalid_routing_number", "invalid_account_number"]
    for problem in check_card(CardInput("4242424242424241", 1, 2020, "1"), today, "m"):
        assert "4242" not in problem.message
