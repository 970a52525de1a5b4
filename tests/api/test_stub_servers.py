"""The tests' servers: an in-process one serves what `paydesk-stub serve` serves, and two of them share
nothing (each has its own database copy, settings and processor)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.support.stub import run_stub, serve_stub

DANA = "dana@example.com"


def _outbox(base_url: str) -> list:
    return httpx.get(f"{base_url}/v1/dev/outbox", params={"to": DANA}, timeout=5).json()["items"]


def test_in_process_serves_what_the_program_serves(tmp_path: Path) -> None:
    with (
        run_stub(f"sqlite:///{tmp_path / 'process.db'}", tmp_path) as process,
        serve_stub(f"sqlite:///{tmp_path / 'inproc.db'}", tmp_path) as inproc,
    ):
        assert process.process is not None and inproc.process is None
        for path in ("/openapi.json", "/v1/health", "/docs", "/v1/nothing-here"):
            a = httpx.get(process.base_url + path, timeout=10)
            b = httpx.get(inproc.base_url + path, timeout=10)
            assert (a.status_code, a.headers.get("content-type")) == (
                b.status_code,
                b.headers.get("content-type"),
            )
            assert a.headers.get("server") == b.headers.get("server") is None  # server_header=False
            if path != "/docs":
                assert a.json() == b.json(), path
        # The seeded demo data, as a fresh program makes it: the same accounts and invoices.
        for base in (process.base_url, inproc.base_url):
            assert httpx.post(f"{base}/v1/auth/code", json={"email": DANA}, timeout=10).status_code == 202
        assert len(_outbox(process.base_url)) == len(_outbox(inproc.base_url)) == 1


def test_two_in_process_servers_share_nothing(tmp_path: Path) -> None:
    before = dict(os.environ)
    with (
        serve_stub(
            f"sqlite:///{tmp_path / 'a.db'}", tmp_path, extra_env={"PAYDESK_CODE_TTL_SECONDS": "1"}
        ) as a,
        serve_stub(f"sqlite:///{tmp_path / 'b.db'}", tmp_path) as b,
    ):
        assert a.base_url != b.base_url
        assert httpx.post(f"{a.base_url}/v1/auth/code", json={"email": DANA}, timeout=10).status_code == 202
        assert len(_outbox(a.base_url)) == 1
        assert _outbox(b.base_url) == []
        with pytest.raises(RuntimeError, match="subprocess_server"):
            a.log_text()  # its log is pytest's: a test that reads one asks for a process
    assert dict(os.environ) == before  # a server's environment is its own
