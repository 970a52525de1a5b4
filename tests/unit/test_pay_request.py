"""The pay wizard's plain parts: the request it builds and where a server's `param` is shown."""

from __future__ import annotations

import pytest

from tui.api import InvoiceRow, Quote, SavedMethodRef
from tui.screens.pay.lines import InvoiceLine
from tui.screens.pay.problems import Spot, spot_for
from tui.screens.pay.request import (
    PHONE_SCRIPT_VERSION,
    amount_target,
    invoices_target,
    payment_parts,
    payment_request,
    with_accepted_fees,
)


@pytest.mark.parametrize(
    ("param", "spot"),
    [
        (None, Spot()),
        ("Idempotency-Key", Spot()),
        ("receipt_email", Spot("how", "receipt_email")),
        ("target", Spot("what", "target")),
        ("target.invoices[2].amount_cents", Spot("what", "target", 2)),
        ("parts", Spot("how", "part_amount", 0)),
        ("parts[1].amount_cents", Spot("how", "part_amount", 1)),
        ("parts[0].method", Spot("how", "method", 0, "number")),
        ("parts[1].method.cvc", Spot("how", "method", 1, "cvc")),
        ("authorization.script_version", Spot("review", "agreed")),
    ],
)
def test_the_server_param_names_a_step_and_a_field(param: str | None, spot: Spot) -> None:
    assert spot_for(param) == spot


def row(invoice_id: int, balance_cents: int) -> InvoiceRow:
    return InvoiceRow.model_validate(
        {
            "id": invoice_id,
            "number": f"INV-{invoice_id}",
            "issued_on": "2026-11-01",
            "due_on": "2026-11-30",
            "amount_cents": balance_cents,
            "balance_cents": balance_cents,
            "status": "open",
            "past_due": False,
        }
    )


def test_only_included_lines_are_paid_and_only_edited_ones_name_an_amount() -> None:
    lines = [InvoiceLine(row(1, 5000), 5000), InvoiceLine(row(2, 7000), 2500), InvoiceLine(row(3, 100), 100)]
    lines[2].included = False
    target = invoices_target(lines)
    assert [(i.invoice_id, i.amount_cents) for i in target.invoices] == [(1, None), (2, 2500)]


def test_amounts_splits_and_the_phone_authorization() -> None:
    assert amount_target(None).type == "balance"
    assert amount_target(1234).wire() == {"type": "amount", "amount_cents": 1234}
    card, bank = SavedMethodRef(payment_method_id=1), SavedMethodRef(payment_method_id=2)
    assert [p.amount_cents for p in payment_parts([card])] == [None]
    assert [p.amount_cents for p in payment_parts([card, bank], 4000)] == [4000, None]
    online = payment_request(amount_target(None), payment_parts([card]), "a@example.com", by_phone=False)
    assert online.authorization.kind == "online"
    phone = payment_request(amount_target(None), payment_parts([card]), "a@example.com", by_phone=True)
    assert (phone.authorization.kind, phone.authorization.script_version) == ("phone", PHONE_SCRIPT_VERSION)
    quote = Quote.model_validate(
        {
            "allocations": [],
            "credit_cents": 0,
            "parts": [],
            "fees_cents": 175,
            "total_cents": 175,
            "problems": [],
        }
    )
    assert with_accepted_fees(phone, quote).accepted_fees_cents == 175
    assert phone.accepted_fees_cents == 0  # the reviewed request itself is not changed
