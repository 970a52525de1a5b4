"""Each allocation records the part of the payment whose money it is (`allocations.part_id`): card parts
pay the oldest invoices, at once; bank parts take what is left, pending until they settle.

Rows made before: a one-part payment's allocations belong to its part. A split payment's are attributed
the way payments now are (card parts first, in order, over the allocations oldest first, then the bank
parts; an invoice two parts share gets a row for each), which is also the order a bank return and a refund
took money back in, so settled history reads the same. A split still pending held its card money as
pending too: that money is paid now, and any credit its card parts made is granted (a bank part's
credit waits for its settlement, as before). Down again, the rows of one invoice merge and a pending
split's card money is pending once more.

`allocations` is rebuilt in batch on SQLite: no table points at it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAY_STATE = (
    "CASE WHEN pending_cents > 0 THEN 'in_progress' WHEN balance_cents > 0 THEN 'open' ELSE 'paid' END"
)


def upgrade() -> None:
    with op.batch_alter_table("allocations") as batch:
        batch.add_column(sa.Column("part_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_allocations_part_id_payment_parts"),
            "payment_parts",
            ["part_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_allocations_part_id"), ["part_id"], unique=False)
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE allocations SET part_id = (SELECT min(p.id) FROM payment_parts p "
            "WHERE p.payment_id = allocations.payment_id) "
            "WHERE payment_id IN "
            "(SELECT payment_id FROM payment_parts GROUP BY payment_id HAVING count(*) = 1)"
        )
    )
    for payment in _split_payments(conn):
        _attribute(conn, payment)
        if payment["status"] == "pending":
            _card_money(conn, payment, paid=True)


def downgrade() -> None:
    conn = op.get_bind()
    for payment in _split_payments(conn):
        if payment["status"] == "pending":
            _card_money(conn, payment, paid=False)
        _merge(conn, payment["id"])
    with op.batch_alter_table("allocations") as batch:
        batch.drop_index(op.f("ix_allocations_part_id"))
        batch.drop_constraint(op.f("fk_allocations_part_id_payment_parts"), type_="foreignkey")
        batch.drop_column("part_id")


# -- the rows, in plain SQL (a migration keeps its own copy of the rule: the code may change later) --------
def _split_payments(conn: sa.Connection) -> list[sa.RowMapping]:
    return list(
        conn.execute(
            sa.text(
                "SELECT id, account_id, status, credit_cents FROM payments WHERE id IN "
                "(SELECT payment_id FROM payment_parts GROUP BY payment_id HAVING count(*) > 1) ORDER BY id"
            )
        ).mappings()
    )


def _parts(conn: sa.Connection, payment_id: int) -> list[sa.RowMapping]:
    """The parts in the order they take money: cards first, then banks, each in the order recorded."""
    rows = conn.execute(
        sa.text("SELECT id, method_type, amount_cents FROM payment_parts WHERE payment_id = :p ORDER BY id"),
        {"p": payment_id},
    ).mappings()
    parts = list(rows)
    return [p for p in parts if p["method_type"] != "ach"] + [p for p in parts if p["method_type"] == "ach"]


def _attribute(conn: sa.Connection, payment: sa.RowMapping) -> None:
    """Replace the payment's allocations by one row per (invoice, part), cards filling the oldest first."""
    queue = [
        [row.invoice_id, row.amount_cents]
        for row in conn.execute(
            sa.text("SELECT invoice_id, amount_cents FROM allocations WHERE payment_id = :p ORDER BY id"),
            {"p": payment["id"]},
        )
    ]
    rows = []
    for part in _parts(conn, payment["id"]):
        left = part["amount_cents"]
        while left > 0 and queue:
            take = min(left, queue[0][1])
            rows.append({"p": payment["id"], "i": queue[0][0], "a": take, "part": part["id"]})
            left -= take
            queue[0][1] -= take
            if queue[0][1] == 0:
                queue.pop(0)
    last = _parts(conn, payment["id"])[-1]["id"]
    rows += [{"p": payment["id"], "i": i, "a": a, "part": last} for i, a in queue if a > 0]  # never, if sound
    conn.execute(sa.text("DELETE FROM allocations WHERE payment_id = :p"), {"p": payment["id"]})
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO allocations (payment_id, invoice_id, amount_cents, part_id) "
                "VALUES (:p, :i, :a, :part)"
            ),
            rows,
        )


