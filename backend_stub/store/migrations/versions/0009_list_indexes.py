"""The invoice list's index also holds `children_count`, so a list filtered by kind (single, multi) is
counted and paged from the index alone instead of reading every matching invoice row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ["account_id", "parent_id", "state", "pay_state", "issued_on", "id"]


def upgrade() -> None:
    op.drop_index("ix_invoices_list", table_name="invoices")
    op.create_index("ix_invoices_list", "invoices", [*_BEFORE, "children_count"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invoices_list", table_name="invoices")
    op.create_index("ix_invoices_list", "invoices", _BEFORE, unique=False)
