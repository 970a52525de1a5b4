"""The API's throughput beside bare FastAPI yardsticks, measured in the same run on the same machine.

    python benchmarks/run.py --only throughput [--seconds 10] [--pg-workers 2]

Load: `wrk -t2 -c16 -dSECONDS` on loopback (apt-get install wrk). One `paydesk-stub serve --seed large`
(one worker, SQLite, without --dev for the reads, as production serves them) and benchmarks/bare_api.py,
both on the same uvicorn stack:
- reads: the invoice page of the 10,000-invoice account (big@example.com), its first page and the page
  40 deep (by the cursor), and `GET /v1/me`, each beside the bare app answering the same bytes; then
  the same in process (benchmarks/api_inprocess.py: CPU time per request, no network);
- payments: bank payments of $1.00 from 16 connections, every one with its own Idempotency-Key (all on
  one account: every payment takes that account's lock, the worst case), beside a naive endpoint
  inserting one row per POST into SQLite; then on PostgreSQL with `--workers N` when serve has it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA_POST = ROOT / "benchmarks" / "wrk" / "post_unique_key.lua"
LISTEN = re.compile(r"(http://127\.0\.0\.1:\d+)")
BIG = "big@example.com"
PAYER = "sam@example.com"  # a demo account with no invoices: every payment becomes credit, none runs out
BANK_PAYMENT = {
    "target": {"type": "amount", "amount_cents": 100},
    "parts": [
        {
            "method": {
                "type": "ach",
                "routing_number": "110000000",
                "account_number": "000123456789",
                "account_type": "checking",
                "holder_name": "Sam Reyes",
                "save": False,
            }
        }
    ],
    "accepted_fees_cents": 0,
    "receipt_email": PAYER,
}


@dataclass
class Load:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and socket errors


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, *, token: str | None = None, post_body: dict | None = None) -> Load:
    """`wrk -t2 -c16 --latency` against `url`: requests/s, p50, p99, errors."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    env = dict(os.environ)
    if post_body is not None:
        args += ["-s", str(LUA_POST)]
        env["WRK_BODY"] = json.dumps(post_body)
        env["WRK_TOKEN"] = token or ""
    elif token:
        args += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, env=env, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in match.groups())
    return Load(rate, p50, p99, errors)


@contextlib.contextmanager
def process(args: list[str], log: Path) -> Iterator[str]:
    """Start a server that prints its listen line on stdout; yield its base URL."""
    with log.open("w") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = LISTEN.search(line)
            if not match:
                raise SystemExit(f"{args[0]} did not start:\n{log.read_text()}")
            yield match.group(1)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def stub(db_url: str, workdir: Path, *extra: str, dev: bool = True) -> contextlib.AbstractContextManager[str]:
    mode = ["--dev"] if dev else []
    args = [str(BIN / "paydesk-stub"), "serve", "--port", "0", *mode, "--db", db_url, *extra]
    return process(args, workdir / f"stub-{uuid.uuid4().hex[:6]}.log")


def minted_token(db_url: str, email: str) -> str:
    """A session for `email` written straight into the served database: a server without --dev (as in
    production) has no outbox to read a login code from."""
    from datetime import timedelta

    from backend_stub.clock import utcnow
    from backend_stub.deps import token_hash
    from backend_stub.store import auth as auth_store
    from backend_stub.store.db import create_db_engine, writing

    engine = create_db_engine(db_url)
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        user = auth_store.user_by_email(conn, email)
        assert user is not None, email
        now = utcnow()
        auth_store.create_session(conn, user.id, token_hash(token), now, now + timedelta(days=1))
    engine.dispose()
    return token


def token_for(base: str, email: str) -> tuple[str, int | None]:
    """Sign in with a code from the dev outbox; the token and the user's first account."""
    seen = {i["id"] for i in httpx.get(f"{base}/v1/dev/outbox", params={"to": email}).json()["items"]}
    httpx.post(f"{base}/v1/auth/code", json={"email": email}).raise_for_status()
    items = httpx.get(f"{base}/v1/dev/outbox", params={"to": email}).json()["items"]
    new = next(i for i in items if i["kind"] == "login_code" and i["id"] not in seen)
    code = re.search(r"\b(\d{6})\b", new["body"]).group(1)  # type: ignore[union-attr]
    answer = httpx.post(f"{base}/v1/auth/code/verify", json={"email": email, "code": code})
    token = answer.raise_for_status().json()["token"]
    me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    return token, (me["accounts"][0]["id"] if me["accounts"] else None)


def deep_cursor(base: str, token: str, path: str, depth: int) -> str:
    """The cursor that opens page `depth` (1 = the first page) of the default page size."""
    cursor = None
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        for _ in range(depth - 1):
            page = client.get(path, params={"cursor": cursor} if cursor else {}).raise_for_status().json()
            cursor = page["next_cursor"]
    assert cursor is not None
    return cursor


def row(name: str, load: Load, bare: Load | None = None) -> str:
    ratio = f"{load.rate / bare.rate:6.2f}" if bare else "      "
    errors = f"  ({load.errors} errors)" if load.errors else ""
    return (
        f"  {name:44} {load.rate:7.0f}/s  p50 {load.p50_ms:6.1f} ms  p99 {load.p99_ms:6.1f} ms"
        f"  {ratio}{errors}"
    )


