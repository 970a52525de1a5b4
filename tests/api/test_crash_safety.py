"""Crash-safe charges: the server killed at each point of a card payment (PAYDESK_FAULT makes it exit at
once there), then restarted on the same database without the fault. Whatever the point: every answered
payment is there once, no capture is left without a payment, no authorisation is left unvoided, and the
retry with the same Idempotency-Key answers at once (no 409) with one payment and one capture in the
processor's own record. Also: a key whose owner is alive answers 409 for as long as it runs, not for a
fixed time.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from backend_stub.faults import EXIT_STATUS
from backend_stub.owners import LEASE
from tests.api.conftest import Api, assert_error
from tests.api.paying import DANA, Payer, ach, body, card, invoices_target, outbox, singles
from tests.support.stub import (
    StubServer,
    fresh_postgres_database,
    postgres_available,
    run_stub,
    serve_stub,
)

pytestmark = pytest.mark.subprocess_server


@pytest.fixture
def db_url(demo_db: str) -> str:
    return demo_db


def _rows(db_url: str, query: str) -> list[dict]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(query)).mappings()]
    finally:
        engine.dispose()


def _payer(server: StubServer, token: str) -> Payer:
    api = Api(server)
    api._tokens[DANA] = token  # sessions live in the database: the token outlives the restart
    return Payer(api, DANA)


def _kill_at(db_url: str, workdir: Path, point: str, payment_for: callable, key: str) -> tuple[str, dict]:  # type: ignore[valid-type]
    """Start the server with the fault, pay, see it die; returns dana's token and the payment sent."""
    with run_stub(db_url, workdir, extra_env={"PAYDESK_FAULT": point}) as server:
        api = Api(server)
        dana = Payer(api, DANA)
        payment = payment_for(dana)
        with pytest.raises(httpx.TransportError):  # no answer: the server is gone
            dana.pay(payment, key=key, timeout=30)
        assert server.process is not None
        assert server.process.wait(timeout=30) == EXIT_STATUS
        assert f"PAYDESK_FAULT {point}" in server.log_text()
        return api.token(DANA), payment


def _kind(charge: dict, intents: dict[int, dict]) -> str:
    """A charge's part type, from the intent whose key it carries (pi_<intent>_<part>)."""
    _, intent_id, index = charge["idempotency_key"].split("_")
    return json.loads(intents[int(intent_id)]["parts"])[int(index)]["type"]


def _assert_the_books_balance(db_url: str) -> None:
    """No card authorisation left held (a bank part's debit waits for settlement), no capture without a
    payment, every intent finished, no key left running."""
    charges = _rows(db_url, "SELECT * FROM processor_charges")
    intents = {i["id"]: i for i in _rows(db_url, "SELECT * FROM payment_intents")}
    held = [c for c in charges if c["state"] == "authorized" and _kind(c, intents) == "card"]
    assert not held, charges
    assert all(i["state"] in ("done", "failed") for i in intents.values()), intents
    payments = {p["id"] for p in _rows(db_url, "SELECT id FROM payments")}
    for charge in charges:
        if charge["state"] != "captured":
            continue
        intent = intents[int(charge["idempotency_key"].split("_")[1])]
        assert intent["state"] == "done" and intent["payment_id"] in payments, (charge, intent)
    assert not _rows(db_url, "SELECT * FROM idempotency_keys WHERE status = 'running'")


def _card_payment(dana: Payer) -> dict:
    invoice = singles(dana)[0]
    return body(invoices_target(invoice["id"]), card()) | {"accepted_fees_cents": 175}


def _split_payment(dana: Payer) -> dict:
    invoice = singles(dana)[0]
    half = invoice["balance_cents"] // 2
    payment = body(invoices_target(invoice["id"]), card(), ach(), amounts=[half, None])
    return payment | {"accepted_fees_cents": 175}


@pytest.mark.parametrize("point", ["after_intent", "after_authorize", "after_record", "after_capture"])
def test_a_card_payment_killed_at_each_point(db_url: str, tmp_path: Path, point: str) -> None:
    key = uuid.uuid4().hex
    token, payment = _kill_at(db_url, tmp_path, point, _card_payment, key)
    recorded = point in ("after_record", "after_capture")
    with run_stub(db_url, tmp_path) as server:  # recovery runs before it serves
        _assert_the_books_balance(db_url)
        dana = _payer(server, token)
        invoice_id = payment["target"]["invoices"][0]["invoice_id"]
        assert len(dana.invoice(invoice_id)["payments"]) == (1 if recorded else 0)
        retry = dana.pay(payment, key=key)
        assert retry.status_code == 201, retry.text
        assert retry.headers.get("Idempotent-Replayed") == ("true" if recorded else None)
        again = dana.pay(payment, key=key)
        assert again.status_code == 201 and again.json() == retry.json()
        detail = dana.invoice(invoice_id)
        assert [p["payment_id"] for p in detail["payments"]] == [retry.json()["id"]]
        assert (detail["status"], detail["balance_cents"]) == ("paid", 0)
        assert len(outbox(dana.api, DANA, "receipt")) == 1
        _assert_the_books_balance(db_url)
        charges = _rows(db_url, "SELECT * FROM processor_charges")
        captured = [c for c in charges if c["state"] == "captured"]
        assert len(captured) == 1 and captured[0]["amount_cents"] == retry.json()["total_cents"]
        voided = [c for c in charges if c["state"] == "voided"]
        assert len(voided) == (1 if point == "after_authorize" else 0)


