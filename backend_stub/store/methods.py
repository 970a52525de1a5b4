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


def set_behaviour(conn: Connection, method_id: int, behaviour: str) -> bool:
    """Dev only: how the fake processor answers for this method's token from now on (the demo seed's
    tokens were never issued by the processor, so a row is made for them)."""
    from backend_stub.clock import utcnow
    from backend_stub.store.tables import processor_tokens

    method = one(conn, method_id)
    if method is None:
        return False
    value = "ok" if behaviour == "ok" else f"decline:{behaviour}"
    token = method["processor_token"]
    updated = conn.execute(
        update(processor_tokens).where(processor_tokens.c.token == token).values(behaviour=value)
    ).rowcount
    if not updated:
        conn.execute(
            processor_tokens.insert().values(
                token=token,
                kind=method["type"],
                brand=method["brand"],
                last4=method["last4"],
                exp_month=method["exp_month"],
                exp_year=method["exp_year"],
                funding=method["funding"],
                bank_name=method["bank_name"],
                account_type=method["account_type"],
                behaviour=value,
                created_at=utcnow(),
            )
        )
    return True
