"""Recovery by owner and lease: work whose owner is alive is left alone however old; work whose owner's
lease ran out (another host) or whose pid is gone (this host) is settled by asking the processor by key;
several recoverers at once settle each intent once; a retried key is recovered and claimed at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from backend_stub import idempotency, owners
from backend_stub.billing.instruments import CardInput
from backend_stub.clock import utcnow
from backend_stub.payments import recovery
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import idempotency as record_store
from backend_stub.store import intents, leases
from backend_stub.store.db import create_db_engine, reading, writing


@pytest.fixture
def db_url(demo_db: str) -> str:
    return demo_db


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    owners.of(engine).stop()
    owners.forget(engine)
    engine.dispose()


def _lease(engine: Engine, owner: str, host: str, pid: int, seconds: float) -> None:
    now = utcnow()
    with writing(engine) as conn:
        leases.renew(conn, owner, host, pid, now, now + timedelta(seconds=seconds))


def _left_by(engine: Engine, processor: Processor, owner: str, state: str, *, card: bool = True) -> dict:
    """What a request of `owner` leaves mid-way: its running record, its intent in `state`, and the
    authorisation of its one card part."""
    token = processor.tokenize_card(CardInput("4242424242424242", 1, 2030, "123")).token
    now = utcnow()
    with writing(engine) as conn:
        account_id = conn.execute(text("SELECT min(id) FROM accounts")).scalar_one()
        record_id = record_store.insert_running(conn, "user:1", uuid.uuid4().hex, "h", now, owner)
        intent_id, parts = intents.create(
            conn,
            account_id=account_id,
            owner=owner,
            parts=[("card" if card else "ach", token, 1000, 175)],
            now=now,
            idempotency_id=record_id,
            state=state,
        )
        if state == "recorded":  # recorded in the transaction that completed the record
            record_store.complete(conn, record_id, 201, "{}")
    auth = processor.authorize(token, 1175, parts[0].key)
    assert isinstance(auth, str)
    return {"record": record_id, "intent": intent_id, "auth": auth}


def _state(engine: Engine, left: dict) -> tuple[str, bool]:
    with reading(engine) as conn:
        intent = intents.one(conn, left["intent"])
        record = record_store.one(conn, left["record"])
    assert intent is not None
    return intent["state"], record is not None


def _recover(engine: Engine, processor: Processor) -> int:
    return recovery.recover(engine, processor, Settings(db_url=str(engine.url)))


def test_an_owner_whose_lease_lives_is_left_alone_and_one_that_ran_out_is_recovered(engine: Engine) -> None:
    processor = Processor(engine)
    _lease(engine, "elsewhere:1:a", "elsewhere", 1, 10)
    left = _left_by(engine, processor, "elsewhere:1:a", "authorizing")
    assert _recover(engine, processor) == 0
    assert _state(engine, left) == ("authorizing", True) and processor.state(left["auth"]) == "authorized"
    _lease(engine, "elsewhere:1:a", "elsewhere", 1, -1)  # its heartbeat stopped: the lease ran out
    assert _recover(engine, processor) == 1
    assert _state(engine, left) == ("failed", False)  # the key is free again
    assert processor.state(left["auth"]) == "voided"
    assert _recover(engine, processor) == 0


def test_a_recorded_payment_of_a_dead_owner_is_captured_and_finished(engine: Engine) -> None:
    processor = Processor(engine)
    left = _left_by(engine, processor, "elsewhere:2:b", "recorded")  # no lease at all: never alive here
    assert _recover(engine, processor) == 1
    assert _state(engine, left) == ("done", True) and processor.state(left["auth"]) == "captured"


def test_an_owner_on_this_host_whose_pid_is_gone_is_dead_at_once(engine: Engine) -> None:
    processor = Processor(engine)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    me = owners.of(engine)
    _lease(engine, f"{me.host}:{gone.pid}:c", me.host, gone.pid, 10)  # the lease has not run out yet
    left = _left_by(engine, processor, f"{me.host}:{gone.pid}:c", "authorizing")
    assert _recover(engine, processor) == 1
    assert _state(engine, left) == ("failed", False) and processor.state(left["auth"]) == "voided"


def test_this_process_recovers_only_what_it_no_longer_holds(engine: Engine) -> None:
    processor = Processor(engine)
    me = owners.of(engine)
    held = _left_by(engine, processor, me.id, "authorizing")
    let_go = _left_by(engine, processor, me.id, "authorizing")
    me.hold(f"intent:{held['intent']}")
    me.hold(f"record:{held['record']}")
    try:
        assert _recover(engine, processor) == 1
        assert _state(engine, held) == ("authorizing", True)
        assert _state(engine, let_go) == ("failed", False)
    finally:
        me.drop(f"intent:{held['intent']}")
        me.drop(f"record:{held['record']}")


def test_many_recoverers_at_once_settle_each_intent_once(db_url: str, engine: Engine) -> None:
    processor = Processor(engine)
    left = [_left_by(engine, processor, f"elsewhere:{n}:d", "authorizing") for n in range(4)]
    left += [_left_by(engine, processor, f"elsewhere:{n}:e", "recorded") for n in range(4)]
    others = [create_db_engine(db_url) for _ in range(4)]
    counts: list[int] = []
    start = threading.Barrier(len(others))

    def run(other: Engine) -> None:
        start.wait()
        counts.append(_recover(other, Processor(other)))

    try:
        threads = [threading.Thread(target=run, args=(e,)) for e in others]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for other in others:
            owners.of(other).stop()
            owners.forget(other)
            other.dispose()
    assert sum(counts) == 8, counts
    assert sorted(_state(engine, x)[0] for x in left) == ["done"] * 4 + ["failed"] * 4
    with reading(engine) as conn:
        states = [r[0] for r in conn.execute(text("SELECT state FROM processor_charges ORDER BY id"))]
    assert sorted(states) == ["captured"] * 4 + ["voided"] * 4


def test_a_retried_key_of_a_dead_owner_is_recovered_and_claimed_at_once(engine: Engine) -> None:
    processor = Processor(engine)
    left = _left_by(engine, processor, "elsewhere:3:f", "authorizing")
    with reading(engine) as conn:
        record = record_store.one(conn, left["record"])
    assert record is not None
    me = owners.of(engine)
    claimed = idempotency.claim(
        engine,
        record["scope"],
        record["key"],
        "h",
        me,
        lambda record_id: recovery.recover(engine, processor, Settings(db_url=str(engine.url)), record_id),
    )
    assert isinstance(claimed, idempotency.Claimed)
    with reading(engine) as conn:
        again = record_store.one(conn, claimed.record_id)
        intent = intents.one(conn, left["intent"])
    assert again is not None and (again["status"], again["owner"]) == ("running", me.id)
    assert intent is not None and (intent["state"], intent["idempotency_id"]) == ("failed", None)
    assert processor.state(left["auth"]) == "voided"
    idempotency.let_go(me, claimed)


def test_a_guest_whose_payment_was_given_back_may_pay_again(engine: Engine) -> None:
    processor = Processor(engine)
    now = utcnow()
    with writing(engine) as conn:
        account_id = conn.execute(text("SELECT min(id) FROM accounts")).scalar_one()
        session_id = conn.execute(
            text(
                "INSERT INTO sessions (token_hash, created_at, expires_at, kind, account_id, spent_at) "
                "VALUES ('g', :now, :now, 'guest', :a, :now) RETURNING id"
            ),
            {"now": now, "a": account_id},
        ).scalar_one()
        record_id = record_store.insert_running(conn, f"guest:{session_id}", "gk", "h", now, "elsewhere:4:g")
        intents.create(
            conn,
            account_id=account_id,
            owner="elsewhere:4:g",
            parts=[("card", "tok_x", 100, 0)],
            now=now,
            idempotency_id=record_id,
        )
    assert _recover(engine, processor) == 1
    with reading(engine) as conn:
        spent = conn.execute(text("SELECT spent_at FROM sessions WHERE id = :i"), {"i": session_id}).scalar()
        parts = conn.execute(text("SELECT parts FROM payment_intents ORDER BY id DESC")).scalar()
    assert spent is None and json.loads(parts)[0]["key"].startswith("pi_")
