"""Accounts: who may see which, the account record, the clerk's search."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, and_, bindparam, exists, func, or_, select

from backend_stub.store import fast_rows
from backend_stub.store.auth import User
from backend_stub.store.tables import accounts, invoice_page_versions, payment_methods, user_accounts, users

ACCOUNT_COLUMNS = (
    accounts.c.id,
    accounts.c.account_number,
    accounts.c.first_name,
    accounts.c.last_name,
    accounts.c.email,
    accounts.c.phone,
    accounts.c.service_address,
    accounts.c.paperless,
    accounts.c.sms_opt_in,
    accounts.c.autopay_enabled,
    accounts.c.autopay_method_id,
    accounts.c.credit_cents,
    accounts.c.autopay_failed_on,
    accounts.c.autopay_failure,
    accounts.c.autopay_fee_terms,
)


# The statements every request runs, built once with bound parameters: building one per request cost
# more Python than SQLite takes to run it.
_LINKED = (
    select(accounts.c.id, accounts.c.account_number, accounts.c.first_name, accounts.c.last_name)
    .join(user_accounts, user_accounts.c.account_id == accounts.c.id)
    .where(user_accounts.c.user_id == bindparam("user_id"))
    .order_by(accounts.c.account_number)
)
# The account's invoice data version (migration 0017: None if it has none) comes with the account check,
# as `invoice_page_version`: the invoice list's cache key (routes/accounts.py) in the same snapshot, with
# no statement of its own (one of a cached page's three).
PAGE_VERSION = "invoice_page_version"
_VERSION = (
    select(invoice_page_versions.c.version)
    .where(invoice_page_versions.c.account_id == accounts.c.id)
    .scalar_subquery()
    .label(PAGE_VERSION)
)
_ANY_ACCOUNT = select(*ACCOUNT_COLUMNS, _VERSION).where(accounts.c.id == bindparam("account_id"))
_GUESTS_ACCOUNT = _ANY_ACCOUNT.where(accounts.c.id == bindparam("guest_account_id"))
_LINKED_ACCOUNT = _ANY_ACCOUNT.where(
    exists().where(
        user_accounts.c.account_id == accounts.c.id, user_accounts.c.user_id == bindparam("user_id")
    )
)


def linked_accounts(conn: Connection, user_id: int) -> list[RowMapping]:
    return fast_rows.mappings(conn, _LINKED, {"user_id": user_id})  # type: ignore[return-value] # every /v1/me


def visible_account(conn: Connection, user: User, account_id: int) -> RowMapping | None:
    """The account if `user` may see it: a clerk sees any, a customer only the linked ones. With its
    invoice data version (`PAGE_VERSION`)."""
    params = {"account_id": account_id, "user_id": user.id, "guest_account_id": user.account_id}
    query = _GUESTS_ACCOUNT if user.is_guest else _ANY_ACCOUNT if user.is_clerk else _LINKED_ACCOUNT
    return fast_rows.first(conn, query, params)  # every account's request asks


def payment_method(conn: Connection, method_id: int) -> RowMapping | None:
    return conn.execute(select(payment_methods).where(payment_methods.c.id == method_id)).mappings().first()


def search(
    conn: Connection,
    *,
    account_number: str | None,
    last_name: str | None,
    email: str | None,
    limit: int,
    after_id: int | None,
) -> tuple[list[RowMapping], int]:
    """Accounts by number + last name (name case-insensitive) or by email (the account's or a linked
    user's, case-insensitive); ordered by id, keyset-paged. Returns (page, total_count)."""
    if email is not None:
        email = email.strip().lower()
        condition = or_(
            func.lower(accounts.c.email) == email,
            exists()
            .where(user_accounts.c.account_id == accounts.c.id)
            .where(user_accounts.c.user_id == users.c.id)
            .where(func.lower(users.c.email) == email),
        )
    else:
        assert account_number is not None and last_name is not None
        condition = and_(
            accounts.c.account_number == account_number.strip(),
            func.lower(accounts.c.last_name) == last_name.strip().lower(),
        )
    total = conn.execute(select(func.count()).select_from(accounts).where(condition)).scalar_one()
    query = select(*ACCOUNT_COLUMNS).where(condition)
    if after_id is not None:
        query = query.where(accounts.c.id > after_id)
    rows = list(conn.execute(query.order_by(accounts.c.id).limit(limit + 1)).mappings())
    return rows, int(total)


def update_account(conn: Connection, account_id: int, values: dict[str, object]) -> None:
    conn.execute(accounts.update().where(accounts.c.id == account_id).values(**values))
