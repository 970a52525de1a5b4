"""`paydesk-stub serve` as a process: the listen line, exit codes, SIGTERM, the database it makes."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend_stub.store.migrate import head_revision
from tests.support.stub import _wait_for_listen_line, run_stub, stub_command


def _run(args: list[str], tmp_path: Path, timeout: float = 30) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([*stub_command(), *args], capture_output=True, text=True, timeout=timeout, env=env)


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_port_in_use_exits_1_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _run(["serve", "--port", str(port), "--db", str(tmp_path / "x.db")], tmp_path)
    assert result.returncode == 1
    assert "in use" in _one_clear_line(result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--bogus"],
        ["serve", "--port", "seventy"],
        ["serve", "--port", "70000"],
        ["serve", "--seed", "huge"],
        [],
        ["launch"],
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = _run(args, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "usage" in result.stderr.lower()


@pytest.mark.parametrize(
    ("db", "words"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/nothing", "cannot open the database"),
        ("nosuchdialect://somewhere/db", "bad database URL"),
        ("sqlite:////proc/no/such/place/x.db", "database"),
    ],
)
def test_unusable_database_exits_1_with_one_line(tmp_path: Path, db: str, words: str) -> None:
    result = _run(["serve", "--port", "0", "--db", db], tmp_path)
    assert result.returncode == 1, result.stderr
    assert words in _one_clear_line(result.stderr)
    assert result.stdout == ""


def test_sigterm_stops_cleanly_with_exit_0(tmp_path: Path) -> None:
    env = {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / "log.txt").open("w")
    proc = subprocess.Popen(
        [*stub_command(), "serve", "--port", "0", "--seed", "demo"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=env,
    )
    try:
        base_url = _wait_for_listen_line(proc, tmp_path / "log.txt")
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(base_url + "/v1/health", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None and proc.stdout.read() == ""  # exactly one line on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    # No --db: a SQLite file in the data dir (PAYDESK_DATA_DIR), never the real home folder.
    assert (tmp_path / "data" / "paydesk-stub.db").exists()
    assert "Traceback" not in (tmp_path / "log.txt").read_text()


def test_sqlite_file_is_wal_migrated_from_empty_and_seeded_once(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()  # an empty file: upgraded to the newest schema on start
    with run_stub(str(db), tmp_path, seed="demo") as server:
        first = httpx.post(server.base_url + "/v1/auth/code", json={"email": "dana@example.com"})
        assert first.status_code == 202
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {
            "users",
            "accounts",
            "user_accounts",
            "sites",
            "invoices",
            "line_items",
            "payments",
            "payment_parts",
            "allocations",
            "payment_methods",
            "idempotency_keys",
            "sessions",
            "verification_codes",
            "outbox",
            "audit_log",
            "meta",
        } <= tables
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM users)"
        ).fetchone()
        # Codes and tokens are stored hashed: never the code itself.
        code_hash = conn.execute("SELECT code_hash FROM verification_codes").fetchone()[0]
        assert len(code_hash) == 64
    # Seeding a database that has data does nothing.
    with run_stub(str(db), tmp_path, seed="demo"):
        pass
    with sqlite3.connect(db) as conn:
        again = conn.execute(
            "SELECT (SELECT count(*) FROM invoices), (SELECT count(*) FROM users)"
        ).fetchone()
    assert again == counts


def test_sqlite_connections_have_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    from sqlalchemy import text

    from backend_stub.store.db import create_db_engine, writing

    engine = create_db_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    with writing(engine) as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_module_entry_point_works(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backend_stub.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "serve" in result.stdout
