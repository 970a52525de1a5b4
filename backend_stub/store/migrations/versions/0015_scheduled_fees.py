"""A scheduled payment keeps the fees quoted and accepted when it was scheduled (the total and the words
as the payer saw them); a run whose fees would differ is skipped instead, with a notice of the new kind
`fees_changed`. Rows made before have none: they accepted no fee. Autopay likewise keeps the fee terms
accepted at enrolment (`accounts.autopay_fee_terms`, JSON: kind, amount_cents or basis_points).
Card enrolments made before accepted the fee policy of their day, which the database does not know: they
are given the default policy's terms (a $1.75 convenience fee on each payment). On another policy their
runs are skipped with a notice until the customer accepts the new terms: the safe side.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OLD_KINDS = (
    "kind IN ('bank_payment_returned', 'autopay_failed', 'scheduled_payment_failed', "
    "'autopay_skipped', 'scheduled_payment_skipped')"
)
_NEW_KINDS = (
    "kind IN ('bank_payment_returned', 'autopay_failed', 'scheduled_payment_failed', "
    "'autopay_skipped', 'scheduled_payment_skipped', 'fees_changed')"
)


def upgrade() -> None:
    with op.batch_alter_table("scheduled_payments") as batch:
        batch.add_column(sa.Column("fees_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("fees", sa.Text(), nullable=True))
    with op.batch_alter_table("notices") as batch:
        batch.drop_constraint(op.f("ck_notices_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_notices_kind"), _NEW_KINDS)
    # Not a batch step: rebuilding accounts on SQLite would drop its lower(...) indexes.
    op.add_column("accounts", sa.Column("autopay_fee_terms", sa.Text(), nullable=True))
    op.execute(
        "UPDATE accounts SET autopay_fee_terms = "
        '\'{"kind": "convenience", "amount_cents": 175, "basis_points": null}\' '
        "WHERE autopay_enabled AND autopay_method_id IN (SELECT id FROM payment_methods WHERE type = 'card')"
    )


def downgrade() -> None:
    # Not a batch step: rebuilding accounts on SQLite would cascade to every row that points at it.
    op.drop_column("accounts", "autopay_fee_terms")
    op.execute("DELETE FROM notices WHERE kind = 'fees_changed'")
    with op.batch_alter_table("notices") as batch:
        batch.drop_constraint(op.f("ck_notices_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_notices_kind"), _OLD_KINDS)
    with op.batch_alter_table("scheduled_payments") as batch:
        batch.drop_column("fees")
        batch.drop_column("fees_cents")