def reads(workdir: Path, seconds: int) -> None:
    db_url = f"sqlite:///{workdir / 'large.db'}"
    with stub(db_url, workdir, "--seed", "large", dev=False) as base:  # as production serves
        token = minted_token(db_url, BIG)
        me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        account_id = me["accounts"][0]["id"]
        path = f"/v1/accounts/{account_id}/invoices"
        cursor = deep_cursor(base, token, path, 40)
        auth = {"Authorization": f"Bearer {token}"}
        pages = {
            "invoices": httpx.get(base + path, headers=auth).json(),
            "invoices40": httpx.get(base + path, params={"cursor": cursor}, headers=auth).json(),
            "me": httpx.get(f"{base}/v1/me", headers=auth).json(),
        }
        pages_file = workdir / "pages.json"
        pages_file.write_text(json.dumps(pages))
        sizes = {name: len(json.dumps(body, separators=(",", ":"))) for name, body in pages.items()}
        targets = {
            "invoices": (f"{base}{path}", "invoice page 1 of the 10,000-invoice account"),
            "invoices40": (f"{base}{path}?cursor={cursor}", "invoice page 40 of the 10,000-invoice account"),
            "me": (f"{base}/v1/me", "GET /v1/me"),
        }
        bare_cmd = [
            sys.executable,
            str(ROOT / "benchmarks/bare_api.py"),
            "--pages",
            str(pages_file),
            "--db",
            str(workdir / "naive.db"),
        ]
        with process(bare_cmd, workdir / "bare.log") as bare_base:
            wrk(f"{base}{path}", 2, token=token)  # warm both up
            wrk(f"{bare_base}/page/invoices", 2)
            print(f"\nreads: wrk -t2 -c16 -d{seconds}s, one worker, SQLite; ratio = Paydesk / bare app")
            for name, (url, label) in targets.items():
                bare = wrk(f"{bare_base}/page/{name}", seconds)
                real = wrk(url, seconds, token=token)
                print(row(f"bare FastAPI, the same {sizes[name]:,} bytes", bare))
                print(row(label, real, bare))
            health = wrk(f"{base}/v1/health", seconds)
            print(row("GET /v1/health (checks the database)", health))
    reads_in_process()


def reads_in_process() -> None:
    """The same reads without network or wrk (benchmarks/api_inprocess.py): CPU time per request beside
    the bare app, far steadier than wrk on a shared machine. Its own process, after the servers stopped."""
    script = ROOT / "benchmarks" / "api_inprocess.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    print(out.rstrip())


def payments(workdir: Path, seconds: int, pg_workers: int) -> None:
    no_pages = workdir / "no-pages.json"
    no_pages.write_text("{}")
    bare_cmd = [
        sys.executable,
        str(ROOT / "benchmarks/bare_api.py"),
        "--pages",
        str(no_pages),
        "--db",
        str(workdir / "naive-insert.db"),
    ]
    print(f"\npayments: wrk -t2 -c16 -d{seconds}s, a new Idempotency-Key per POST; ratio = Paydesk / naive")
    with process(bare_cmd, workdir / "naive.log") as bare_base:
        naive = wrk(f"{bare_base}/insert", seconds, post_body=BANK_PAYMENT)
    print(row("naive FastAPI: one INSERT per POST, SQLite", naive))
    with stub(f"sqlite:///{workdir / 'pay.db'}", workdir, "--seed", "demo") as base:
        token, account_id = token_for(base, PAYER)
        url = f"{base}/v1/accounts/{account_id}/payments"
        wrk(url, 2, token=token, post_body=BANK_PAYMENT)  # warm up
        real = wrk(url, seconds, token=token, post_body=BANK_PAYMENT)
    print(row("payments, one worker, SQLite, one account", real, naive))
    postgres_payments(workdir, seconds, pg_workers, naive)


def serve_has_workers() -> bool:
    help_text = subprocess.run(
        [str(BIN / "paydesk-stub"), "serve", "--help"], capture_output=True, text=True
    ).stdout
    return "--workers" in help_text


def postgres_payments(workdir: Path, seconds: int, workers: int, naive: Load) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.stub import PG_ADMIN_URL, pg_url, postgres_available

    if not postgres_available():
        print(f"  payments on PostgreSQL: skipped, no server at {PG_ADMIN_URL}")
        return
    if workers > 1 and not serve_has_workers():
        print(
            f"  payments on PostgreSQL with {workers} workers: skipped, `paydesk-stub serve` has no "
            "--workers on this branch (run with --pg-workers 1 for one worker)"
        )
        return
    import psycopg

    name = f"paydesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        extra = ["--workers", str(workers)] if workers > 1 else []
        with stub(pg_url(name), workdir, "--seed", "demo", *extra) as base:
            token, account_id = token_for(base, PAYER)
            url = f"{base}/v1/accounts/{account_id}/payments"
            wrk(url, 2, token=token, post_body=BANK_PAYMENT)
            real = wrk(url, seconds, token=token, post_body=BANK_PAYMENT)
        print(row(f"payments, {workers} worker(s), PostgreSQL, one account", real, naive))
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(seconds: int = 10, pg_workers: int = 2, parts: tuple[str, ...] = ("reads", "payments")) -> None:
    with tempfile.TemporaryDirectory(prefix="paydesk-throughput-") as tmp:
        workdir = Path(tmp)
        if "reads" in parts:
            reads(workdir, seconds)
        if "payments" in parts:
            payments(workdir, seconds, pg_workers)