def test_a_split_card_and_bank_payment_killed_between_its_parts(db_url: str, tmp_path: Path) -> None:
    key = uuid.uuid4().hex
    token, payment = _kill_at(db_url, tmp_path, "after_first_part", _split_payment, key)
    with run_stub(db_url, tmp_path) as server:
        _assert_the_books_balance(db_url)
        [voided] = _rows(db_url, "SELECT * FROM processor_charges")
        assert voided["state"] == "voided"  # the card part was held, the bank part never asked
        dana = _payer(server, token)
        retry = dana.pay(payment, key=key)
        assert retry.status_code == 201, retry.text
        assert sorted(p["status"] for p in retry.json()["parts"]) == ["pending", "succeeded"]
        _assert_the_books_balance(db_url)
        intents = {i["id"]: i for i in _rows(db_url, "SELECT * FROM payment_intents")}
        charges = _rows(db_url, "SELECT * FROM processor_charges WHERE state <> 'voided'")
        assert sorted((_kind(c, intents), c["state"]) for c in charges) == [
            ("ach", "authorized"),
            ("card", "captured"),
        ]


def test_a_split_payment_killed_after_its_record_is_finished_by_recovery(db_url: str, tmp_path: Path) -> None:
    key = uuid.uuid4().hex
    token, payment = _kill_at(db_url, tmp_path, "after_record", _split_payment, key)
    with run_stub(db_url, tmp_path) as server:
        intents = _rows(db_url, "SELECT * FROM payment_intents")
        assert [i["state"] for i in intents] == ["done"]
        parts = json.loads(intents[0]["parts"])
        charges = {c["idempotency_key"]: c for c in _rows(db_url, "SELECT * FROM processor_charges")}
        assert [charges[p["key"]]["state"] for p in parts] == ["captured", "authorized"]  # a bank debit waits
        retry = _payer(server, token).pay(payment, key=key)
        assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json()["id"] == intents[0]["payment_id"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def slower_than_a_lease(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """A server whose processor takes longer per authorisation than a lease lasts."""
    env = {"PAYDESK_PROCESSOR_DELAY_MS": str(int((LEASE.total_seconds() + 2) * 1000))}
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as url, serve_stub(url, tmp_path, extra_env=env) as server:
            yield Api(server)
    else:
        url = f"sqlite:///{tmp_path / 'slow.db'}"
        with serve_stub(url, tmp_path, extra_env=env) as server:
            yield Api(server)


def test_a_key_whose_owner_lives_answers_409_for_as_long_as_it_runs(slower_than_a_lease: Api) -> None:
    api = slower_than_a_lease
    dana = Payer(api, DANA)
    payment = _card_payment(dana)
    key = uuid.uuid4().hex
    first: list[httpx.Response] = []
    started = time.monotonic()
    runner = threading.Thread(target=lambda: first.append(dana.pay(payment, key=key, timeout=60)))
    runner.start()
    deadline = time.monotonic() + 30
    while not _rows(api.server.db_url, f"SELECT id FROM idempotency_keys WHERE key = '{key}'"):
        assert time.monotonic() < deadline, "the first request never claimed its key"
        time.sleep(0.05)
    latest_409 = 0.0
    while runner.is_alive():
        answer = dana.pay(payment, key=key)
        if answer.status_code == 201 and answer.headers.get("Idempotent-Replayed") == "true":
            break  # it finished between the check and the call: the replay
        assert_error(answer, 409, "conflict", "idempotency_key_in_use", "Idempotency-Key")
        latest_409 = time.monotonic() - started
        runner.join(timeout=0.5)
    runner.join(timeout=60)
    assert first and first[0].status_code == 201, first
    assert latest_409 > LEASE.total_seconds(), latest_409  # past a lease's length: renewed, not timed out
    replay = dana.pay(payment, key=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first[0].json()
    invoice_id = payment["target"]["invoices"][0]["invoice_id"]
    assert len(dana.invoice(invoice_id)["payments"]) == 1
