"""The invoice list's data version per account, kept by the database: `invoice_page_versions` holds a
number that triggers raise in the same transaction as every change an invoice page could show: any
insert, update or delete of an account's invoices (a payment's allocation, a settlement, a return, a
refund, a void, the seed, whatever writes) and any change of a site the invoices name. The page cache
(backend_stub/page_cache.py) keys a page's bytes by it, so every process on the database sees a change
at once. A date-dependent part of a page (past due) is keyed by the business date, not by this.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every account has its row from the start (the backfill, then a trigger on accounts), so the triggers on
# invoices only raise it: plain UPDATEs, which an account deleted with its invoices (a cascade) leaves be.
_NEW_ACCOUNT = "INSERT INTO invoice_page_versions (account_id, version) VALUES (NEW.id, 1)"
_BUMP = "UPDATE invoice_page_versions SET version = version + 1 WHERE account_id IN ({accounts})"
_BUMP_NEW = _BUMP.format(accounts="NEW.account_id")
_BUMP_OLD = _BUMP.format(accounts="OLD.account_id")
_BUMP_BOTH = _BUMP.format(accounts="OLD.account_id, NEW.account_id")
# A site's name or address is on the page of every invoice that names it.
_BUMP_SITE = _BUMP.format(accounts="SELECT account_id FROM invoices WHERE site_id = OLD.id")

_SQLITE_TRIGGERS = {
    "account": f"AFTER INSERT ON accounts BEGIN {_NEW_ACCOUNT}; END",
    "insert": f"AFTER INSERT ON invoices BEGIN {_BUMP_NEW}; END",
    "update": f"AFTER UPDATE ON invoices BEGIN {_BUMP_BOTH}; END",
    "delete": f"AFTER DELETE ON invoices BEGIN {_BUMP_OLD}; END",
    "site": f"AFTER UPDATE OF name, address ON sites BEGIN {_BUMP_SITE}; END",
}

_PG_FUNCTIONS = [
    f"""
CREATE FUNCTION invoice_page_versions_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_NEW_ACCOUNT};
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION invoice_page_versions_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_BUMP_NEW};
    ELSIF TG_OP = 'DELETE' THEN
        {_BUMP_OLD};
    ELSE
        {_BUMP_BOTH};
    END IF;
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION invoice_page_versions_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_BUMP_SITE};
    RETURN NULL;
END
$$
""",
]
_PG_TRIGGERS = [
    "CREATE TRIGGER tr_invoice_page_versions_account AFTER INSERT ON accounts "
    "FOR EACH ROW EXECUTE FUNCTION invoice_page_versions_account()",
    "CREATE TRIGGER tr_invoice_page_versions AFTER INSERT OR DELETE OR UPDATE ON invoices "
    "FOR EACH ROW EXECUTE FUNCTION invoice_page_versions_invoice()",
    "CREATE TRIGGER tr_invoice_page_versions_site AFTER UPDATE OF name, address ON sites "
    "FOR EACH ROW EXECUTE FUNCTION invoice_page_versions_site()",
]


def upgrade() -> None:
    op.create_table(
        "invoice_page_versions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_invoice_page_versions_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name="pk_invoice_page_versions"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in [*_PG_FUNCTIONS, *_PG_TRIGGERS]:
            op.execute(statement)
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER tr_invoice_page_versions_{name} {body}")
    op.execute("INSERT INTO invoice_page_versions (account_id, version) SELECT id, 1 FROM accounts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_invoice_page_versions_site ON sites")
        op.execute("DROP TRIGGER tr_invoice_page_versions ON invoices")
        op.execute("DROP TRIGGER tr_invoice_page_versions_account ON accounts")
        for function in ("site", "invoice", "account"):
            op.execute(f"DROP FUNCTION invoice_page_versions_{function}()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER tr_invoice_page_versions_{name}")
    op.drop_table("invoice_page_versions")
