"""Payments: card funding and bank account type on saved methods, the receipt address and authorisation on
payments, funding and fees on parts, and the fake processor's token table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payment_methods", sa.Column("funding", sa.String(length=8), nullable=True))
    op.add_column("payment_methods", sa.Column("account_type", sa.String(length=8), nullable=True))
    op.add_column("payments", sa.Column("receipt_email", sa.String(length=254), nullable=True))
    op.add_column("payments", sa.Column("auth_detail", sa.Text(), nullable=True))
    op.add_column("payment_parts", sa.Column("funding", sa.String(length=8), nullable=True))
    op.add_column("payment_parts", sa.Column("fees", sa.Text(), nullable=True))
    op.create_table(
        "processor_tokens",
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("brand", sa.String(length=32), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("funding", sa.String(length=8), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("account_type", sa.String(length=8), nullable=True),
        sa.Column("behaviour", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_processor_tokens")),
    )
    # Seeded and older cards: the demo's are credit cards.
    op.execute("UPDATE payment_methods SET funding = 'credit' WHERE type = 'card' AND funding IS NULL")
    op.execute("UPDATE payment_parts SET funding = 'credit' WHERE method_type = 'card' AND funding IS NULL")


def downgrade() -> None:
    op.drop_table("processor_tokens")
    with op.batch_alter_table("payment_parts") as batch:
        batch.drop_column("fees")
        batch.drop_column("funding")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("auth_detail")
        batch.drop_column("receipt_email")
    with op.batch_alter_table("payment_methods") as batch:
        batch.drop_column("account_type")
        batch.drop_column("funding")
