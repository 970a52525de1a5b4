"""Void and refund, and clerks' identity checks: payments' status gains voided, refunded and
partially_refunded (the column widens to 20 for the last), a void's time, reason and clerk, the card money
refunded so far; `payment_refunds` (one row per refund) and `identity_checks`.

SQLite cannot alter a CHECK or a column type in place: batch mode copies the table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "status IN ('succeeded', 'pending', 'failed', 'returned')"
_NEW = "status IN ('succeeded', 'pending', 'failed', 'returned', 'voided', 'refunded', 'partially_refunded')"


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_status"), type_="check")
        batch.alter_column(
            "status", existing_type=sa.String(length=12), type_=sa.String(length=20), existing_nullable=False
        )
        batch.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refunded_cents", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("void_sent_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_payments_voided_by_users"), "users", ["voided_by"], ["id"], ondelete="SET NULL"
        )
        batch.create_check_constraint(op.f("ck_payments_status"), _NEW)
    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("from_credit_cents", sa.BigInteger(), nullable=False),
        sa.Column("reopened", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payment_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_refunds_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_payment_refunds_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refunds")),
    )
    op.create_index(op.f("ix_payment_refunds_payment_id"), "payment_refunds", ["payment_id"], unique=False)
    op.create_table(
        "identity_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_identity_checks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["users.id"], name=op.f("fk_identity_checks_clerk_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_checks")),
    )
    op.create_index(
        "ix_identity_checks_account_clerk",
        "identity_checks",
        ["account_id", "clerk_id", "expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_identity_checks_account_clerk", table_name="identity_checks")
    op.drop_table("identity_checks")
    op.drop_index(op.f("ix_payment_refunds_payment_id"), table_name="payment_refunds")
    op.drop_table("payment_refunds")
    op.execute("UPDATE payments SET status = 'succeeded' WHERE status IN ('refunded', 'partially_refunded')")
    op.execute("UPDATE payments SET status = 'failed' WHERE status = 'voided'")
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_status"), type_="check")
        batch.drop_constraint(op.f("fk_payments_voided_by_users"), type_="foreignkey")
        for column in ("void_sent_at", "refunded_cents", "voided_by", "void_reason", "voided_at"):
            batch.drop_column(column)
        batch.alter_column(
            "status", existing_type=sa.String(length=20), type_=sa.String(length=12), existing_nullable=False
        )
        batch.create_check_constraint(op.f("ck_payments_status"), _OLD)
