"""A payment is dated by the business's real date without --dev, in every transaction it runs: the
payment's own write (its `created_on`, a bank payment's settlement day) as much as the read that plans it.
On a demo database the seed pinned 2026-11-15; a server without --dev ignores it (issue 8, the clock)."""

from __future__ import annotations

from pathlib import Path

from tests.api.jobs_data import api_with, real_today, tokens_under_dev
from tests.api.paying import DANA, Payer, ach, body
from tests.support.stub import serve_stub, sqlite_database

ZONE = "America/Los_Angeles"  # the demo business's (PAYDESK_TIMEZONE's default)


def test_without_dev_a_bank_payment_is_dated_today_not_the_pinned_date(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "dated.db", "demo")
    tokens = tokens_under_dev(db, tmp_path, DANA)
    before = real_today(ZONE)
    with serve_stub(db, tmp_path, dev=False, no_jobs=True) as server:
        api = api_with(server, tokens)
        dana = Payer(api, DANA)
        paid = dana.paid(body({"type": "amount", "amount_cents": 1_00}, ach()))
        stored = dana.get(f"/v1/payments/{paid['id']}")
        shown_today = dana.summary()["today"]
        api.close()
    after = real_today(ZONE)
    days = {before.isoformat(), after.isoformat()}  # the zone's midnight may pass meanwhile
    assert shown_today in days
    assert paid["created_on"] in days and stored["created_on"] == paid["created_on"]
    assert paid["settles_on"] > paid["created_on"]  # some business days after the real date
    assert paid["created_on"] != "2026-11-15"
