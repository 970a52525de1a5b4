"""Payments in process, beside the naive insert: CPU time per POST, no network, no wrk.

    python benchmarks/payments_inprocess.py [--payments 400] [--rounds 5] [--statements]
                                            [--clients 1] [--profile OUT.prof]

Far less noisy than wrk on a shared machine. Each payment is one raw ASGI call of
`POST /v1/accounts/{id}/payments` on this process's event loop (the real app, migrated and seeded
`demo` on a SQLite file, as `paydesk-stub serve --seed demo` serves it, jobs off), timed by the
process's CPU clock (all threads: the endpoint runs on the thread pool). The same bank payment of $1.00
that benchmarks/throughput.py sends with wrk, each with its own Idempotency-Key, all on sam@'s account.
Printed: the minimum over the rounds of the mean CPU time per request, for the payment and for the naive
one-INSERT-per-POST endpoint of benchmarks/bare_api.py, and their ratio (naive / payment: the share of
the naive rate payments would reach when CPU bound, the shape of the issue's 0.3 goal).

`--statements`: also the SQL statements and transactions one payment sends to SQLite (a trace callback
on each connection; it costs time, so those rounds are not timed). `--sql-floor`: the SQL floor, those
statements alone: a copy of the database is taken, 50 payments are recorded statement by statement (in
the order they ran, with their values), and then replayed on the copy through one bare sqlite3
connection (the same PRAGMAs, each statement prepared once and cached as the app's are), timed by the
CPU clock; per payment, beside the naive request's whole CPU time. No Python of the app runs in it: what
the payment's transactions cost SQLite itself. `--clients N`: N payments at once
(asyncio tasks), as under wrk's connections. `--profile`: a cProfile of the payments' rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import json
import re
import secrets
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api_inprocess import Answer, call  # noqa: E402
from benchmarks.bare_api import bare_app  # noqa: E402
from benchmarks.throughput import BANK_PAYMENT, PAYER  # noqa: E402

BODY = json.dumps(BANK_PAYMENT).encode()
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


async def post(app: Callable, path: str, body: bytes, key: str, token: str | None = None) -> Answer:
    """One JSON POST with its Idempotency-Key through the ASGI app (benchmarks/api_inprocess.call)."""
    headers = [(b"content-type", b"application/json"), (b"idempotency-key", key.encode())]
    return await call(app, path, token=token, method="POST", body=body, headers=headers)


async def cpu_per_post(
    app: Callable, path: str, token: str | None, n: int, rounds: int, clients: int, expect: int
) -> float:
    """The minimum over `rounds` of the mean CPU seconds per request of `n` requests, `clients` at once."""
    best = float("inf")
    tag = secrets.token_hex(4)
    counter = 0

    async def one() -> None:
        nonlocal counter
        counter += 1
        answer = await post(app, path, BODY, f"inproc-{tag}-{counter}", token)
        assert answer.status == expect, (path, answer.status, answer.body[:300])

    async def client(share: int) -> None:
        for _ in range(share):
            await one()

    for _ in range(rounds):
        started = time.process_time()
        await asyncio.gather(*(client(n // clients) for _ in range(clients)))
        best = min(best, (time.process_time() - started) / (n // clients * clients))
    return best


def real_app(workdir: Path) -> tuple[Any, Any, str, int]:
    """The app on a `demo` database (jobs off), a token of the payer and the payer's account id."""
    from backend_stub import cli
    from backend_stub.clock import utcnow
    from backend_stub.deps import token_hash
    from backend_stub.store import accounts as account_store
    from backend_stub.store import auth as auth_store
    from backend_stub.store.db import writing

    settings = cli.make_settings(f"sqlite:///{workdir / 'pay.db'}", jobs_every=None, environ={})
    app, engine = cli.build_app(settings, "demo")
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        user = auth_store.user_by_email(conn, PAYER)
        assert user is not None
        now = utcnow()
        auth_store.create_session(conn, user.id, token_hash(token), now, now + timedelta(days=1))
        account_id = account_store.linked_accounts(conn, user.id)[0]["id"]
    return app, engine, token, account_id


def _trace_every_connection(engine: Any, callback: Callable[[str], object]) -> None:
    """Hand every statement any connection of `engine` runs from now on to `callback` (the pool's
    connections now open and those opened later); SQLite hands it over with its values."""
    from sqlalchemy import event

    def hook(dbapi: sqlite3.Connection, _record: Any = None) -> None:
        dbapi.set_trace_callback(callback)

    event.listen(engine, "connect", hook)
    for record in list(getattr(engine.pool, "_pool").queue):  # noqa: B009 - the idle connections kept open
        if record.dbapi_connection is not None:
            hook(record.dbapi_connection)


def record_statements(engine: Any) -> list[str]:
    """Every statement any connection of `engine` runs from now on, in order, with its values."""
    ran: list[str] = []
    _trace_every_connection(engine, ran.append)
    return ran


