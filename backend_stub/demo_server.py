"""`python -m backend_stub.demo_server`: the server `paydesk demo` starts behind its sign-in screen.

    python -m backend_stub.demo_server --fd N --db PATH --seed demo|large --cache-dir DIR

The app's process binds the listening socket and hands it over (`--fd`), so it knows the URL at once and
its first requests wait in the socket's backlog until this server accepts them: nothing is refused
while it warms up. The database is a copy of one migrated and seeded file kept in `--cache-dir`, made
the first time and named after what fixes its contents (the package version, the migration head, the
seed's source), so every demo starts from the same known data without migrating and seeding again.
Then it serves as `paydesk-stub serve --dev` does and prints the same listen line.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import signal
import socket
import sqlite3
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from backend_stub import cli

SEED_SOURCES = Path(__file__).resolve().parent / "seed"


def cache_key(seed: str) -> str:
    """What fixes a seeded file's contents: the package version, the migration head, the seed's code."""
    from backend_stub.store.migrate import head_revision

    digest = hashlib.sha256()
    for source in sorted(SEED_SOURCES.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return f"{seed}-{_version()}-{head_revision()}-{digest.hexdigest()[:16]}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paydesk")
    except PackageNotFoundError:
        return "0+unknown"


def seeded_file(cache_dir: Path, seed: str) -> Path:
    """The migrated and seeded database for `seed`, made now if it is not in `cache_dir` yet."""
    cached = cache_dir / f"{cache_key(seed)}.db"
    if cached.exists():
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Built under a name of its own and renamed when complete: two demos starting at once never see
    # half a file, and the last rename wins with identical contents.
    building = cache_dir / f".{cached.name}.{uuid.uuid4().hex}"
    try:
        engine = cli.prepare_database(f"sqlite:///{building}", seed)
        engine.dispose()
        _copy(building, cached.with_suffix(".tmp" + uuid.uuid4().hex[:8]), then_rename_to=cached)
    finally:
        for leftover in building.parent.glob(building.name + "*"):
            leftover.unlink(missing_ok=True)
    return cached


def _copy(source: Path, target: Path, *, then_rename_to: Path | None = None) -> None:
    """One self-contained file (SQLite's backup: the write-ahead log folded in), renamed into place."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    if then_rename_to is not None:
        os.replace(target, then_rename_to)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend_stub.demo_server", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    parser.add_argument("--db", type=Path, required=True, help="the demo's own SQLite file (made here)")
    parser.add_argument("--seed", choices=("demo", "large"), default="demo")
    parser.add_argument("--cache-dir", type=Path, required=True, help="where seeded files are kept")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("uvicorn", "uvicorn.error", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sock = socket.socket(fileno=args.fd)
    try:
        _copy(seeded_file(args.cache_dir, args.seed), args.db)
        settings = cli.make_settings(f"sqlite:///{args.db.resolve()}", dev=True)
        app, engine = cli.build_app(settings, args.seed)  # at the head already, seeded: both a no-op
        line = cli.listen_line(sock)
        server = cli.started_server(app, lambda: print(line, flush=True))
        signal.signal(signal.SIGTERM, lambda _signum, _frame: None)  # as `serve`: a stop exits 0
        try:
            server.run(sockets=[sock])
        finally:
            engine.dispose()
    except cli.StartupError as exc:
        print(f"paydesk-stub: {exc}", file=sys.stderr, flush=True)
        return cli.EXIT_ERROR
    except KeyboardInterrupt:
        return cli.EXIT_OK
    except Exception as exc:  # still one line, no traceback (the app quotes the last line)
        print(f"paydesk-stub: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr, flush=True)
        return cli.EXIT_ERROR
    finally:
        sock.close()
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
