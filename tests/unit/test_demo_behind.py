"""`demo_backend(behind=True)`: the URL at once, requests answered once the server is up, the seeded
database made once and copied per demo with the same known data as a freshly seeded one."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import httpx
import pytest

from tui import demo

TABLES = ("users", "accounts", "invoices", "payment_methods")


def rows(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {name: conn.execute(f"SELECT * FROM {name} ORDER BY id").fetchall() for name in TABLES}


def test_the_url_comes_first_and_a_request_waits_for_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAYDESK_DATA_DIR", str(tmp_path))
    with demo.demo_backend("demo", behind=True) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        # Asked before the server listens: it waits in the backlog instead of being refused.
        health = httpx.get(f"{base_url}/v1/health", timeout=60)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert demo.is_ready(base_url)
        me = httpx.get(f"{base_url}/v1/dev/outbox", params={"to": "dana@example.com"}, timeout=10)
        assert me.status_code == 200
    [cached] = (tmp_path / demo.CACHE_FOLDER).glob("demo-*.db")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1/health", timeout=2)

    # The second demo copies the cached file: it is not made again.
    made = cached.stat().st_mtime_ns
    with demo.demo_backend("demo", behind=True) as base_url:
        assert httpx.get(f"{base_url}/v1/health", timeout=60).status_code == 200
    assert cached.stat().st_mtime_ns == made
    assert list((tmp_path / demo.CACHE_FOLDER).iterdir()) == [cached]


def test_the_cached_database_holds_what_a_fresh_seed_does(tmp_path: Path) -> None:
    from backend_stub import cli as stub_cli
    from backend_stub.demo_server import seeded_file

    cached = seeded_file(tmp_path / "cache", "demo")
    assert seeded_file(tmp_path / "cache", "demo") == cached  # made once
    fresh = tmp_path / "fresh.db"
    stub_cli.prepare_database(f"sqlite:///{fresh}", "demo").dispose()
    assert rows(cached) == rows(fresh)
    assert rows(cached)["invoices"]


def test_a_server_that_dies_behind_the_app_is_a_demo_error_when_the_app_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAYDESK_DATA_DIR", str(tmp_path))
    script = "import sys; print('OSError: disk full', file=sys.stderr); sys.exit(3)"
    monkeypatch.setattr(demo, "behind_command", lambda *args: [sys.executable, "-c", script])
    with pytest.raises(demo.DemoError) as info, demo.demo_backend("demo", behind=True) as base_url:
        # Its socket closed with it: the app is told at once that nobody answers.
        refused = None
        try:
            httpx.get(f"{base_url}/v1/health", timeout=30)
        except httpx.TransportError as exc:
            refused = exc
        assert refused is not None
    assert str(info.value) == "The demo server stopped as it started (exit 3): OSError: disk full"
