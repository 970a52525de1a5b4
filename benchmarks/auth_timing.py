"""Known and unknown emails, side by side: how long each way in takes for an email on file and for one
that is not (issue 10, finding 3: the unknown path used to return before writing anything).

    python benchmarks/auth_timing.py [--tries 100] [--db URL] [--flood 32] [--payments 40]

`paydesk-stub serve` as a process (a fresh demo database on SQLite unless `--db` names one, e.g. a new
PostgreSQL database), every throttle raised out of the way (PAYDESK_* settings) so nothing is refused.
For each path the known and unknown requests alternate (known, unknown, known, ...) over one keep-alive
connection; the unknown one is one email not on file per path, asked as often as the known one (so each
has a live code or link for the next request to supersede, as a prober's repeated tries would). Prints the
medians in milliseconds, their difference, and the spread (the median absolute deviation) of the known
ones: a difference within it is noise.

Then payments beside a flood of password logins (finding 2: argon2 in the write transaction raised the
payment p50 twentyfold): `--payments` bank payments from 4 clients alone, then again while `--flood`
clients send logins for random emails from random addresses as fast as they are answered (the server
trusts 127.0.0.1 as its proxy, so X-Forwarded-For plays the addresses; the ceiling is off: the worst case).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from backend_stub.settings import THROTTLE_SETTINGS  # noqa: E402
from benchmarks.payments import PAYER, payment_body, percentile  # noqa: E402
from tests.conftest import login  # noqa: E402
from tests.support.stub import run_stub  # noqa: E402

KNOWN, LEE, DANA_NUMBER = "dana@example.com", "lee@example.com", "4100012345"
PASSWORD = "Blue-Heron-42"
OUT_OF_THE_WAY = {
    **{
        f"PAYDESK_{name.upper()}": "1000000"
        for name in THROTTLE_SETTINGS
        if name.endswith(("_window", "_email", "_address", "_account"))
    },
    "PAYDESK_AUTH_CEILING_PER_MINUTE": "0",  # no slowing down
    "PAYDESK_TRUSTED_PROXIES": "127.0.0.1",
}


def unknown() -> str:
    return f"nobody-{uuid.uuid4().hex[:12]}@example.com"


PATHS = {
    "POST /v1/auth/code": ("/v1/auth/code", lambda email: {"email": email}),
    "POST /v1/auth/signup": ("/v1/auth/signup", lambda email: {"email": email}),
    "POST /v1/auth/password/forgot": (
        "/v1/auth/password/forgot",
        lambda email: {"account_number": DANA_NUMBER, "email": email},
    ),
    "POST /v1/auth/login (wrong password)": (
        "/v1/auth/login",
        lambda email: {"email": email, "password": PASSWORD + "!"},
    ),
}


def set_password(http: httpx.Client, email: str) -> None:
    http.post("/v1/auth/signup", json={"email": email}).raise_for_status()
    body = http.get("/v1/dev/outbox", params={"to": email}).json()["items"][0]["body"]
    token = re.search(r"token=([A-Za-z0-9_-]+)", body).group(1)  # type: ignore[union-attr]
    http.post("/v1/auth/password/set", json={"token": token, "password": PASSWORD}).raise_for_status()


def timed(http: httpx.Client, path: str, body: dict) -> float:
    started = time.perf_counter()
    response = http.post(path, json=body)
    took = time.perf_counter() - started
    if response.status_code not in (202, 401):
        raise SystemExit(f"{path}: {response.status_code} {response.text}")
    return took * 1000


def mad(values: list[float]) -> float:
    middle = statistics.median(values)
    return statistics.median(abs(v - middle) for v in values)


def measure(base_url: str, tries: int) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        set_password(http, KNOWN)  # the known login has a real hash to miss
        print(f"known ({KNOWN}) beside unknown emails, {tries} interleaved tries each, milliseconds:")
        print(f"  {'path':38} {'known':>8} {'unknown':>8} {'diff':>7} {'spread':>7}")
        for name, (path, body) in PATHS.items():
            stranger = unknown()
            for _ in range(5):  # warm up
                timed(http, path, body(KNOWN))
                timed(http, path, body(stranger))
            known, strangers = [], []
            for _ in range(tries):
                known.append(timed(http, path, body(KNOWN)))
                strangers.append(timed(http, path, body(stranger)))
            k, u = statistics.median(known), statistics.median(strangers)
            print(f"  {name:38} {k:8.2f} {u:8.2f} {u - k:+7.2f} {mad(known):7.2f}")


async def payments(base_url: str, token: str, account_id: int, total: int) -> list[float]:
    latencies: list[float] = []
    left = list(range(total))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            while left:
                left.pop()
                started = time.perf_counter()
                r = await http.post(
                    f"/v1/accounts/{account_id}/payments",
                    json=payment_body(),
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if r.status_code != 201:
                    raise SystemExit(f"payment failed: {r.status_code} {r.text}")

    await asyncio.gather(*(client() for _ in range(4)))
    return latencies


async def flooded(
    base_url: str, token: str, account_id: int, total: int, flood: int
) -> tuple[list[float], int]:
    done = asyncio.Event()
    logins = 0

    async def flooder() -> None:
        nonlocal logins
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            while not done.is_set():
                address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
                await http.post(
                    "/v1/auth/login",
                    json={"email": unknown(), "password": PASSWORD},
                    headers={"X-Forwarded-For": address},
                )
                logins += 1

    flooders = [asyncio.create_task(flooder()) for _ in range(flood)]
    await asyncio.sleep(1)  # let the flood build up
    try:
        return await payments(base_url, token, account_id, total), logins
    finally:
        done.set()
        await asyncio.gather(*flooders)


def flood_figures(base_url: str, total: int, flood: int) -> None:
    token = login(base_url, PAYER)
    me = httpx.get(f"{base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    account_id = me["accounts"][0]["id"]
    asyncio.run(payments(base_url, token, account_id, 8))  # warm up
    alone = asyncio.run(payments(base_url, token, account_id, total))
    during, logins = asyncio.run(flooded(base_url, token, account_id, total, flood))
    print(f"\n{total} bank payments from 4 clients, milliseconds:")
    print(f"  {'':38} {'p50':>8} {'p99':>8}")
    print(f"  {'alone':38} {statistics.median(alone):8.1f} {percentile(alone, 99):8.1f}")
    label = f"beside {flood} clients of logins ({logins} done)"
    print(f"  {label:38} {statistics.median(during):8.1f} {percentile(during, 99):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tries", type=int, default=100)
    parser.add_argument("--db", default=None, help="a database URL (default: a new SQLite file)")
    parser.add_argument("--flood", type=int, default=32, help="login clients beside the payments")
    parser.add_argument("--payments", type=int, default=40, help="payments to time, alone and beside them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paydesk-auth-timing-") as tmp:
        workdir = Path(tmp)
        db_url = args.db or f"sqlite:///{workdir / 'timing.db'}"
        with run_stub(db_url, workdir, seed="demo", extra_env=OUT_OF_THE_WAY, no_jobs=True) as server:
            measure(server.base_url, args.tries)
            flood_figures(server.base_url, args.payments, args.flood)


if __name__ == "__main__":
    main()
