"""The clerk console: notes on an account, notices (returns, failed and skipped runs, in words), the audit
log's business date (rows written before it get the date of their UTC time), and a session's last
activity (a clerk's session ends when it has been idle too long).

Revision ID: 0013
Revises: 0011 (re-chained after 0012 at merge)
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("disposition", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "disposition IN ('paid', 'promised_to_pay', 'question_answered', 'dispute', 'other')",
            name=op.f("ck_notes_disposition"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_notes_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notes_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index("ix_notes_account_id", "notes", ["account_id", "id"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("seen", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "kind IN ('bank_payment_returned', 'autopay_failed', 'scheduled_payment_failed', "
            "'autopay_skipped', 'scheduled_payment_skipped')",
            name=op.f("ck_notices_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_notices_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("source_key", name="uq_notices_source_key"),
    )
    op.create_index("ix_notices_account_id", "notices", ["account_id", "id"])
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("business_date", sa.Date(), nullable=True))
    # Older rows: the date of their UTC time (the business date was not kept; close enough to filter on).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE audit_log SET business_date = CAST(at AS DATE)")
    else:
        op.execute("UPDATE audit_log SET business_date = date(at)")
    op.create_index("ix_audit_log_actor_day", "audit_log", ["actor_user_id", "business_date", "id"])
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("last_active_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("last_active_at")
    op.drop_index("ix_audit_log_actor_day", table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("business_date")
    op.drop_index("ix_notices_account_id", table_name="notices")
    op.drop_table("notices")
    op.drop_index("ix_notes_account_id", table_name="notes")
    op.drop_table("notes")
