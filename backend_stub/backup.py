"""`paydesk-stub backup --db URL PATH`: an online copy of a SQLite database, taken with SQLite's backup
API while servers keep running (a consistent snapshot, WAL included). PostgreSQL has its own tool for
this, `pg_dump`, and the command says so instead of doing half a job.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class NotSqlite(Exception):
    """The database is not a SQLite file (the message says what to use instead)."""


class BackupError(Exception):
    """The copy could not be made (one line for the user)."""


def sqlite_path(db_url: str) -> Path:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        raise NotSqlite(
            f"backup copies SQLite databases only, not {url.get_backend_name()}: for PostgreSQL use "
            "pg_dump (e.g. `pg_dump --format=custom --file=paydesk.dump DBNAME`)"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"not a SQLite file: {db_url}")
    return Path(url.database).expanduser()


def backup(db_url: str, dest: Path) -> Path:
    """Copy the database at `db_url` to `dest` (replaced atomically if it exists); returns `dest`."""
    source = sqlite_path(db_url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    dest = dest.expanduser()
    if dest.resolve() == source.resolve():
        raise BackupError("the backup must go to another file than the database itself")
    if not dest.parent.is_dir():
        raise BackupError(f"no such folder: {dest.parent}")
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        # Read-only: a mistyped path must not leave an empty database behind.
        read_only = source.resolve().as_uri() + "?mode=ro"
        with (
            contextlib.closing(sqlite3.connect(read_only, uri=True, timeout=15)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {dest}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return dest


__all__ = ["BackupError", "NotSqlite", "backup", "sqlite_path"]
