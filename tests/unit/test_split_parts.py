"""How a split payment's parts share its allocations (billing.parts.attribute, credits): card parts first,
in order, on the oldest invoices; bank parts the rest; nothing lost or made up."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend_stub.billing.parts import attribute, attribution_order, credits


def test_the_card_pays_the_oldest_and_the_bank_the_rest_sharing_one_invoice() -> None:
    shares = attribute([(1, 40_000), (2, 30_000), (3, 10_000)], ["ach", "card"], [30_000, 50_000])
    assert shares[1].allocations == ((1, 40_000), (2, 10_000)) and shares[1].credit_cents == 0
    assert shares[0].allocations == ((2, 20_000), (3, 10_000)) and shares[0].credit_cents == 0


def test_credit_comes_from_the_last_part_to_take_money() -> None:
    shares = attribute([(1, 5_000)], ["card", "ach"], [6_000, 1_000])
    assert [(s.allocations, s.credit_cents) for s in shares] == [(((1, 5_000),), 1_000), ((), 1_000)]
    assert credits(["card", "ach"], [6_000, 1_000], 5_000) == [1_000, 1_000]
    assert attribution_order(["ach", "card", "ach", "card"]) == [1, 3, 0, 2]


@given(
    st.lists(st.integers(100, 50_000), min_size=1, max_size=8),
    st.lists(st.sampled_from(["card", "ach"]), min_size=1, max_size=5),
    st.integers(0, 20_000),
    st.data(),
)
def test_attribution_conserves_every_cent(
    amounts: list[int], types: list[str], credit: int, data: st.DataObject
) -> None:
    allocations = list(enumerate(amounts))
    total = sum(amounts) + credit
    n = len(types) - 1
    cuts = sorted(data.draw(st.lists(st.integers(1, total - 1), min_size=n, max_size=n, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    shares = attribute(allocations, types, parts)
    for share, amount in zip(shares, parts, strict=True):
        assert sum(c for _, c in share.allocations) + share.credit_cents == amount
    per_invoice: dict[int, int] = {}
    for index in attribution_order(types):
        for invoice_id, cents in shares[index].allocations:
            assert cents > 0
            per_invoice[invoice_id] = per_invoice.get(invoice_id, 0) + cents
    assert per_invoice == dict(allocations)
    # In attribution order the invoices come oldest first: no part goes back to an older one.
    walked = [i for index in attribution_order(types) for i, _ in shares[index].allocations]
    assert walked == sorted(walked)
    assert credits(types, parts, sum(amounts)) == [s.credit_cents for s in shares]
