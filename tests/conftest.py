"""Shared fixtures: every test runs away from the real home folder and keyring, against a real server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.stub import (
    StubServer,
    Templates,
    fresh_postgres_database,
    postgres_available,
    run_stub,
    serve_stub,
    set_templates,
    sqlite_database,
)


def pytest_report_header(config: pytest.Config) -> str:
    if postgres_available():
        return "paydesk: API tests run on SQLite and on PostgreSQL (127.0.0.1:5432)"
    return "paydesk: no PostgreSQL reachable at 127.0.0.1:5432: API tests run on SQLite alone"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real home folder, config, keyring or token."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in {
        "HOME": "",
        "XDG_CONFIG_HOME": ".config",
        "XDG_DATA_HOME": ".local/share",
        "XDG_CACHE_HOME": ".cache",
        "PAYDESK_CONFIG_DIR": "paydesk-config",
        "PAYDESK_DATA_DIR": "paydesk-data",
    }.items():
        monkeypatch.setenv(var, str(home / sub) if sub else str(home))
    for var in ("PAYDESK_SERVER", "PAYDESK_TOKEN", "NO_COLOR", "TEXTUAL_THEME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    try:
        import keyring
        from keyring.backends.fail import Keyring as FailKeyring

        keyring.set_keyring(FailKeyring())
    except ImportError:  # pragma: no cover - keyring is a dependency
        pass


@pytest.fixture(scope="session", autouse=True)
def _database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The migrated and seeded databases servers start from, made on first use once per run (per
    xdist worker); the PostgreSQL templates are dropped at the end."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    set_templates(made)
    yield made
    made.close()
    set_templates(None)


@pytest.fixture(scope="session")
def stub_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stub")


@pytest.fixture(scope="session")
def live_server(stub_workdir: Path) -> Iterator[StubServer]:
    """The demo backend on SQLite, shared by the app tests (they read more than they write)."""
    with serve_stub(f"sqlite:///{stub_workdir / 'demo.db'}", stub_workdir, seed="demo") as server:
        yield server


def _db_params() -> list:
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=_db_params())
def fresh_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StubServer]:
    """A new demo backend with its own empty database, on SQLite and (when reachable) on PostgreSQL.

    For tests that change data: each gets a clean world. In-process on a copy of the run's demo
    database; a test marked `subprocess_server` (it reads the server's log) gets `paydesk-stub serve`
    as a process on a database of its own making.
    """
    if request.node.get_closest_marker("subprocess_server"):
        serve, seed = run_stub, None
    else:
        serve, seed = serve_stub, "demo"
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database(seed) as url, serve(url, tmp_path, seed="demo") as server:
            yield server
    else:
        with serve(f"sqlite:///{tmp_path / 'api.db'}", tmp_path, seed="demo") as server:
            yield server


@pytest.fixture(params=_db_params())
def demo_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own holding the demo seed, on SQLite and (when reachable) PostgreSQL: for tests
    that start and stop servers on it themselves."""
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as url:
            yield url
    else:
        yield sqlite_database(tmp_path / "demo.db", "demo")


def latest_code(base_url: str, email: str) -> str:
    """Read the newest 6-digit login code for `email` off the dev outbox."""
    import re

    items = httpx.get(f"{base_url}/v1/dev/outbox", params={"to": email}, timeout=30).json()["items"]
    for item in items:
        if item["kind"] == "login_code":
            match = re.search(r"\b(\d{6})\b", item["body"])
            if match:
                return match.group(1)
    raise AssertionError(f"no login code in the outbox of {email}")


def login(base_url: str, email: str) -> str:
    """Log in with a code, as the app does; return the bearer token."""
    r = httpx.post(f"{base_url}/v1/auth/code", json={"email": email}, timeout=30)
    assert r.status_code == 202, r.text
    code = latest_code(base_url, email)
    r = httpx.post(f"{base_url}/v1/auth/code/verify", json={"email": email, "code": code}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


os.environ.setdefault("PAYDESK_TESTING", "1")
# Shared servers keep a clerk's token for the whole run (tests/api/conftest.py Api, tests/app `tokens`):
# a clerk session must not idle out between two tests. tests/api/test_session_idle.py sets its own.
os.environ.setdefault("PAYDESK_CLERK_IDLE_SECONDS", str(24 * 3600))
