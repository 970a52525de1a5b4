"""Operations: one log line per request (its route's template, status, milliseconds and id, nothing a person
typed), the request id in `X-Request-Id` on every answer, and /v1/health that asks the database."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import VISA, card
from tests.support.stub import PG_ADMIN_URL

DANA = "dana@example.com"
MADE_ID = r"[a-z]{12}-[a-z]+"  # the server's own ids: letters only, never a run of digits like a card's
LINE = re.compile(r"INFO backend_stub\.requests: (\S+) (\S+) (\d{3}) (\d+\.\d) ms (\S+)$")


def _request_lines(api: Api, want_id: str, deadline_s: float = 10.0) -> list[tuple[str, ...]]:
    """The server's request log lines, once the one with `want_id` is there (it is written after the
    answer is sent)."""
    deadline = time.monotonic() + deadline_s
    while True:
        lines = [m.groups() for m in map(LINE.search, api.server.log_text().splitlines()) if m]
        if any(line[4] == want_id for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


@pytest.mark.subprocess_server  # reads the server's log
def test_each_request_is_one_line_with_template_status_ms_and_id_and_nothing_personal(fresh: Api) -> None:
    token = fresh.token(DANA)
    account_id = fresh.account_id(DANA)

    def auth(request_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "X-Request-Id": request_id}

    listed = fresh.http.get(
        f"/v1/accounts/{account_id}/invoices",
        params={"status": "open", "limit": 2},
        headers=auth("trace-list-1"),
    )
    assert listed.status_code == 200 and listed.headers["x-request-id"] == "trace-list-1"
    quote = fresh.http.post(
        f"/v1/accounts/{account_id}/payments/quote",
        json={
            "target": {"type": "balance"},
            "parts": [{"method": card(VISA)}],
            "accepted_fees_cents": 0,
            "receipt_email": DANA,
        },
        headers=auth("trace-quote-1"),
    )
    assert quote.status_code == 200, quote.text
    assert fresh.http.get("/v1/invoices/999999", headers=auth("trace-404-1")).status_code == 404
    nowhere = fresh.http.get(f"/v1/nothing/{DANA}", params={"token": token}, headers=auth("trace-0"))
    assert nowhere.status_code == 404

    lines = _request_lines(fresh, "trace-0")
    by_id = {line[4]: line for line in lines}
    assert by_id["trace-list-1"][:3] == ("GET", "/v1/accounts/{account_id}/invoices", "200")
    assert by_id["trace-quote-1"][:3] == ("POST", "/v1/accounts/{account_id}/payments/quote", "200")
    assert by_id["trace-404-1"][:3] == ("GET", "/v1/invoices/{invoice_id}", "404")
    assert by_id["trace-0"][:3] == ("GET", "-", "404")  # no route: what was sent is not logged
    assert float(by_id["trace-list-1"][3]) > 0
    # Every request has its line: the sign-in's code request and verification too, with ids of their own.
    assert ("POST", "/v1/auth/code", "202") in {line[:3] for line in lines}
    assert ("POST", "/v1/auth/code/verify", "200") in {line[:3] for line in lines}
    assert len({line[4] for line in lines}) == len(lines)
    request_log = "\n".join(" ".join(line) for line in lines)
    for secret in (DANA, "dana", token, "status=open", "limit", "?", VISA, VISA[-4:]):
        assert secret not in request_log
    assert not re.search(r"\d{12}", request_log)  # nothing a scan for card numbers would flag
    assert VISA not in fresh.server.log_text() and token not in fresh.server.log_text()


def test_a_sane_request_id_is_echoed_and_any_other_replaced(demo: Api) -> None:
    for sent in ("3f2c9a4e-8b1d-4c55-9e0f-1a2b3c4d5e6f", "trace:abc.DEF_9-1"):
        assert demo.http.get("/v1/health", headers={"X-Request-Id": sent}).headers["x-request-id"] == sent
    made = set()
    card_like = ("4242424242424242", "id-4000000000000002")  # the id is logged: never a card number
    for sent in ("x" * 65, "no spaces", "semi;colon", "ünï", "", None, *card_like):
        headers = {"X-Request-Id": sent.encode()} if sent is not None else {}
        answer = demo.http.get("/v1/health", headers=headers)
        made.add(answer.headers["x-request-id"])
        assert re.fullmatch(MADE_ID, answer.headers["x-request-id"]), sent
    assert len(made) == 8  # a new one each time


def test_every_answer_has_a_request_id_errors_included(demo: Api) -> None:
    answers = [
        demo.http.get("/v1/me"),  # 401
        demo.http.get("/v1/me", headers={"Authorization": "Bearer nope"}),  # 401 from the database
        demo.http.get("/v1/no-such-route"),  # 404
        demo.http.delete("/v1/health"),  # 405
        demo.post("/v1/auth/code", json={"email": "not an email"}),  # 400
        demo.get(f"/v1/accounts/{demo.account_id(DANA)}/invoices", DANA, params={"limit": 0}),  # 400
        demo.get("/v1/invoices/0", DANA),  # 404 from validation
    ]
    assert [a.status_code for a in answers] == [401, 401, 404, 405, 400, 400, 404]
    for answer in answers:
        assert re.fullmatch(MADE_ID, answer.headers["x-request-id"])


def test_an_unexpected_error_still_has_its_request_id_and_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from backend_stub.app import create_app
    from backend_stub.settings import Settings

    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/boom/{thing}")
    def boom(thing: str) -> None:
        raise RuntimeError("a bug")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/boom/dana@example.com?card=4242", headers={"X-Request-Id": "boom-1"})

    with caplog.at_level("INFO", logger="backend_stub.requests"):
        answer = asyncio.run(call())
    app.state.engine.dispose()
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "boom-1"
    lines = [r.getMessage() for r in caplog.records if r.name == "backend_stub.requests"]
    assert len(lines) == 1 and re.fullmatch(r"GET /boom/\{thing\} 500 \d+\.\d ms boom-1", lines[0])


def _block_postgres(db_url: str, blocked: bool) -> None:
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if blocked else "true"}')
        if blocked:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_health_is_503_while_the_database_is_gone_and_200_once_it_is_back(fresh: Api) -> None:
    assert fresh.http.get("/v1/health").status_code == 200
    db_url = fresh.server.db_url
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        away = path.with_name(path.name + ".moved")
        shutil.move(path, away)  # the file deleted or moved away under a running server
        try:
            gone = fresh.http.get("/v1/health")
        finally:
            shutil.move(away, path)
    else:
        _block_postgres(db_url, blocked=True)  # the database refuses connections, its sessions are cut
        try:
            gone = fresh.http.get("/v1/health")
        finally:
            _block_postgres(db_url, blocked=False)
    error = assert_error(gone, 503, "server", "database_unavailable", None)
    assert "database" in error["message"]
    assert re.fullmatch(MADE_ID, gone.headers["x-request-id"])
    back = fresh.http.get("/v1/health")
    assert back.status_code == 200 and back.json()["status"] == "ok"
