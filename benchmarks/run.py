"""Paydesk's performance figures, measured as a person meets the program (a pseudo-terminal), and the
API's throughput under load beside bare FastAPI yardsticks (benchmarks/throughput.py).

    python benchmarks/run.py [--runs 5] [--only app|throughput|reads|payments] [--seconds 10]
                             [--pg-workers 2]

Prints medians of several runs. The machines are noisy: compare the ratios measured in the same run.
- cold start: `paydesk` to its login screen, beside a bare Textual app to its first frame;
- login: from typing the last digit of the code to a home screen with its balance and invoices;
- tabs: the Open tab (the home screen's first tab) and the All tab of the `large` account
  (10,000 invoices) beside a 10-invoice account; paging should make them independent of the size;
- API: the first page of an invoice list over loopback, large beside small;
- throughput (wrk -t2 -c16): the invoice page of the 10,000-invoice account (first and 40th page) and
  GET /v1/me beside a bare FastAPI app answering the same bytes; payments from 16 connections beside a
  naive one-INSERT-per-POST endpoint, on SQLite and on PostgreSQL with --pg-workers workers.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.support.terminal import Terminal  # noqa: E402

BIN = Path(sys.executable).parent
SMALL = "dana@example.com"
LARGE = "big@example.com"


def start_stub(workdir: Path) -> tuple[subprocess.Popen, str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(BIN / "paydesk-stub"),
            "serve",
            "--port",
            "0",
            "--seed",
            "large",
            "--dev",
            "--db",
            str(workdir / "bench.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=(workdir / "stub.log").open("w"),
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        raise SystemExit(f"the stub did not start: {(workdir / 'stub.log').read_text()}")
    return proc, match.group(1), time.perf_counter() - t0


def app_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "PAYDESK_CONFIG_DIR": str(workdir / "config"),
        "PAYDESK_DATA_DIR": str(workdir / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **extra,
    }
    env.pop("NO_COLOR", None)
    env.pop("PAYDESK_TOKEN", None) if "PAYDESK_TOKEN" not in extra else None
    return env


def terminal(argv: list[str], env: dict[str, str]) -> Terminal:
    term = Terminal(argv, env)
    term.child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default: not the app's
    return term


def time_to_screen(argv: list[str], env: dict[str, str], text: str) -> float:
    t0 = time.perf_counter()
    term = terminal(argv, env)
    try:
        term.wait_for(lambda s: text in s, text, timeout=60)
        return time.perf_counter() - t0
    finally:
        term.close()


def cold_start(base: str, workdir: Path, runs: int) -> tuple[list[float], list[float]]:
    bare, paydesk = [], []
    env = app_env(workdir)
    for _ in range(runs):  # interleaved, so drift on a noisy machine hits both alike
        bare.append(time_to_screen([sys.executable, str(ROOT / "benchmarks/bare_app.py")], env, "Hello from"))
        paydesk.append(time_to_screen([str(BIN / "paydesk"), "--server", base], env, "Sign in"))
    return bare, paydesk


def newest_code(base: str, email: str, after: set[int]) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/v1/dev/outbox", params={"to": email}).json()["items"]
        for item in items:
            if item["kind"] == "login_code" and item["id"] not in after:
                return re.search(r"\b(\d{6})\b", item["body"]).group(1)
        time.sleep(0.02)
    raise SystemExit(f"no new code for {email}")


def seen_ids(base: str, email: str) -> set[int]:
    return {i["id"] for i in httpx.get(f"{base}/v1/dev/outbox", params={"to": email}).json()["items"]}


def totals(base: str, token: str, account_id: int) -> dict[str, int]:
    h = {"Authorization": f"Bearer {token}"}
    return {
        s: httpx.get(
            f"{base}/v1/accounts/{account_id}/invoices", params={"status": s, "limit": 1}, headers=h
        ).json()["total_count"]
        for s in ("open", "all")
    }


def loaded_line(total: int):
    pattern = re.compile(rf"\b\d+ of {total} loaded")
    return lambda s: "Balance Due" in s and pattern.search(s)


def login_once(base: str, workdir: Path, email: str, open_total: int) -> tuple[float, str]:
    """Type the email, then time from the code's last digit to a filled home screen."""
    home = Path(tempfile.mkdtemp(dir=workdir))  # a fresh home each time: no remembered session
    term = terminal([str(BIN / "paydesk"), "--server", base], app_env(home))
    try:
        term.wait_for(lambda s: "Sign in" in s, "login screen")
        before = seen_ids(base, email)
        term.send(email + "\r")
        code = newest_code(base, email, before)
        term.wait_for(lambda s: "Enter your code" in s, "code screen")
        t0 = time.perf_counter()
        term.send(code)
        term.wait_for(loaded_line(open_total), "home with the Open tab filled")
        return time.perf_counter() - t0, code
    finally:
        term.close()


