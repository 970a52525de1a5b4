"""Crash-safe charges: the processor's own record (charges, refunds), live-process leases, payment intents,
and the owner of a running idempotency record (instead of its 2-minute lock).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processor_charges",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("refunded_cents", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("decline_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('authorized', 'captured', 'voided', 'refunded', 'declined')",
            name=op.f("ck_processor_charges_state"),
        ),
        sa.CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name=op.f("ck_processor_charges_refund_within"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processor_charges")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_processor_charges_idempotency_key")),
    )
    op.create_table(
        "processor_refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("charge_id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["processor_charges.id"],
            name=op.f("fk_processor_refunds_charge_id_processor_charges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processor_refunds")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_processor_refunds_idempotency_key")),
    )
    op.create_index(op.f("ix_processor_refunds_charge_id"), "processor_refunds", ["charge_id"], unique=False)
    op.create_table(
        "process_leases",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_process_leases")),
    )
    op.create_table(
        "payment_intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_id", sa.Integer(), nullable=True),
        sa.Column("unit_key", sa.String(length=128), nullable=True),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('authorizing', 'recorded', 'done', 'failed')", name=op.f("ck_payment_intents_state")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_payment_intents_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idempotency_id"],
            ["idempotency_keys.id"],
            name=op.f("fk_payment_intents_idempotency_id_idempotency_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_intents_payment_id_payments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_intents")),
        sa.UniqueConstraint("unit_key", name=op.f("uq_payment_intents_unit_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_payment_intents_idempotency_id"), "payment_intents", ["idempotency_id"], unique=False
    )
    op.create_index("ix_payment_intents_state", "payment_intents", ["state"], unique=False)
    # A running record keeps its key while its owner lives; one left by an older server has no owner and
    # is recovered at once.
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.drop_column("owner")
    op.drop_index("ix_payment_intents_state", table_name="payment_intents")
    op.drop_index(op.f("ix_payment_intents_idempotency_id"), table_name="payment_intents")
    op.drop_table("payment_intents")
    op.drop_table("process_leases")
    op.drop_index(op.f("ix_processor_refunds_charge_id"), table_name="processor_refunds")
    op.drop_table("processor_refunds")
    op.drop_table("processor_charges")
