"""Saved payment methods: a processor token and what a person may see (brand, last 4, expiry, bank)."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, func, select, update

from backend_stub.store.tables import accounts, payment_methods


def of_account(conn: Connection, account_id: int) -> list[RowMapping]:
    query = (
        select(payment_methods)
        .where(payment_methods.c.account_id == account_id)
        .order_by(
            payment_methods.c.is_default.desc(),
            payment_methods.c.created_at.desc(),
            payment_methods.c.id.desc(),
        )
    )
    return list(conn.execute(query).mappings())


def one(conn: Connection, method_id: int) -> RowMapping | None:
    return conn.execute(select(payment_methods).where(payment_methods.c.id == method_id)).mappings().first()


def add(conn: Connection, account_id: int, **values: object) -> int:
    """Save a method; the account's first one becomes its default."""
    count = conn.execute(
        select(func.count()).select_from(payment_methods).where(payment_methods.c.account_id == account_id)
    ).scalar_one()
    result = conn.execute(
        payment_methods.insert().values(account_id=account_id, is_default=count == 0, **values)
    )
    return int(result.inserted_primary_key[0])


def make_default(conn: Connection, account_id: int, method_id: int) -> None:
    conn.execute(
        update(payment_methods)
        .where(payment_methods.c.account_id == account_id)
        .values(is_default=payment_methods.c.id == method_id)
    )


def used_by_autopay(conn: Connection, method_id: int) -> bool:
    query = select(accounts.c.id).where(accounts.c.autopay_method_id == method_id, accounts.c.autopay_enabled)
    return conn.execute(query).first() is not None


def delete(conn: Connection, method_id: int) -> None:
    conn.execute(payment_methods.delete().where(payment_methods.c.id == method_id))
