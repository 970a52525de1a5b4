"""The real reference backend on a free loopback port, for tests that talk to it over real HTTP.

Two ways, one `StubServer` shape:
- `serve_stub`: in this process, what `paydesk-stub serve --dev --seed demo` serves (the CLI's own
  settings, app and uvicorn config, see backend_stub/cli.py) in a thread with its own event loop, on a
  copy of a database migrated and seeded once per test run (`Templates`). Under a second to start.
- `run_stub`: `paydesk-stub serve` as a process (3-6 s): for tests that read the server's log, signal
  its process or test the program itself. Mark such a test `@pytest.mark.subprocess_server` when it
  gets its server from `fresh`/`fresh_server`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
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
    process: subprocess.Popen | None  # None: served in this process
    log_path: Path | None

    def log_text(self) -> str:
        if self.log_path is None:
            raise RuntimeError(
                "this server runs in-process: its log goes to pytest's capture, not to a file. "
                "A test that reads the server's log needs a real process: @pytest.mark.subprocess_server"
            )
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


def pg_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


class Templates:
    """Databases migrated and seeded once per test run (per pytest-xdist worker: names are unique),
    each copied for a server: a SQLite file by the backup API, a PostgreSQL database by
    `CREATE DATABASE ... TEMPLATE` (nothing stays connected to a template, so copying can't fail)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._sqlite: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}
        self._lock = threading.Lock()

    def sqlite_copy(self, seed: str, dest: Path) -> None:
        """Write the migrated `seed` database to `dest` (a new file)."""
        with self._lock:
            source = self._sqlite.get(seed)
            if source is None:
                source = self._sqlite[seed] = self._make_sqlite(seed)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(dest)) as dst,
        ):
            src.backup(dst)

    def postgres_template(self, seed: str) -> str:
        """The name of the migrated `seed` template database (made on first use)."""
        with self._lock:
            name = self._postgres.get(seed)
            if name is None:
                name = self._postgres[seed] = self._make_postgres(seed)
            return name

    def _make_sqlite(self, seed: str) -> Path:
        from backend_stub.cli import prepare_database

        path = self.workdir / f"template-{seed}.db"
        prepare_database(f"sqlite:///{path}", seed).dispose()  # the last close checkpoints the WAL
        return path

    def _make_postgres(self, seed: str) -> str:
        import psycopg

        from backend_stub.cli import prepare_database

        name = f"paydesk_tpl_{seed}_{self.tag}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        prepare_database(pg_url(name), seed).dispose()
        return name

    def close(self) -> None:
        if self._postgres:
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                for name in self._postgres.values():
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._postgres.clear()
        self._sqlite.clear()


_templates: Templates | None = None


def templates() -> Templates:
    """This run's templates (tests/conftest.py sets them up for the session and drops them after)."""
    global _templates
    if _templates is None:
        import tempfile

        _templates = Templates(Path(tempfile.mkdtemp(prefix="paydesk-templates-")))
    return _templates


def set_templates(value: Templates | None) -> None:
    global _templates
    _templates = value


@contextlib.contextmanager
def fresh_postgres_database(seed: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database for one test; dropped afterwards. Empty, or with `seed`: a copy of the
    migrated and seeded template (what `paydesk-stub serve --seed SEED` would make of an empty one)."""
    import psycopg

    name = f"paydesk_t_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{templates().postgres_template(seed)}"' if seed else ""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield pg_url(name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_database(path: Path, seed: str) -> str:
    """The URL of a SQLite file at `path` holding the migrated `seed` database (copied, not rebuilt)."""
    if seed != "none":
        templates().sqlite_copy(seed, path)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def serve_stub(
    db_url: str, workdir: Path, seed: str = "demo", dev: bool = True, extra_env: dict | None = None
) -> Iterator[StubServer]:
    """In this process, what `paydesk-stub serve --host 127.0.0.1 --port 0 --db DB_URL --seed SEED
    [--dev]` serves with `extra_env` added to its environment: the same settings, migrations, seed,
    app and uvicorn config (backend_stub.cli), in a thread with its own event loop. Yields once it
    answers /v1/health over loopback.

    A SQLite file that does not exist yet is first filled from the run's template of `seed` (a copy
    of what the CLI would make of it), so the server starts in well under a second.
    """

    from backend_stub import cli

    if db_url.startswith("sqlite:///") and seed != "none":
        path = Path(db_url.removeprefix("sqlite:///"))
        if not path.exists():
            templates().sqlite_copy(seed, path)
    # The environment the process would get: only Settings reads it (PAYDESK_* overrides).
    environ = {**os.environ, "PAYDESK_DATA_DIR": str(workdir / "stub-data"), **(extra_env or {})}
    settings = cli.make_settings(db_url, dev=dev, environ=environ)
    sock = cli.bind_socket("127.0.0.1", 0)
    started = threading.Event()

    engine = None
    try:
        app, engine = cli.build_app(settings, seed)
        server = cli.started_server(app, started.set)
        delivery = app.state.mail_delivery  # --smtp only, as `serve` does
        if delivery is not None:
            delivery.start()
        base_url = cli.listen_line(sock).removeprefix("paydesk-stub listening on ")
        # Not in the main thread, uvicorn installs no signal handlers.
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"stub {base_url}", daemon=True
        )
        thread.start()
        try:
            while not started.wait(0.05):
                if not thread.is_alive():
                    raise RuntimeError(f"the in-process stub on {db_url} stopped before it started")
            _wait_healthy(base_url)
            yield StubServer(base_url, db_url, None, None)
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=15)
            if delivery is not None:
                delivery.stop()
    finally:
        sock.close()
        if engine is not None:
            engine.dispose()
