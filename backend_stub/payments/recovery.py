"""Recovery: settle what a dead owner left unfinished, asking the processor by key.

- An intent `recorded` (the payment is written): capture the card parts not captured yet, mark it done.
- An intent `authorizing` (no payment was written): void every part that was authorised (refund one that
  was somehow captured), mark it failed, and release what it held: its idempotency record (deleted, so the
  retry with the same key runs again at once; a guest's session may pay again) or its due unit (so the
  due jobs may run it again).
- A running idempotency record of a dead owner with no unfinished intent is released.

An owner is dead when its lease has run out, when it ran on this host and its pid is gone, or (this
process) when it no longer holds the work. Each intent is taken over by a compare-and-set on its owner in
its own short transaction, so several processes may recover at once: one wins each intent. Runs at app
start, with the jobs, and from the idempotency check for the one key being retried.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, RowMapping

from backend_stub import owners
from backend_stub.clock import utcnow
from backend_stub.idempotency import record_work
from backend_stub.owners import Owner
from backend_stub.payments.charge import capture_cards, undo
from backend_stub.payments.flow import work_name
from backend_stub.payments.undo import tell_left
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import guest as guest_store
from backend_stub.store import idempotency as record_store
from backend_stub.store import intents
from backend_stub.store.db import reading, writing
from backend_stub.store.intents import AUTHORIZING, DONE, FAILED, RECORDED

log = logging.getLogger(__name__)


def recover(engine: Engine, processor: Processor, settings: Settings, record_id: int | None = None) -> int:
    """Settle every intent (with `record_id`: those of that idempotency record) left unfinished by a dead
    owner, and release the running records dead owners left. Returns how many intents and records it
    settled."""
    owner = owners.of(engine)
    with reading(engine) as conn:
        live = owner.live_owners(conn)
        left = [
            row
            for row in intents.unfinished(conn, record_id)
            if _abandoned(owner, live, row["owner"], work_name(row["id"]))
        ]
    settled = sum(_settle(engine, processor, owner, row) for row in left)
    if record_id is None:  # voids and refunds committed but not yet told to the processor (payments.undo)
        settled += tell_left(engine, processor)
    return settled + _release_records(engine, owner, record_id)


def _abandoned(owner: Owner, live: set[str], holder: str | None, work: str) -> bool:
    if holder is None:
        return True
    if holder == owner.id:
        return not owner.holds(work)
    return holder not in live


def _settle(engine: Engine, processor: Processor, owner: Owner, row: RowMapping) -> int:
    work = work_name(row["id"])
    with writing(engine) as conn:
        if not intents.take(conn, row["id"], row["state"], row["owner"], owner.id, utcnow()):
            return 0  # another process took it first
        owner.hold(work)
    try:
        parts = intents.parts_of(row)
        if row["state"] == RECORDED:
            capture_cards(processor, parts)
            with writing(engine) as conn:
                intents.move(conn, row["id"], owner.id, RECORDED, DONE, utcnow())
            log.info("recovered payment intent %s: captured, done", row["id"])
            return 1
        undo(processor, parts)
        with writing(engine) as conn:
            intents.move(conn, row["id"], owner.id, AUTHORIZING, FAILED, utcnow(), unit_key=None)
            if row["idempotency_id"] is not None:
                record = record_store.one(conn, row["idempotency_id"])
                if record is not None and record_store.release_abandoned(conn, record["id"], record["owner"]):
                    _unspend_guest(conn, record["scope"])
        log.info("recovered payment intent %s: given back, failed", row["id"])
        return 1
    except Exception:  # the processor or the database failed: the next recovery tries again
        log.exception("payment intent %s: recovery failed, left for the next one", row["id"])
        return 0
    finally:
        owner.drop(work)


def _release_records(engine: Engine, owner: Owner, record_id: int | None) -> int:
    with reading(engine) as conn:
        live = owner.live_owners(conn)
        records = [
            r
            for r in record_store.running(conn)
            if (record_id is None or r["id"] == record_id)
            and _abandoned(owner, live, r["owner"], record_work(r["id"]))
        ]
    released = 0
    for record in records:
        with writing(engine) as conn:
            if intents.unfinished(conn, record["id"]):
                continue  # its intent is being recovered (by another process): that releases it
            if record_store.release_abandoned(conn, record["id"], record["owner"]):
                _unspend_guest(conn, record["scope"])
                released += 1
    return released


def _unspend_guest(conn, scope: str) -> None:  # type: ignore[no-untyped-def]
    """A guest's one payment did not go through after all: the session may pay again."""
    if scope.startswith("guest:"):
        session_id = scope.removeprefix("guest:")
        if session_id.isdigit():
            guest_store.unspend(conn, int(session_id))
