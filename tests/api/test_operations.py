"""Operations: `--workers N` (several processes on one socket), graceful shutdown on SIGTERM, and
`paydesk-stub backup`.

Which worker served a connection is not in the API: the test finds the process holding the server's end
of its connection in /proc (Linux), the way `ss -tp` would."""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import Api
from tests.api.jobs_data import wait_for
from tests.api.paying import DANA, VISA, Payer, body, card, invoices_target, singles
from tests.support.stub import (
    fresh_postgres_database,
    postgres_available,
    run_stub,
    serve_stub,
    sqlite_database,
    stub_command,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state is the ppid
                found.add(int(entry))
    return found


def _server_inode(server_port: int, client_port: int) -> int | None:
    """The socket inode of the server's end of the loopback connection from `client_port`."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], int(fields[9])
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                return inode or None
    return None


def _holder(pids: set[int], inode: int) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


def _serving_pids(base_url: str, parent: int, want: int, timeout: float = 60.0) -> set[int]:
    """Open connections (kept open) until `want` different worker processes have each served one."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    workers = _children(parent)
    seen: set[int] = set()
    connections = []
    deadline = time.monotonic() + timeout
    try:
        while len(seen) < want and time.monotonic() < deadline:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", "/v1/health")
            response = conn.getresponse()
            assert response.status == 200 and response.read()
            connections.append(conn)
            inode = _server_inode(int(port), conn.sock.getsockname()[1])
            holder = _holder(workers, inode) if inode else None
            if holder is not None:
                seen.add(holder)
    finally:
        for conn in connections:
            conn.close()
    return seen


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # a zombie has stopped; its parent reaps it


@linux_only
@pytest.mark.postgres
def test_two_workers_on_postgres_both_serve_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with (
        fresh_postgres_database() as url,
        run_stub(url, tmp_path, seed="demo", no_jobs=True, extra_args=["--workers", "2"]) as server,
    ):
        assert server.process is not None
        pids = _serving_pids(server.base_url, server.process.pid, want=2)
        assert len(pids) == 2, f"only worker(s) {pids} served"
        # Both workers serve the same app on the same data: a login on one works on the other.
        api = Api(server)
        for _ in range(4):  # new connections, spread over the workers
            api.http.close()
            api.http = httpx.Client(base_url=server.base_url, timeout=15)
            assert api.ok("/v1/me", DANA)["user"]["email"] == DANA
        api.close()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
        assert all(_gone(pid) for pid in pids)
        log = server.log_text()
    assert "SQLite" not in log and "Traceback" not in log


def test_two_workers_on_sqlite_warn_and_serve(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "w.db", "demo")
    with run_stub(db, tmp_path, seed="none", no_jobs=True, extra_args=["--workers", "2"]) as server:
        assert httpx.get(server.base_url + "/v1/health", timeout=10).status_code == 200
        log = server.log_text()
    warnings = [line for line in log.splitlines() if "SQLite" in line]
    assert len(warnings) == 1 and "serialised" in warnings[0], log


def test_sigterm_mid_request_lets_the_payment_finish_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "slow.db"
    db = sqlite_database(path, "demo")
    with run_stub(db, tmp_path, seed="none", extra_env={"PAYDESK_PROCESSOR_DELAY_MS": "3000"}) as server:
        api = Api(server)
        dana = Payer(api, DANA)
        invoice = min(dana.open_invoices(), key=lambda i: i["due_on"])
        payment = body(invoices_target(invoice["id"]), card(VISA), email=DANA)
        fees = dana.quoted(payment)["fees_cents"]
        answers: list[httpx.Response] = []
        paying = threading.Thread(target=lambda: answers.append(dana.pay(payment, fees=fees)))
        paying.start()

        def running() -> bool:  # the payment has claimed its key and is at the (slow) processor
            with sqlite3.connect(path, timeout=5) as conn:
                return conn.execute(
                    "SELECT count(*) FROM idempotency_keys WHERE status = 'running'"
                ).fetchone()[0]

        wait_for(running, "the payment to be in flight")
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        paying.join(timeout=60)
        assert server.process.wait(timeout=30) == 0
        [answer] = answers
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "succeeded"
        api.close()
        assert "Traceback" not in server.log_text()
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT count(*) FROM payments WHERE id = ?", (answer.json()["id"],)
        ).fetchone() == (1,)


