"""The clean-up job on payment intents: a request's failed intent goes once its key's record could be
gone; the intent of a payment stays (its void and refund need the processor's keys it holds)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend_stub.clock import utcnow
from backend_stub.idempotency import KEEP
from backend_stub.store import cleanup
from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.tables import payment_intents
from tests.api.conftest import Api
from tests.api.paying import DANA, Payer, body, card, invoices_target


def _intents(db_url: str) -> dict[int, tuple[str, int | None]]:
    engine = create_db_engine(db_url)
    try:
        with reading(engine) as conn:
            rows = conn.execute(
                select(payment_intents.c.id, payment_intents.c.state, payment_intents.c.payment_id)
            )
            return {row.id: (row.state, row.payment_id) for row in rows}
    finally:
        engine.dispose()


def _clean_up_at(db_url: str, now) -> dict[str, int]:
    engine = create_db_engine(db_url)
    try:
        with writing(engine) as conn:
            return cleanup.expired(conn, now, KEEP)
    finally:
        engine.dispose()


def test_a_failed_intent_goes_after_the_keep_and_a_paid_one_stays(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = min(dana.open_invoices(), key=lambda i: i["due_on"])
    target = invoices_target(invoice["id"])
    declined = dana.pay(body(target, card("4000000000000002")))
    assert declined.status_code == 402, declined.text
    paid = dana.paid(body(target, card()))
    before = _intents(fresh.server.db_url)
    failed = [i for i, (state, _) in before.items() if state == "failed"]
    done = [i for i, (_, payment_id) in before.items() if payment_id == paid["id"]]
    assert len(failed) == 1 and len(done) == 1

    # Within the keep nothing goes: a late retry of the declined key still finds its intent.
    assert _clean_up_at(fresh.server.db_url, utcnow())["payment_intents"] == 0
    assert _intents(fresh.server.db_url) == before

    later = utcnow() + KEEP + timedelta(minutes=1)
    assert _clean_up_at(fresh.server.db_url, later)["payment_intents"] == 1
    after = _intents(fresh.server.db_url)
    assert failed[0] not in after and after[done[0]] == before[done[0]]
    # The payment it made can still be undone: its intent and the processor's keys are there.
    assert dana.get(f"/v1/payments/{paid['id']}")["status"] == "succeeded"
