"""Payments under pressure: racing clients, retries after a dropped answer, a key in flight, and card
numbers that never land anywhere (database file, log, email, response)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import ALL_CARDS, DANA, Payer, body, card, invoices_target, outbox, singles
from tests.support.stub import StubServer, fresh_postgres_database, postgres_available, run_stub


def test_many_clients_racing_for_one_balance_take_it_once(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), card()) | {"accepted_fees_cents": 175}
    headers = dana.headers()
    answers: list[httpx.Response] = []
    start = threading.Barrier(12)

    def pay() -> None:
        with httpx.Client(base_url=fresh.base_url, timeout=30) as client:
            start.wait()
            answers.append(
                client.post(
                    f"/v1/accounts/{dana.account_id}/payments",
                    json=payment,
                    headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                )
            )

    threads = [threading.Thread(target=pay) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 11, [r.text for r in answers]
    for r in answers:
        if r.status_code == 409:
            assert r.json()["error"]["code"] in {"invoice_paid", "balance_changed"}, r.text
    detail = dana.invoice(invoice["id"])
    assert (detail["status"], detail["balance_cents"]) == ("paid", 0)
    assert sum(p["amount_cents"] for p in detail["payments"]) == invoice["balance_cents"]
    assert len(outbox(fresh, DANA, "receipt")) == 1


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def slow(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A server whose processor takes 600 ms per authorisation, so a request can be caught in flight."""
    workdir = tmp_path_factory.mktemp(f"slow-{request.param}")
    env = {"PAYDESK_PROCESSOR_DELAY_MS": "600"}
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432")
        with fresh_postgres_database() as url, run_stub(url, workdir, extra_env=env) as server:
            yield Api(server)
    else:
        with run_stub(f"sqlite:///{workdir / 'slow.db'}", workdir, extra_env=env) as server:
            yield Api(server)


def test_a_dropped_answer_is_retried_safely_and_a_key_in_flight_is_409(slow: Api) -> None:
    dana = Payer(slow, DANA)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), card()) | {"accepted_fees_cents": 175}
    key = uuid.uuid4().hex
    url = f"/v1/accounts/{dana.account_id}/payments"
    with pytest.raises(httpx.ReadTimeout):  # the client gives up; the server carries on
        slow.http.post(url, json=payment, headers=dana.headers(key), timeout=httpx.Timeout(5, read=0.1))
    in_flight = slow.http.post(url, json=payment, headers=dana.headers(key))
    assert_error(in_flight, 409, "conflict", "idempotency_key_in_use", "Idempotency-Key")
    deadline = time.monotonic() + 10
    while True:
        replay = slow.http.post(url, json=payment, headers=dana.headers(key))
        if replay.status_code != 409 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert replay.status_code == 201, replay.text
    assert replay.headers["Idempotent-Replayed"] == "true"
    again = slow.http.post(url, json=payment, headers=dana.headers(key))
    assert again.json() == replay.json()
    assert [a["invoice_id"] for a in replay.json()["allocations"]] == [invoice["id"]]
    assert len(dana.invoice(invoice["id"])["payments"]) == 1
    assert len(outbox(slow, DANA, "receipt")) == 1


def test_card_numbers_never_land_anywhere(slow: Api) -> None:
    dana = Payer(slow, DANA)
    answers: list[str] = []
    for number in ALL_CARDS:
        payment = body({"type": "amount", "amount_cents": 100}, card(number, save=True))
        answers.append(dana.quote(payment).text)
        answers.append(dana.pay(payment, fees=175).text)
        answers.append(
            slow.http.post(
                f"/v1/accounts/{dana.account_id}/payment-methods", json=card(number), headers=dana.headers()
            ).text
        )
    answers.append(
        dana.pay(body({"type": "amount", "amount_cents": 100}, card("4242424242424241")), fees=175).text
    )
    answers.append(slow.http.get(f"/v1/accounts/{dana.account_id}/payments", headers=dana.headers()).text)
    answers.append(
        slow.http.get(f"/v1/accounts/{dana.account_id}/payment-methods", headers=dana.headers()).text
    )
    mail = " ".join(m["body"] + m["subject"] for m in outbox(slow, DANA))
    assert "4242" in mail  # the last 4 is fine: it is how people know their card
    places = {"responses": " ".join(answers), "mail": mail, "log": slow.server.log_text()}
    places.update(_database_text(slow.server))
    for number in [*ALL_CARDS, "4242424242424241"]:
        for name, text in places.items():
            assert number not in text, f"{number} in {name}"
    for name, text in places.items():
        assert '"cvc"' not in text and "'cvc'" not in text, name


def _database_text(server: StubServer) -> dict[str, str]:
    if server.db_url.startswith("sqlite"):
        path = Path(server.db_url.removeprefix("sqlite:///"))
        return {
            p.name: p.read_bytes().decode("latin-1")
            for p in (path, path.with_name(path.name + "-wal"))
            if p.exists()
        }
    import psycopg

    url = server.db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    dump = []
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            dump += [str(row) for row in conn.execute(f'SELECT * FROM "{table}"')]
    return {"postgres": "\n".join(dump)}