def _stub(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([*stub_command(), *args], capture_output=True, text=True, timeout=60, env=env)


def test_backup_of_a_running_sqlite_server_is_a_database_a_server_opens(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    with serve_stub(sqlite_database(source, "demo"), tmp_path) as server:
        api = Api(server)
        token = api.token(DANA)  # a session written just now, in the WAL
        result = _stub("backup", "--db", str(source), str(tmp_path / "copy.db"), tmp_path=tmp_path)
        api.close()
    assert result.returncode == 0, result.stderr
    assert "copy.db" in result.stdout and result.stderr == ""
    with serve_stub(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path, seed="none", no_jobs=True) as copy:
        me = httpx.get(copy.base_url + "/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 200 and me.json()["user"]["email"] == DANA


def test_backup_says_pg_dump_for_postgres_and_refuses_a_missing_file(tmp_path: Path) -> None:
    pg = _stub(
        "backup", "--db", "postgresql+psycopg://postgres@127.0.0.1:5432/x", "out.db", tmp_path=tmp_path
    )
    assert pg.returncode == 2
    [line] = [line for line in pg.stderr.splitlines() if line.strip()]
    assert "pg_dump" in line
    missing = _stub("backup", "--db", str(tmp_path / "nothing.db"), str(tmp_path / "o.db"), tmp_path=tmp_path)
    assert missing.returncode == 1
    [line] = [line for line in missing.stderr.splitlines() if line.strip()]
    assert "no database" in line
    assert not (tmp_path / "nothing.db").exists() and not (tmp_path / "o.db").exists()


@pytest.mark.postgres
def test_two_workers_on_postgres_racing_payments_charge_once_per_key_never_overpaying(tmp_path: Path) -> None:
    """Payments racing across two worker processes: on one invoice, twelve keys give one payment; six
    requests with one key give that key's one payment (or 409 while it runs); one capture per payment."""
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with (
        fresh_postgres_database() as url,
        run_stub(url, tmp_path, seed="demo", no_jobs=True, extra_args=["--workers", "2"]) as server,
    ):
        api = Api(server)
        dana = Payer(api, DANA)
        first, second = singles(dana)[:2]
        racing = body(invoices_target(first["id"]), card()) | {"accepted_fees_cents": 175}
        retried = body(invoices_target(second["id"]), card()) | {"accepted_fees_cents": 175}
        shared_key = uuid.uuid4().hex
        headers = dana.headers()
        answers: dict[str, list[httpx.Response]] = {"racing": [], "retried": []}
        start = threading.Barrier(18)

        def pay(kind: str, payment: dict, key: str) -> None:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:  # its own connection
                start.wait()
                answer = client.post(
                    f"/v1/accounts/{dana.account_id}/payments",
                    json=payment,
                    headers={**headers, "Idempotency-Key": key},
                )
                answers[kind].append(answer)

        threads = [
            threading.Thread(target=pay, args=("racing", racing, uuid.uuid4().hex)) for _ in range(12)
        ] + [threading.Thread(target=pay, args=("retried", retried, shared_key)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert sorted(r.status_code for r in answers["racing"]) == [201] + [409] * 11
        made = {r.json()["id"] for r in answers["retried"] if r.status_code == 201}
        # Each answer's status and error code (or the payment's id), short enough to be printed whole.
        retried_answers = [
            (r.status_code, r.json().get("error", {}).get("code") if r.status_code != 201 else r.json()["id"])
            if r.headers.get("content-type", "").startswith("application/json")
            else (r.status_code, r.text[:120])
            for r in answers["retried"]
        ]
        # On a failure, the server's own account of it: its warnings, errors and tracebacks.
        told = [line for line in server.log_text().splitlines() if not line.startswith("INFO")][-40:]
        assert len(made) == 1, (retried_answers, told)
        assert all(r.status_code in (201, 409) for r in answers["retried"]), (retried_answers, told)
        replay = dana.pay(retried, key=shared_key)  # once it is done, the key answers its payment
        assert replay.status_code == 201 and replay.json()["id"] in made
        for invoice in (first, second):
            detail = dana.invoice(invoice["id"])
            assert (detail["status"], detail["balance_cents"]) == ("paid", 0)
            assert sum(p["amount_cents"] for p in detail["payments"]) == invoice["balance_cents"]
        api.close()
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                captured = conn.execute(
                    text("SELECT count(*) FROM processor_charges WHERE state = 'captured'")
                ).scalar_one()
                held = conn.execute(
                    text("SELECT count(*) FROM processor_charges WHERE state = 'authorized'")
                ).scalar_one()
                made_payments = conn.execute(
                    text("SELECT count(*) FROM payments WHERE account_id = :a AND channel <> 'autopay'"),
                    {"a": dana.account_id},
                ).scalar_one()
        finally:
            engine.dispose()
        assert (captured, held) == (2, 0)
        assert made_payments >= 2
