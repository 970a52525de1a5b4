"""Payment intents: what a payment is about to do at the processor, committed before the processor is
asked (see tables.payment_intents). Every state change is a compare-and-set on (state, owner), so a process
whose work was recovered by another (it was judged dead) can no longer move it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, Update, bindparam, select, update

from backend_stub.store import fast_rows
from backend_stub.store.db import bound_values, insert_returning_id
from backend_stub.store.tables import payment_intents

AUTHORIZING, RECORDED, DONE, FAILED = "authorizing", "recorded", "done", "failed"
UNFINISHED = (AUTHORIZING, RECORDED)


@dataclass(frozen=True)
class IntentPart:
    """One part as the processor is asked for it: never a card number, only the processor's token."""

    type: str  # card | ach
    token: str
    amount_cents: int
    fee_cents: int
    key: str  # the processor idempotency key: pi_<intent id>_<part index>

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.fee_cents


# Every payment runs these: built once (see fast_rows).
_INSERT = insert_returning_id(
    payment_intents,
    *("account_id", "idempotency_id", "unit_key", "owner", "state", "parts", "created_at", "updated_at"),
)
_SET_PARTS = (
    update(payment_intents)
    .where(payment_intents.c.id == bindparam("intent_id"))
    .values(parts=bindparam("parts_"))
)
_MOVES: dict[tuple[bool, tuple[str, ...]], Update] = {}  # by (owner is None, the other columns set)


def part_key(intent_id: int, index: int) -> str:
    return f"pi_{intent_id}_{index}"


def create(
    conn: Connection,
    *,
    account_id: int,
    owner: str,
    parts: list[tuple[str, str, int, int]],
    now: datetime,
    idempotency_id: int | None = None,
    unit_key: str | None = None,
    state: str = AUTHORIZING,
) -> tuple[int, list[IntentPart]]:
    """A new intent for `parts` (type, token, amount, fee), each given its processor key."""
    row = fast_rows.first(
        conn,
        _INSERT,
        {
            "account_id": account_id,
            "idempotency_id": idempotency_id,
            "unit_key": unit_key,
            "owner": owner,
            "state": state,
            "parts": "[]",
            "created_at": now,
            "updated_at": now,
        },
    )
    assert row is not None
    intent_id = int(row["id"])
    keyed = [IntentPart(t, tok, a, f, part_key(intent_id, i)) for i, (t, tok, a, f) in enumerate(parts)]
    if keyed:
        parts_text = json.dumps([asdict(p) for p in keyed])
        fast_rows.execute(conn, _SET_PARTS, {"intent_id": intent_id, "parts_": parts_text})
    return intent_id, keyed


def parts_of(row: RowMapping) -> list[IntentPart]:
    return [IntentPart(**p) for p in json.loads(row["parts"])]


def one(conn: Connection, intent_id: int) -> RowMapping | None:
    return conn.execute(select(payment_intents).where(payment_intents.c.id == intent_id)).mappings().first()


def move(
    conn: Connection,
    intent_id: int,
    owner: str | None,
    from_state: str,
    to_state: str,
    now: datetime,
    **values: object,
) -> bool:
    """Move the intent from `from_state` to `to_state` if `owner` still owns it; False if it does not."""
    statement = _move_statement(owner is None, tuple(sorted(values)))
    params = {**values, "intent_id": intent_id, "from_state": from_state, "to_state": to_state, "now": now}
    if owner is not None:
        params["owner_"] = owner
    return fast_rows.execute(conn, statement, params) == 1


def _move_statement(ownerless: bool, columns: tuple[str, ...]) -> Update:
    """The compare-and-set of `move`, one constant per shape (the columns it sets besides the state)."""
    statement = _MOVES.get((ownerless, columns))
    if statement is None:
        c = payment_intents.c
        owned = c.owner.is_(None) if ownerless else c.owner == bindparam("owner_")
        statement = (
            update(payment_intents)
            .where(c.id == bindparam("intent_id"), c.state == bindparam("from_state"), owned)
            .values(
                state=bindparam("to_state"),
                updated_at=bindparam("now", type_=c.updated_at.type),
                **bound_values(payment_intents, *columns),
            )
        )
        _MOVES[(ownerless, columns)] = statement
    return statement


def take(
    conn: Connection, intent_id: int, state: str, old_owner: str | None, new_owner: str, now: datetime
) -> bool:
    """Take over an intent from an owner found dead (compare-and-set: one recoverer wins)."""
    condition = (payment_intents.c.id == intent_id) & (payment_intents.c.state == state)
    if old_owner is None:
        condition &= payment_intents.c.owner.is_(None)
    else:
        condition &= payment_intents.c.owner == old_owner
    result = conn.execute(update(payment_intents).where(condition).values(owner=new_owner, updated_at=now))
    return result.rowcount == 1


def unfinished(conn: Connection, idempotency_id: int | None = None) -> list[RowMapping]:
    query = select(payment_intents).where(payment_intents.c.state.in_(UNFINISHED))
    if idempotency_id is not None:
        query = query.where(payment_intents.c.idempotency_id == idempotency_id)
    return list(conn.execute(query.order_by(payment_intents.c.id)).mappings())


def of_payment(conn: Connection, payment_id: int) -> RowMapping | None:
    """The intent that recorded `payment_id` (None for a payment made before intents, such as a seed's)."""
    query = select(payment_intents).where(payment_intents.c.payment_id == payment_id)
    return conn.execute(query).mappings().first()


def for_record(conn: Connection, idempotency_id: int) -> list[RowMapping]:
    return list(
        conn.execute(
            select(payment_intents).where(payment_intents.c.idempotency_id == idempotency_id)
        ).mappings()
    )
