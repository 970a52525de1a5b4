"""What the undo tests check beside the API's answers: the processor's record of a payment's parts, and
a statement whose running balance adds up."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.api.conftest import Api
from tests.api.paying import DANA


def processor_charges(db_url: str, payment_id: int) -> list[tuple[str, int, int]]:
    """The processor's record of each part of the payment, in the parts' order: (state, refunded cents,
    refunds made)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT c.idempotency_key, c.state, c.refunded_cents, "
                    "(SELECT COUNT(*) FROM processor_refunds r WHERE r.charge_id = c.id) "
                    "FROM payment_intents i JOIN processor_charges c "
                    "ON c.idempotency_key LIKE 'pi_' || i.id || '_%' WHERE i.payment_id = :id "
                    "ORDER BY c.idempotency_key"
                ),
                {"id": payment_id},
            ).all()
    finally:
        engine.dispose()
    return [(state, refunded, count) for _, state, refunded, count in rows]


def statement_of(api: Api, account_id: int) -> dict:
    return api.ok(f"/v1/accounts/{account_id}/statement", DANA, params={"limit": 200})


def assert_adds_up(statement: dict) -> None:
    balance = statement["opening_balance_cents"]
    for item in statement["items"]:
        balance += item["amount_cents"]
        assert item["balance_cents"] == balance, item
    assert balance == statement["closing_balance_cents"]
