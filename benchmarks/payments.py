"""Payment figures: the payment endpoint under concurrent clients, and submit-to-receipt in the app.

    python benchmarks/payments.py [--payments 300] [--runs 5]

- endpoint: `POST /v1/accounts/{id}/payments` from 1, 4 and 16 concurrent clients on loopback against one
  uvicorn worker on SQLite, every request with its own Idempotency-Key. All clients pay the same account,
  the worst case: every payment takes that account's lock. Bank payments of $1.00 on a custom amount
  (they become account credit), so the 3-card-payments-in-5-days limit does not cut the run short.
  Prints payments per second and the p50/p99 latency.
- app: the payment wizard in a headless app (Textual's Pilot) against a fresh server per run, timed from
  pressing "Accept and continue" on the fee dialog to the receipt on screen (a card payment with its fee).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.conftest import login  # noqa: E402
from tests.support.stub import run_stub  # noqa: E402

PAYER = "sam@example.com"  # a demo account with no invoices: every payment is credit, none runs out
BANK = {
    "type": "ach",
    "routing_number": "110000000",
    "account_number": "000123456789",
    "account_type": "checking",
    "holder_name": "Sam Reyes",
    "save": False,
}


def payment_body() -> dict:
    return {
        "target": {"type": "amount", "amount_cents": 100},
        "parts": [{"method": BANK}],
        "accepted_fees_cents": 0,
        "receipt_email": PAYER,
    }


async def load(base: str, token: str, account_id: int, clients: int, total: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)

    async def client_loop() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                r = await client.post(
                    f"/v1/accounts/{account_id}/payments",
                    json=payment_body(),
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    raise SystemExit(f"payment failed: {r.status_code} {r.text}")

    t0 = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return time.perf_counter() - t0, latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def endpoint_figures(workdir: Path, total: int) -> None:
    with run_stub(f"sqlite:///{workdir / 'load.db'}", workdir, seed="demo") as server:
        token = login(server.base_url, PAYER)
        me = httpx.get(f"{server.base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        account_id = me["accounts"][0]["id"]
        asyncio.run(load(server.base_url, token, account_id, 2, 20))  # warm up
        print(f"payment endpoint, {total} bank payments per row, one uvicorn worker, SQLite, one account:")
        for clients in (1, 4, 16):
            wall, lat = asyncio.run(load(server.base_url, token, account_id, clients, total))
            p50, p99 = statistics.median(lat) * 1000, percentile(lat, 99) * 1000
            rate = total / wall
            print(f"  {clients:2} clients  {rate:6.0f} payments/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
        count = httpx.get(
            f"{server.base_url}/v1/accounts/{account_id}/payments",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["total_count"]
        print(f"  payments on the account afterwards: {count} (expected {20 + 3 * total})")


async def one_app_payment(base: str, token: str) -> float:
    from tests.app.conftest import make_app, on_home, on_screen
    from tests.app.test_pay_flows import fill_card, open_wizard, receipt, select_rows, to_review
    from tui.screens.pay_dialogs import FeeDialog

    app = make_app(base, token)
    async with app.run_test(size=(100, 40)) as pilot:
        home = await on_home(pilot)
        await select_rows(pilot, home, lambda row: row.past_due)
        screen = await open_wizard(pilot, "p")
        await pilot.press("ctrl+s")
        await fill_card(pilot, screen, "method-1", "4242424242424242")
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await on_screen(pilot, FeeDialog)
        t0 = time.perf_counter()
        await pilot.press("enter")  # Accept and continue
        await receipt(pilot, screen)
        return time.perf_counter() - t0


def app_figures(workdir: Path, runs: int) -> None:
    samples = []
    for i in range(runs):
        run_dir = workdir / f"app-{i}"
        run_dir.mkdir()
        with run_stub(f"sqlite:///{run_dir / 'app.db'}", run_dir, seed="demo") as server:
            token = login(server.base_url, "dana@example.com")
            samples.append(asyncio.run(one_app_payment(server.base_url, token)))
    print(f"\napp: 'Accept and continue' to the receipt on screen (card + fee), median of {runs}:")
    each = ", ".join(f"{s * 1000:.0f}" for s in samples)
    print(f"  {statistics.median(samples) * 1000:.0f} ms  (runs: {each})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=300, help="payments per concurrency level")
    parser.add_argument("--runs", type=int, default=5, help="app runs (each on a fresh server)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paydesk-paybench-") as tmp:
        endpoint_figures(Path(tmp), args.payments)
        app_figures(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
