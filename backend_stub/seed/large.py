"""The `large` seed's extra account: big@example.com with 10,000 invoices over 36 months."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from backend_stub.billing.dates import due_date
from backend_stub.billing.status import pay_state
from backend_stub.seed.builder import DEMO_TODAY, Item, Seeder, line_item_row
from backend_stub.store.tables import (
    invoices,
    line_items,
)

LARGE_COUNT = 10_000
LARGE_DAYS = 1_096  # 36 months
CHUNK = 2_000


def build_large(s: Seeder) -> None:
    """big@example.com: 10,000 invoices over 36 months, several a day, a few dozen still open."""
    big = s.user("big@example.com", "Bailey Volume")
    account_id = s.account(
        big,
        "4100055555",
        "Bailey",
        "Volume",
        "big@example.com",
        phone="+1 541-555-0199",
        service_address="1 Industrial Park Way, Springfield, OR 97477",
    )
    start = DEMO_TODAY - timedelta(days=LARGE_DAYS - 1)
    rng = s.rng
    for chunk_start in range(0, LARGE_COUNT, CHUNK):
        rows, items_per_row = [], []
        for i in range(chunk_start, min(chunk_start + CHUNK, LARGE_COUNT)):
            issued = start + timedelta(days=i * LARGE_DAYS // LARGE_COUNT)
            used = rng.randint(20, 400)
            items = [
                Item(f"Water usage {used} kgal, meter {i % 37 + 1}", used, 412),
                Item("Service charge", 1, 1_850),
            ]
            amount = sum(item.amount_cents for item in items)
            is_open = (DEMO_TODAY - issued).days < 45 and i % 7 == 0
            balance = amount if is_open else 0
            s.invoice_seq += 1
            rows.append(
                {
                    "account_id": account_id,
                    "number": f"INV-{issued.year}-{s.invoice_seq:05d}",
                    "issued_on": issued,
                    "due_on": due_date(issued),
                    "amount_cents": amount,
                    "balance_cents": balance,
                    "pending_cents": 0,
                    "state": "sent",
                    "pay_state": pay_state(balance, 0),
                    "parent_id": None,
                    "site_id": None,
                    "children_count": 0,
                }
            )
            items_per_row.append(items)
        ids = (
            s.conn.execute(insert(invoices).returning(invoices.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        s.conn.execute(
            line_items.insert(),
            [
                line_item_row(invoice_id, position, item)
                for invoice_id, items in zip(ids, items_per_row, strict=True)
                for position, item in enumerate(items)
            ],
        )
