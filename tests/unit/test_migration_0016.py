"""0016 (each allocation names its part) on a database with payments made before it: a one-part payment's
allocations belong to its part; a split's are attributed as payments now are (card first, to the oldest
invoices; an invoice both parts share gets a row for each); a split still pending has its card money paid
and its card credit granted. Down to 0015 the rows merge and the card money is pending again; up again
works, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Connection, Engine, text

from backend_stub.store.db import reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate

AT = datetime(2026, 11, 20, 14, 5)


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    return empty_engine


def _invoice(conn: Connection, id_: int, due: date, amount: int, pending: int, **more: object) -> None:
    values = {
        "id": id_,
        "number": f"INV-{id_}",
        "due": due,
        "amount": amount,
        "pending": pending,
        "state": "in_progress" if pending else "paid",
        "parent": more.get("parent_id"),
        "kids": more.get("children_count", 0),
    }
    conn.execute(
        text(
            "INSERT INTO invoices (id, account_id, number, issued_on, due_on, amount_cents, balance_cents, "
            "pending_cents, state, pay_state, parent_id, children_count) "
            "VALUES (:id, 1, :number, :due, :due, :amount, 0, :pending, 'sent', :state, :parent, :kids)"
        ),
        values,
    )


def _payment(conn: Connection, id_: int, status: str, credit: int, parts: list, allocations: list) -> None:
    amount = sum(a for _, _, a, _ in parts)
    conn.execute(
        text(
            "INSERT INTO payments (id, account_id, confirmation_number, status, amount_cents, fees_cents, "
            "total_cents, credit_cents, channel, created_at) "
            "VALUES (:id, 1, :code, :status, :amount, 0, :amount, :credit, 'online', :at)"
        ),
        {"id": id_, "code": f"PD-{id_}", "status": status, "amount": amount, "credit": credit, "at": AT},
    )
    for part_id, kind, cents, part_status in parts:
        conn.execute(
            text(
                "INSERT INTO payment_parts "
                "(id, payment_id, method_type, last4, amount_cents, fee_cents, status) "
                "VALUES (:id, :p, :kind, '4242', :cents, 0, :status)"
            ),
            {"id": part_id, "p": id_, "kind": kind, "cents": cents, "status": part_status},
        )
    for invoice_id, cents in allocations:
        conn.execute(
            text("INSERT INTO allocations (payment_id, invoice_id, amount_cents) VALUES (:p, :i, :a)"),
            {"p": id_, "i": invoice_id, "a": cents},
        )


def _before(engine: Engine) -> None:
    with writing(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, account_number, first_name, last_name, email, service_address, "
                "paperless, sms_opt_in, autopay_enabled, credit_cents) "
                "VALUES (1, '4100012345', 'Dana', 'W', 'dana@example.com', '1 Main St', "
                "false, false, false, 0)"
            )
        )
        _invoice(conn, 1, date(2026, 10, 1), 40_000, 40_000)
        _invoice(conn, 4, date(2026, 11, 1), 30_000, 30_000, children_count=1)  # a multi-site parent
        _invoice(conn, 2, date(2026, 11, 1), 30_000, 30_000, parent_id=4)
        _invoice(conn, 3, date(2026, 12, 1), 20_000, 0)
        _invoice(conn, 5, date(2026, 12, 5), 5_000, 5_000)
        # A pending split, made when all of it was pending: 500.00 card, 250.00 bank, 50.00 of it credit.
        _payment(
            conn,
            10,
            "pending",
            5_000,
            [(100, "card", 50_000, "succeeded"), (101, "ach", 25_000, "pending")],
            [(1, 40_000), (2, 30_000)],
        )
        _payment(conn, 11, "succeeded", 0, [(110, "card", 20_000, "succeeded")], [(3, 20_000)])
        # A pending split whose card part alone is more than the invoice: 10.00 of card credit.
        _payment(
            conn,
            12,
            "pending",
            2_000,
            [(120, "ach", 1_000, "pending"), (121, "card", 6_000, "succeeded")],
            [(5, 5_000)],
        )


def _rows(engine: Engine) -> list[tuple]:
    with reading(engine) as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT payment_id, invoice_id, amount_cents, part_id FROM allocations ORDER BY id")
            )
        ]


def _money(engine: Engine) -> dict[int, tuple[int, str]]:
    with reading(engine) as conn:
        rows = conn.execute(text("SELECT id, pending_cents, pay_state FROM invoices ORDER BY id"))
        return {r.id: (r.pending_cents, r.pay_state) for r in rows}


def _credit(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(text("SELECT credit_cents FROM accounts")).scalar_one()


def test_old_allocations_get_their_parts_and_a_pending_splits_card_money_is_paid(engine: Engine) -> None:
    migrate(engine, "upgrade", "0015")
    _before(engine)
    money_before = _money(engine)
    upgrade(engine)
    assert _rows(engine) == [
        (11, 3, 20_000, 110),  # a one-part payment's: its part
        (10, 1, 40_000, 100),  # the card first, on the oldest
        (10, 2, 10_000, 100),
        (10, 2, 20_000, 101),  # the bank the rest (and the 50.00 credit, granted when it settles)
        (12, 5, 5_000, 121),  # the card part first though recorded second; the bank part is all credit
    ]
    assert _money(engine) == {
        1: (0, "paid"),
        2: (20_000, "in_progress"),
        3: (0, "paid"),
        4: (20_000, "in_progress"),  # the parent follows its child
        5: (0, "paid"),
    }
    assert _credit(engine) == 1_000  # the card part of payment 12 made 10.00 credit: granted now
    migrate(engine, "downgrade", "0015")
    with reading(engine) as conn:
        rows = conn.execute(text("SELECT payment_id, invoice_id, amount_cents FROM allocations ORDER BY id"))
        assert sorted(tuple(r) for r in rows) == [
            (10, 1, 40_000),
            (10, 2, 30_000),
            (11, 3, 20_000),
            (12, 5, 5_000),
        ]
    assert _money(engine) == money_before and _credit(engine) == 0
    upgrade(engine)
    assert [r[3] for r in _rows(engine)] == [110, 100, 100, 101, 121]