def _card_money(conn: sa.Connection, payment: sa.RowMapping, paid: bool) -> None:
    """A pending split's card money: paid (up) or pending again (down), and its card credit granted or
    taken back."""
    card_rows = list(
        conn.execute(
            sa.text(
                "SELECT a.invoice_id, a.amount_cents FROM allocations a "
                "JOIN payment_parts p ON p.id = a.part_id "
                "WHERE a.payment_id = :p AND p.method_type = 'card'"
            ),
            {"p": payment["id"]},
        )
    )
    sign = -1 if paid else 1
    for invoice_id, cents in card_rows:
        conn.execute(
            sa.text("UPDATE invoices SET pending_cents = pending_cents + :d WHERE id = :i"),
            {"d": sign * cents, "i": invoice_id},
        )
    touched = sorted({invoice_id for invoice_id, _ in card_rows})
    for invoice_id in touched:
        conn.execute(
            sa.text(f"UPDATE invoices SET pay_state = {_PAY_STATE} WHERE id = :i"), {"i": invoice_id}
        )
    parents = conn.execute(
        sa.text(
            "SELECT DISTINCT parent_id FROM invoices WHERE id IN :ids AND parent_id IS NOT NULL"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": touched or [0]},
    ).scalars()
    for parent_id in sorted(parents):
        _parent_sums(conn, parent_id)
    card_paid = sum(
        conn.execute(
            sa.text("SELECT amount_cents FROM payment_parts WHERE payment_id = :p AND method_type = 'card'"),
            {"p": payment["id"]},
        ).scalars()
    )
    card_credit = max(0, card_paid - sum(cents for _, cents in card_rows))
    if card_credit:
        conn.execute(
            sa.text(
                "UPDATE accounts SET credit_cents = CASE WHEN credit_cents + :d < 0 THEN 0 "
                "ELSE credit_cents + :d END WHERE id = :a"
            ),
            {"d": -sign * card_credit, "a": payment["account_id"]},
        )


def _parent_sums(conn: sa.Connection, parent_id: int) -> None:
    """A multi-site parent's money is its sent children's sums; it is open while any child is, in progress
    while any child is, else paid."""
    kids = conn.execute(
        sa.text(
            "SELECT balance_cents, pending_cents, pay_state FROM invoices "
            "WHERE parent_id = :p AND state = 'sent'"
        ),
        {"p": parent_id},
    ).all()
    states = {k.pay_state for k in kids}
    state = "open" if "open" in states else "in_progress" if "in_progress" in states else "paid"
    conn.execute(
        sa.text("UPDATE invoices SET balance_cents = :b, pending_cents = :n, pay_state = :s WHERE id = :p"),
        {
            "b": sum(k.balance_cents for k in kids),
            "n": sum(k.pending_cents for k in kids),
            "s": state,
            "p": parent_id,
        },
    )


def _merge(conn: sa.Connection, payment_id: int) -> None:
    """One row per invoice again (the first row of each keeps the sum), oldest first as before."""
    rows = conn.execute(
        sa.text("SELECT id, invoice_id, amount_cents FROM allocations WHERE payment_id = :p ORDER BY id"),
        {"p": payment_id},
    ).all()
    first: dict[int, int] = {}
    for row in rows:
        if row.invoice_id in first:
            conn.execute(
                sa.text("UPDATE allocations SET amount_cents = amount_cents + :a WHERE id = :k"),
                {"a": row.amount_cents, "k": first[row.invoice_id]},
            )
            conn.execute(sa.text("DELETE FROM allocations WHERE id = :k"), {"k": row.id})
        else:
            first[row.invoice_id] = row.id