def _parametrised(sql: str) -> tuple[str, list[Any]]:
    """A traced statement as a template and its values, so that a replay prepares each shape once."""
    values: list[Any] = []

    def take(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith("'"):
            values.append(text[1:-1].replace("''", "'"))
        else:
            values.append(float(text) if "." in text else int(text))
        return "?"

    return _LITERALS.sub(take, sql), values


def replay_seconds(database: Path, statements: list[str]) -> float:
    """CPU seconds to run `statements` on `database` through one bare sqlite3 connection."""
    conn = sqlite3.connect(database, isolation_level=None, cached_statements=512)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    shaped = [_parametrised(sql) for sql in statements]
    started = time.process_time()
    for sql, values in shaped:
        conn.execute(sql, values).fetchall()
    spent = time.process_time() - started
    conn.close()
    return spent


def backup(source: Path | str, target: Path) -> Path:
    """A consistent copy of a SQLite file (the online backup API), even while another connection writes."""
    source_conn = sqlite3.connect(source)
    target_conn = sqlite3.connect(target)
    source_conn.backup(target_conn)
    target_conn.close()
    source_conn.close()
    return target


def trace_statements(engine: Any) -> collections.Counter[str]:
    """Count what every connection of `engine` sends to SQLite from now on, its values left out."""
    seen: collections.Counter[str] = collections.Counter()

    def trace(sql: str) -> None:
        seen[_LITERALS.sub("?", " ".join(sql.split()))[:100]] += 1

    _trace_every_connection(engine, trace)
    return seen


async def measure(
    n: int,
    rounds: int,
    clients: int,
    statements: bool,
    profile: str | None,
    naive_once: bool = False,
    sql_floor: bool = False,
) -> None:
    with tempfile.TemporaryDirectory(prefix="paydesk-payinproc-") as tmp:
        workdir = Path(tmp)
        app, engine, token, account_id = real_app(workdir)
        path = f"/v1/accounts/{account_id}/payments"
        async with _lifespan(app):
            await cpu_per_post(app, path, token, 40, 1, 1, 201)  # warm up: statements compiled, pool filled
            bare = bare_app({}, workdir / "naive.db")
            await cpu_per_post(bare, "/insert", None, 40, 1, 1, 201)
            print(
                f"\npayments in process: CPU per POST, min of {rounds} rounds of {n}, {clients} at once;"
                " ratio = naive / payment"
            )
            bare_s = await cpu_per_post(bare, "/insert", None, n, 1 if naive_once else rounds, clients, 201)
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            real_s = await cpu_per_post(app, path, token, n, rounds, clients, 201)
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
            print(f"  naive FastAPI: one INSERT per POST, SQLite      {bare_s * 1e6:8.0f} µs")
            print(
                f"  POST /v1/accounts/{{id}}/payments (bank, $1.00)  {real_s * 1e6:8.0f} µs"
                f"  {bare_s / real_s:6.2f}"
            )
            if sql_floor:
                copy = backup(engine.url.database, workdir / "floor.db")
                ran = record_statements(engine)
                count = 50
                await cpu_per_post(app, path, token, count, 1, 1, 201)
                recorded = list(ran)
                ran.clear()
                # Each replay on a copy of its own: a replay writes what it replays.
                copies = [backup(copy, workdir / f"floor-{i}.db") for i in range(3)]
                best = min(replay_seconds(each, recorded) for each in copies)
                print(
                    f"  SQL floor: its {len(recorded) / count:.0f} statements alone, replayed"
                    f"   {best / count * 1e6:8.0f} µs  {bare_s / (best / count):6.2f}"
                )
            if statements:
                seen = trace_statements(engine)
                count = 20
                await cpu_per_post(app, path, token, count, 1, 1, 201)
                total = sum(seen.values())
                begins = sum(v for k, v in seen.items() if k.startswith("BEGIN"))
                print(f"\n  per payment: {total / count:.1f} statements, {begins / count:.1f} transactions")
                for sql, times in seen.most_common():
                    print(f"  {times / count:5.1f}  {sql}")


class _lifespan:
    """The app's lifespan (its owner's heartbeat; jobs are off) around the measurement."""

    def __init__(self, app: Any) -> None:
        self.context = app.router.lifespan_context(app)

    async def __aenter__(self) -> None:
        await self.context.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self.context.__aexit__(*exc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=400, help="payments per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=1, help="payments at once")
    parser.add_argument("--statements", action="store_true", help="count one payment's SQL statements")
    parser.add_argument("--profile", help="write a cProfile of the payments' rounds here")
    parser.add_argument("--naive-once", action="store_true", help="one naive round (to profile)")
    parser.add_argument("--sql-floor", action="store_true", help="replay one payment's SQL alone")
    args = parser.parse_args()
    asyncio.run(
        measure(
            args.payments,
            args.rounds,
            args.clients,
            args.statements,
            args.profile,
            args.naive_once,
            args.sql_floor,
        )
    )


if __name__ == "__main__":
    main()
