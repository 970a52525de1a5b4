"""`paydesk-stub serve` as a process (issue 10 items 4 and 5): `--dev` on a host that is not loopback is
refused (exit 2, one sentence) unless `--allow-remote-dev`, a non-loopback host is announced; a 50 MB
body costs the server no memory; `--workers N` processes hold the same limits."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.stub import run_stub, sqlite_database, stub_command

linux_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
LISTEN = re.compile(r"listening on http://(\S+):(\d+)")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data"), **extra}


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "paydesk.example"])
def test_dev_on_a_host_that_is_not_loopback_is_refused(tmp_path: Path, host: str) -> None:
    result = subprocess.run(
        [*stub_command(), "serve", "--host", host, "--port", "0", "--dev"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path),
    )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"paydesk-stub: --dev on {host}, which is not loopback")
    assert "--allow-remote-dev" in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "data").exists()  # refused before any database is made


def test_allow_remote_dev_starts_with_a_warning(tmp_path: Path) -> None:
    log_path = tmp_path / "stub.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [*stub_command(), "serve", "--host", "0.0.0.0", "--port", "0", "--dev", "--allow-remote-dev"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=_env(tmp_path),
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # blocks until the listen line (or the end: the test fails)
            match = LISTEN.search(line)
            assert match and match.group(1) == "0.0.0.0", (line, log_path.read_text())
            base_url = f"http://127.0.0.1:{match.group(2)}"
            assert httpx.get(f"{base_url}/v1/health", timeout=10).status_code == 200
            assert httpx.get(f"{base_url}/v1/dev/outbox", params={"to": "x@example.com"}).status_code == 200
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
    stderr = log_path.read_text()
    assert "warning: listening on 0.0.0.0, which is not loopback" in stderr, stderr
    assert "warning: --dev with --allow-remote-dev: /v1/dev/*" in stderr, stderr


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _post_all(base_url: str, body: bytes) -> bytes:
    """Send a whole request with `body` however early the server answers; return what it answered."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (
            f"POST /v1/auth/code HTTP/1.1\r\nHost: paydesk\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head + body)  # the server may answer and close before all of it went
        return sock.recv(65536)


@linux_only
def test_a_50_mb_body_does_not_grow_the_server(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "mem.db", "demo")
    with run_stub(db, tmp_path, no_jobs=True) as server:
        assert server.process is not None
        warm = httpx.post(f"{server.base_url}/v1/auth/code", json={"email": "sam@example.com"}, timeout=10)
        assert warm.status_code == 202
        before = _peak_rss_kib(server.process.pid)
        started = time.monotonic()
        answer = _post_all(server.base_url, b'{"email": "' + b"a" * (50 * 1024 * 1024) + b'"}')
        elapsed = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        after = _peak_rss_kib(server.process.pid)
        assert httpx.get(f"{server.base_url}/v1/health", timeout=10).status_code == 200
    grown_mib = (after - before) / 1024
    print(f"50 MB body: 413 in {elapsed * 1000:.0f} ms, peak RSS {before // 1024} -> {after // 1024} MiB")
    assert grown_mib < 8, f"the server's peak memory grew {grown_mib:.1f} MiB"


def test_workers_hold_the_same_limits(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "workers.db", "demo")
    env = {"PAYDESK_HEADER_TIMEOUT_SECONDS": "1", "PAYDESK_BODY_TIMEOUT_SECONDS": "1"}
    with run_stub(db, tmp_path, no_jobs=True, extra_env=env, extra_args=["--workers", "2"]) as server:
        host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
        for _ in range(4):  # new connections, spread over the workers
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(b"POST /v1/auth/code HTTP/1.1\r\nHost: paydesk\r\nContent-Length: 100\r\n\r\n")
                started = time.monotonic()
                answer = sock.recv(65536)
                assert answer.startswith(b"HTTP/1.1 408 "), answer
                assert 0.9 <= time.monotonic() - started < 7
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                started = time.monotonic()
                assert sock.recv(1) == b""  # nothing sent: closed at the header deadline
                assert 0.9 <= time.monotonic() - started < 7
        big = httpx.post(f"{server.base_url}/v1/auth/code", content=b"x" * (70 * 1024), timeout=10)
        assert big.status_code == 413
        assert json.loads(big.text)["error"]["code"] == "request_too_large"
        assert big.headers["cache-control"] == "no-store"
