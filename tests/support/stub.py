"""Start the real reference backend (`paydesk-stub serve`) as a process on a free loopback port.

Tests talk to it over real HTTP, exactly as the app does. Nothing here imports backend_stub: the
server is a separate program, so the tests see what a user's client sees.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

PG_ADMIN_URL = os.environ.get("PAYDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
LISTEN_LINE = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


@dataclass
class StubServer:
    base_url: str
    db_url: str
    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def stub_command() -> list[str]:
    exe = shutil.which("paydesk-stub", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "backend_stub.cli"]


@contextlib.contextmanager
def run_stub(
    db_url: str, workdir: Path, seed: str = "demo", dev: bool = True, extra_env: dict | None = None
) -> Iterator[StubServer]:
    """Run `paydesk-stub serve --port 0` and yield once it answers /v1/health."""
    log_path = workdir / f"stub-{uuid.uuid4().hex[:8]}.log"
    args = [*stub_command(), "serve", "--host", "127.0.0.1", "--port", "0", "--db", db_url, "--seed", seed]
    if dev:
        args.append("--dev")
    env = {**os.environ, "PAYDESK_DATA_DIR": str(workdir / "stub-data"), **(extra_env or {})}
    log = log_path.open("w")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    try:
        base_url = _wait_for_listen_line(proc, log_path)
        _wait_healthy(base_url)
        yield StubServer(base_url, db_url, proc, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        log.close()


def _wait_for_listen_line(proc: subprocess.Popen, log_path: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"paydesk-stub exited {proc.returncode}:\n{log_path.read_text()}")
            continue
        match = LISTEN_LINE.search(line)
        if match:
            return match.group(1)
    raise RuntimeError(f"paydesk-stub did not start in {timeout}s:\n{log_path.read_text()}")


def _wait_healthy(base_url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base_url} never became healthy")


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:
        return False


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test run; dropped afterwards."""
    import psycopg

    name = f"paydesk_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
