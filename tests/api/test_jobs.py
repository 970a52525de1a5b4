"""The jobs on the real clock: a server without --dev runs what fell due by itself (at start and every
--jobs-every), every day once across processes, and `paydesk-stub jobs` does one round for cron.

Every test moves its data relative to the real date in the business's zone (tests/api/jobs_data.py), so
it gives the same result on any day."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from backend_stub.store import job_days, meta
from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.tables import payments
from tests.api.jobs_data import api_with, at_noon, pin_and_shift, real_today, wait_for
from tests.api.paying import DANA, LEE, SETTLES, Payer, ach, body, invoices_target
from tests.support.stub import (
    fresh_postgres_database,
    postgres_available,
    run_stub,
    serve_stub,
    sqlite_database,
    stub_command,
)


def _payment(payer: Payer, payment_id: int) -> dict:
    return next(p for p in payer.history(limit=200)["items"] if p["id"] == payment_id)


def test_without_dev_a_bank_payment_past_its_settlement_date_settles(demo_db: str, tmp_path: Path) -> None:
    with serve_stub(demo_db, tmp_path, dev=True, no_jobs=True) as server:
        api = api_with(server, {})
        dana = Payer(api, DANA)
        invoice = min(dana.open_invoices(), key=lambda i: i["due_on"])
        paid = dana.paid(body(invoices_target(invoice["id"]), ach(SETTLES), email=DANA))
        assert paid["status"] == "pending"
        tokens = {DANA: api.token(DANA)}
        api.close()
    # As if it had been paid five days ago and its settlement date were yesterday.
    today = real_today()
    pin_and_shift(
        demo_db,
        today - timedelta(days=5),
        payments={
            paid["id"]: {
                "created_at": at_noon(today - timedelta(days=5)),
                "settles_on": today - timedelta(days=1),
            }
        },
    )
    with serve_stub(demo_db, tmp_path, dev=False, jobs_every=1) as server:
        api = api_with(server, tokens)
        dana = Payer(api, DANA)
        settled = wait_for(
            lambda: (p := _payment(dana, paid["id"]))["status"] == "succeeded" and p,
            "the bank payment to settle",
        )
        assert settled["created_on"] == (today - timedelta(days=5)).isoformat()
        assert dana.invoice(invoice["id"])["status"] == "paid"
        assert dana.summary()["today"] == today.isoformat()  # the real date, not the pinned one
        api.close()


def _lee_due_in_the_last_days(db_url: str, workdir: Path) -> tuple[dict[str, str], list[dict]]:
    """Lee's token and his two open invoices, made due yesterday and the day before (data known up to
    five days ago): autopay owes each one payment."""
    with serve_stub(db_url, workdir, dev=True, no_jobs=True) as server:
        api = api_with(server, {})
        first, second = sorted(Payer(api, LEE).open_invoices(), key=lambda i: i["due_on"])
        tokens = {LEE: api.token(LEE)}
        api.close()
    today = real_today()
    pin_and_shift(
        db_url,
        today - timedelta(days=5),
        invoices={
            first["id"]: {"issued_on": today - timedelta(days=30), "due_on": today - timedelta(days=2)},
            second["id"]: {"issued_on": today - timedelta(days=29), "due_on": today - timedelta(days=1)},
        },
    )
    return tokens, [first, second]


def _autopay_allocations(payer: Payer) -> list[int]:
    items = payer.history(limit=200)["items"]
    since = (real_today() - timedelta(days=5)).isoformat()
    return sorted(
        a["invoice_id"]
        for p in items
        if p["channel"] == "autopay" and p["created_on"] >= since
        for a in p["allocations"]
    )


@pytest.mark.postgres
def test_two_servers_running_jobs_on_one_postgres_pay_each_autopay_invoice_once(tmp_path: Path) -> None:
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("demo") as url:
        tokens, invoices = _lee_due_in_the_last_days(url, tmp_path)
        with contextlib.ExitStack() as stack:
            # Both processes start at once, so their first rounds (the catch-up) race.
            starting = [run_stub(url, tmp_path, seed="none", dev=False, jobs_every=1) for _ in range(2)]
            with ThreadPoolExecutor(2) as pool:
                servers = list(pool.map(stack.enter_context, starting))
            for server in servers:
                wait_for(lambda s=server: "first round" in s.log_text(), "each server's first jobs round")
            lee = Payer(api_with(servers[0], tokens), LEE)
            assert _autopay_allocations(lee) == sorted(i["id"] for i in invoices)
            for invoice in invoices:
                assert lee.invoice(invoice["id"])["status"] == "paid"
            ran = [s.log_text().count("jobs: ran the due work") for s in servers]
            assert sorted(ran) == [0, 1], ran  # one process ran the days, the other found them done
            lee.api.close()


def _jobs(db_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [*stub_command(), "jobs", "--db", db_url], capture_output=True, text=True, timeout=60, env=env
    )


def test_the_jobs_command_twice_in_a_row_does_the_work_once(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "cron.db", "demo")
    tokens, invoices = _lee_due_in_the_last_days(db, tmp_path)
    first, second = _jobs(db, tmp_path), _jobs(db, tmp_path)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    today, since = real_today(), real_today() - timedelta(days=5)
    first_day = since + timedelta(days=1)  # the days after the last one the data knew, through today
    assert f"due work: ran {first_day.isoformat()}..{today.isoformat()}" in first.stdout
    assert "due work: nothing due" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr
    with serve_stub(db, tmp_path, dev=False, no_jobs=True) as server:
        lee = Payer(api_with(server, tokens), LEE)
        assert _autopay_allocations(lee) == sorted(i["id"] for i in invoices)  # once each
        lee.api.close()


def test_a_failing_task_is_logged_and_the_others_still_run(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "broken.db", "demo")
    tokens, invoices = _lee_due_in_the_last_days(db, tmp_path)
    path = db.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE code_requests")  # a real fault for the clean-up task, none for the others
        conn.commit()
    result = _jobs(db, tmp_path)
    assert result.returncode == 1
    assert "due work: ran" in result.stdout and "Traceback" not in result.stderr
    [failure] = [line for line in result.stderr.splitlines() if "clean-up failed" in line]
    assert "OperationalError" in failure and "code_requests" in failure
    lines = [line for line in result.stderr.splitlines() if line.startswith("paydesk-stub:")]
    assert lines == ["paydesk-stub: jobs failed: clean-up (see the lines above)"]
    with serve_stub(db, tmp_path, dev=False, no_jobs=True) as server:
        lee = Payer(api_with(server, tokens), LEE)
        assert _autopay_allocations(lee) == sorted(i["id"] for i in invoices)
        lee.api.close()


def test_a_later_round_runs_the_day_that_has_just_begun(tmp_path: Path) -> None:
    """The rounds after the first: midnight cannot be caused, so the test moves the last day run back a
    day (as it stands just after midnight) and makes the payment due today."""
    db = sqlite_database(tmp_path / "rounds.db", "demo")
    with serve_stub(db, tmp_path, dev=True, no_jobs=True) as server:
        api = api_with(server, {})
        dana = Payer(api, DANA)
        invoice = min(dana.open_invoices(), key=lambda i: i["due_on"])
        paid = dana.paid(body(invoices_target(invoice["id"]), ach(SETTLES), email=DANA))
        tokens = {DANA: api.token(DANA)}
        api.close()
    today = real_today()
    pin_and_shift(
        db, today - timedelta(days=3), payments={paid["id"]: {"settles_on": today + timedelta(days=30)}}
    )
    engine = create_db_engine(db)
    try:
        with serve_stub(db, tmp_path, dev=False, jobs_every=0.5) as server:

            def last_day_run() -> str | None:
                with reading(engine) as conn:
                    return meta.get(conn, job_days.LAST_DAY_KEY)

            wait_for(lambda: last_day_run() == today.isoformat(), "the first round's catch-up")
            dana = Payer(api_with(server, tokens), DANA)
            assert _payment(dana, paid["id"])["status"] == "pending"  # due in a month
            with writing(engine) as conn:
                conn.execute(update(payments).where(payments.c.id == paid["id"]).values(settles_on=today))
                meta.put(conn, job_days.LAST_DAY_KEY, (today - timedelta(days=1)).isoformat())
            wait_for(
                lambda: _payment(dana, paid["id"])["status"] == "succeeded", "a later round to settle it"
            )
            # The day advances once its work is done, in a transaction of its own after the settlement's.
            wait_for(lambda: last_day_run() == today.isoformat(), "the round to advance its day")
            dana.api.close()
    finally:
        engine.dispose()