def api_token(base: str, email: str) -> tuple[str, int]:
    before = seen_ids(base, email)
    httpx.post(f"{base}/v1/auth/code", json={"email": email})
    code = newest_code(base, email, before)
    token = httpx.post(f"{base}/v1/auth/code/verify", json={"email": email, "code": code}).json()["token"]
    me = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    return token, me["accounts"][0]["id"]


def tabs_once(base: str, workdir: Path, token: str, want: dict[str, int]) -> tuple[float, float]:
    """Start signed in (remember me); time to the filled Open tab, then pressing 1 to the filled All tab."""
    t0 = time.perf_counter()
    term = terminal([str(BIN / "paydesk"), "--server", base], app_env(workdir, PAYDESK_TOKEN=token))
    try:
        term.wait_for(loaded_line(want["open"]), "the Open tab")
        opened = time.perf_counter() - t0
        t1 = time.perf_counter()
        term.send("1")
        term.wait_for(loaded_line(want["all"]), "the All tab")
        return opened, time.perf_counter() - t1
    finally:
        term.close()


def api_first_page(base: str, token: str, account_id: int, status: str, runs: int = 40) -> float:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        client.get(f"/v1/accounts/{account_id}/invoices", params={"status": status, "limit": 100})
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get(f"/v1/accounts/{account_id}/invoices", params={"status": status, "limit": 100})
            samples.append(time.perf_counter() - t0)
            r.raise_for_status()
    return statistics.median(samples)


def ms(values: list[float] | float) -> str:
    v = statistics.median(values) if isinstance(values, list) else values
    return f"{v * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (login codes allow at most 4)")
    parser.add_argument(
        "--only",
        choices=("all", "app", "throughput", "reads", "payments"),
        default="all",
        help="app: the pseudo-terminal figures; throughput: reads and payments under wrk (default: all)",
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument(
        "--pg-workers",
        type=int,
        default=2,
        help="`serve --workers` for the PostgreSQL payments (skipped if serve has none; 1: one worker)",
    )
    args = parser.parse_args()
    if args.only != "app":
        import throughput

        both = ("reads", "payments")
        parts = both if args.only in ("all", "throughput") else (args.only,)
        throughput.main(seconds=args.seconds, pg_workers=args.pg_workers, parts=parts)
        if args.only != "all":
            return
    runs = max(1, args.runs)
    with tempfile.TemporaryDirectory(prefix="paydesk-bench-") as tmp:
        workdir = Path(tmp)
        proc, base, started = start_stub(workdir)
        try:
            print(f"backend: {base}, started and seeded `large` (10,000 invoices) in {started:.2f} s")
            bare, paydesk = cold_start(base, workdir, runs)
            print(f"\ncold start, median of {runs}:")
            print(f"  bare Textual app to first frame   {ms(bare)}")
            print(f"  paydesk to the login screen       {ms(paydesk)}")
            ratio = statistics.median(paydesk) / statistics.median(bare)
            print(f"  ratio paydesk / bare              {ratio:7.2f}")

            small_token, small_id = api_token(base, SMALL)
            large_token, large_id = api_token(base, LARGE)
            small_want = totals(base, small_token, small_id)
            large_want = totals(base, large_token, large_id)

            login_runs = min(runs, 4)  # 5 code requests per email per 15 minutes, one used above
            logins = [login_once(base, workdir, SMALL, small_want["open"])[0] for _ in range(login_runs)]
            print(f"\nlogin: last code digit to a filled home screen ({SMALL}), median of {login_runs}:")
            print(f"  {ms(logins)}")

            small_tabs = [tabs_once(base, workdir, small_token, small_want) for _ in range(runs)]
            large_tabs = [tabs_once(base, workdir, large_token, large_want) for _ in range(runs)]
            sizes = f"small: {small_want['all']} invoices, large: {large_want['all']}"
            print(f"\ntabs, median of {runs} ({sizes}):")
            for i, name in enumerate(("start to a filled Open tab", "All tab after pressing 1")):
                s = [t[i] for t in small_tabs]
                lg = [t[i] for t in large_tabs]
                print(
                    f"  {name:28} small {ms(s)}  large {ms(lg)}  ratio "
                    f"{statistics.median(lg) / statistics.median(s):5.2f}"
                )

            print("\nAPI: first page of 100 over loopback, median of 40:")
            for status in ("open", "all"):
                s = api_first_page(base, small_token, small_id, status)
                lg = api_first_page(base, large_token, large_id, status)
                print(f"  status={status:5} small {ms(s)}  large {ms(lg)}  ratio {lg / s:5.2f}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
