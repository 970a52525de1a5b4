"""The API's reads in process, beside the bare FastAPI app: CPU time per request, no network, no wrk.

    python benchmarks/api_inprocess.py [--requests 400] [--rounds 5]

Far less noisy than wrk on a shared machine: each request is one raw ASGI call on this process's event
loop (the real app, migrated and seeded `large` on a SQLite file, as `paydesk-stub serve` serves it in
production, without `--dev`, whose pinned date costs one more read per request; its short reads run on
the loop there), timed by the process's CPU clock. Printed per target: the minimum over the rounds (the
two apps taking turns) of the mean CPU time per request, for the real route and for the bare app
(benchmarks/bare_api.py) answering the same bytes, and their ratio (bare / real: the share of the bare
app's rate the route would reach when CPU bound).
- invoice page 1 and page 40 (by the cursor) of the 10,000-invoice account (big@example.com);
- GET /v1/me of the same user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare_api import bare_app  # noqa: E402

BIG = "big@example.com"


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""


async def call(
    app: Callable,
    path: str,
    query: str = "",
    token: str | None = None,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> Answer:
    """One request through the ASGI app, as uvicorn would hand it over."""
    sent_headers = [(b"host", b"127.0.0.1"), (b"accept", b"*/*"), *(headers or [])]
    if body:
        sent_headers.append((b"content-length", str(len(body)).encode()))
    if token:
        sent_headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": sent_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    answer = Answer()
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the body went: what uvicorn answers once the client is done
            await asyncio.sleep(3600)
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", ()))
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


async def cpu_per_request(
    apps: list[tuple[Callable, str, str, str | None]], n: int, rounds: int
) -> list[float]:
    """For each (app, path, query, token): the minimum over `rounds` of the mean CPU seconds per request
    of `n` requests. The apps take turns round by round, so a busy spell of a shared machine falls on
    both sides of a ratio rather than on one."""
    best = [float("inf")] * len(apps)
    for _ in range(rounds):
        for index, (app, path, query, token) in enumerate(apps):
            started = time.process_time()
            for _ in range(n):
                answer = await call(app, path, query, token)
                assert answer.status == 200, (path, answer.status, answer.body[:200])
            best[index] = min(best[index], (time.process_time() - started) / n)
    return best


def real_app(workdir: Path) -> tuple[Any, str, int]:
    """The app on a `large` database, a token of big@example.com and that user's account id."""
    from backend_stub import cli
    from backend_stub.clock import utcnow
    from backend_stub.deps import token_hash
    from backend_stub.store import accounts as account_store
    from backend_stub.store import auth as auth_store
    from backend_stub.store.db import writing

    settings = cli.make_settings(f"sqlite:///{workdir / 'large.db'}", dev=False, jobs_every=None, environ={})
    app, engine = cli.build_app(settings, "large")
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        user = auth_store.user_by_email(conn, BIG)
        assert user is not None
        now = utcnow()
        auth_store.create_session(conn, user.id, token_hash(token), now, now + timedelta(days=1))
        account_id = account_store.linked_accounts(conn, user.id)[0]["id"]
    return app, token, account_id


async def measure(requests: int, rounds: int, only: str | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="paydesk-inprocess-") as tmp:
        workdir = Path(tmp)
        app, token, account_id = real_app(workdir)
        path = f"/v1/accounts/{account_id}/invoices"
        cursor = None
        for _ in range(39):
            query = urlencode({"cursor": cursor}) if cursor else ""
            cursor = json.loads((await call(app, path, query, token)).body)["next_cursor"]
        targets = {
            "invoices": (path, "", "invoice page 1 of the 10,000-invoice account"),
            "invoices40": (
                path,
                urlencode({"cursor": cursor}),
                "invoice page 40 of the 10,000-invoice account",
            ),
            "me": ("/v1/me", "", "GET /v1/me"),
        }
        pages = {name: json.loads((await call(app, p, q, token)).body) for name, (p, q, _) in targets.items()}
        bare = bare_app(pages, workdir / "naive.db")
        print(
            f"\nreads in process: CPU per request, min of {rounds} rounds of {requests};"
            " ratio = bare / Paydesk"
        )
        for name, (real_path, query, label) in targets.items():
            if only is not None and name != only:
                continue
            size = len(json.dumps(pages[name], separators=(",", ":")))
            bare_s, real_s = await cpu_per_request(
                [(bare, f"/page/{name}", "", None), (app, real_path, query, token)], requests, rounds
            )
            print(f"  bare FastAPI, the same {size:>6,} bytes          {bare_s * 1e6:8.0f} µs")
            print(f"  {label:44} {real_s * 1e6:8.0f} µs  {bare_s / real_s:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("invoices", "invoices40", "me"), help="one target (to profile)")
    args = parser.parse_args()
    asyncio.run(measure(args.requests, args.rounds, args.only))


if __name__ == "__main__":
    main()
