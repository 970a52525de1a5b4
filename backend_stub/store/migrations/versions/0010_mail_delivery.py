"""Mail delivery by SMTP: each outbox row gets a stable Message-ID and a delivery state (status, attempts,
next attempt, last error, a claim lease, delivered_at).

Mail written before this migration was only ever meant for the outbox (the demo's inbox): it is marked
`failed` with a reason instead of `pending`, so turning on --smtp later never mails out old login codes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE_DELIVERY = "written before delivery by SMTP existed: kept in the outbox only"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=8), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
    # Old rows: a Message-ID of their own (from their id, unique) and the reason they are not sent.
    op.execute(
        sa.text(
            "UPDATE outbox SET message_id = '<outbox-' || CAST(id AS VARCHAR(20)) || '@paydesk.example>', "
            "status = 'failed', last_error = :reason"
        ).bindparams(reason=BEFORE_DELIVERY)
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("message_id", existing_type=sa.String(length=200), nullable=False)
        batch.create_check_constraint(
            op.f("ck_outbox_status"), "status IN ('pending', 'sending', 'sent', 'failed')"
        )
        batch.create_index("ix_outbox_message_id", ["message_id"], unique=True)
        batch.create_index("ix_outbox_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_status_next_attempt_at")
        batch.drop_index("ix_outbox_message_id")
        batch.drop_constraint(op.f("ck_outbox_status"), type_="check")
        for column in (
            "delivered_at",
            "claim_expires_at",
            "claimed_by",
            "last_error",
            "next_attempt_at",
            "attempts",
            "status",
            "message_id",
        ):
            batch.drop_column(column)
