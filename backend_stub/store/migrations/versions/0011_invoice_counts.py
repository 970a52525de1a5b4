"""The invoice list's counts, kept by the database: `invoice_counts` holds how many top-level sent invoices
each account has per (pay_state, multi), maintained by triggers on `invoices` in the same transaction as
every change (the seed, a payment's allocation, a settlement or return, a void, whatever writes). The
list's first page reads a few rows of it instead of counting up to 10,000 index entries.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The invoice's key in invoice_counts, and whether it is counted at all (top-level and sent).
_MULTI = "CASE WHEN {row}.children_count > 0 THEN 1 ELSE 0 END"
_COUNTED = "{row}.parent_id IS NULL AND {row}.state = 'sent'"
_ADD = (
    "INSERT INTO invoice_counts (account_id, pay_state, multi, n) "
    "VALUES (NEW.account_id, NEW.pay_state, " + _MULTI.format(row="NEW") + ", 1) "
    "ON CONFLICT (account_id, pay_state, multi) DO UPDATE SET n = invoice_counts.n + 1"
)
# A plain UPDATE: the row exists (it was counted in), and an account deleted with its invoices (a cascade)
# must not get a row back.
_REMOVE = (
    "UPDATE invoice_counts SET n = n - 1 WHERE account_id = OLD.account_id AND pay_state = OLD.pay_state "
    "AND multi = " + _MULTI.format(row="OLD")
)
_KEY_COLUMNS = "account_id, parent_id, state, pay_state, children_count"

_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER tr_invoice_counts_insert AFTER INSERT ON invoices "
    f"WHEN {_COUNTED.format(row='NEW')} BEGIN {_ADD}; END",
    f"CREATE TRIGGER tr_invoice_counts_delete AFTER DELETE ON invoices "
    f"WHEN {_COUNTED.format(row='OLD')} BEGIN {_REMOVE}; END",
    f"CREATE TRIGGER tr_invoice_counts_update_old AFTER UPDATE OF {_KEY_COLUMNS} ON invoices "
    f"WHEN {_COUNTED.format(row='OLD')} BEGIN {_REMOVE}; END",
    f"CREATE TRIGGER tr_invoice_counts_update_new AFTER UPDATE OF {_KEY_COLUMNS} ON invoices "
    f"WHEN {_COUNTED.format(row='NEW')} BEGIN {_ADD}; END",
]
_SQLITE_TRIGGER_NAMES = ["insert", "delete", "update_old", "update_new"]

# PostgreSQL: one row-level function. When an update moves an invoice from one counts row to another,
# the two rows are updated in the order of their keys, so two transactions moving invoices in opposite
# directions never lock them in opposite orders.
_PG_FUNCTION = f"""
CREATE FUNCTION invoice_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_counted boolean := TG_OP <> 'INSERT' AND {_COUNTED.format(row="OLD")};
    new_counted boolean := TG_OP <> 'DELETE' AND {_COUNTED.format(row="NEW")};
BEGIN
    IF old_counted AND new_counted
        AND (NEW.pay_state, {_MULTI.format(row="NEW")}) < (OLD.pay_state, {_MULTI.format(row="OLD")}) THEN
        {_ADD};
        {_REMOVE};
        RETURN NULL;
    END IF;
    IF old_counted THEN
        {_REMOVE};
    END IF;
    IF new_counted THEN
        {_ADD};
    END IF;
    RETURN NULL;
END
$$
"""
_PG_TRIGGER = (
    f"CREATE TRIGGER tr_invoice_counts AFTER INSERT OR DELETE OR UPDATE OF {_KEY_COLUMNS} ON invoices "
    "FOR EACH ROW EXECUTE FUNCTION invoice_counts_track()"
)


def upgrade() -> None:
    op.create_table(
        "invoice_counts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("pay_state", sa.String(length=12), nullable=False),
        sa.Column("multi", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_invoice_counts_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "pay_state", "multi", name="pk_invoice_counts"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(
        "INSERT INTO invoice_counts (account_id, pay_state, multi, n) "
        f"SELECT account_id, pay_state, {_MULTI.format(row='invoices')}, count(*) FROM invoices "
        f"WHERE {_COUNTED.format(row='invoices')} "
        f"GROUP BY account_id, pay_state, {_MULTI.format(row='invoices')}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_invoice_counts ON invoices")
        op.execute("DROP FUNCTION invoice_counts_track()")
    else:
        for name in _SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER tr_invoice_counts_{name}")
    op.drop_table("invoice_counts")
