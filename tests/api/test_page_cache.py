"""The invoice page cache (backend_stub/page_cache.py) is never stale: over real HTTP on SQLite and
PostgreSQL, a page read (and so cached) shows at once what a payment, a settlement, a bank return, a void,
a refund or a move of the dev clock changed; two servers on one database see each other's changes at once;
and the token and the account are still checked on every request (a revoked token, a foreign account)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import Api, assert_error
from tests.api.identity import CLERK, keyed, verify
from tests.api.paying import RETURNS, Payer, ach, advance, body, card, invoices_target, singles
from tests.support.stub import serve_stub

DANA, LEE = "dana@example.com", "lee@example.com"


def _page(payer: Payer, **params: object) -> dict:
    """The page, read twice: the second answer comes from the cache, and says the same."""
    path = f"/v1/accounts/{payer.account_id}/invoices"
    first = payer.get(path, **params)
    assert payer.get(path, **params) == first
    return first


def _row(page: dict, invoice_id: int) -> dict | None:
    return next((row for row in page["items"] if row["id"] == invoice_id), None)


def test_a_card_payment_shows_on_the_cached_pages_at_once(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[-1]
    before_all, before_open = _page(dana, limit=200), _page(dana, status="open")
    assert _row(before_all, invoice["id"])["status"] == "open"
    assert _row(before_open, invoice["id"]) is not None
    dana.paid(body(invoices_target(invoice["id"]), card()))
    after_all, after_open = _page(dana, limit=200), _page(dana, status="open")
    assert _row(after_all, invoice["id"])["status"] == "paid"
    assert _row(after_all, invoice["id"])["balance_cents"] == 0
    assert _row(after_open, invoice["id"]) is None
    assert after_open["total_count"] == before_open["total_count"] - 1


def test_a_bank_payment_settles_or_comes_back_on_the_cached_page_at_once(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    settles, returned = singles(dana)[-2:]
    dana.paid(body(invoices_target(settles["id"]), ach()))
    dana.paid(body(invoices_target(returned["id"]), ach(next(iter(RETURNS)))))
    page = _page(dana, limit=200)
    assert (_row(page, settles["id"])["status"], _row(page, returned["id"])["status"]) == (
        "in_progress",
        "in_progress",
    )
    advance(fresh, 5)  # past the settlement date: one settles, the other is returned
    page = _page(dana, limit=200)
    assert _row(page, settles["id"])["status"] == "paid"
    assert _row(page, returned["id"])["status"] == "open"
    assert _row(page, returned["id"])["balance_cents"] == returned["balance_cents"]


def test_moving_the_dev_clock_makes_an_invoice_past_due_on_the_cached_page(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    today = advance(fresh, 0)
    invoice = next(i for i in reversed(singles(dana)) if not i["past_due"] and i["due_on"] >= today)
    assert _row(_page(dana, status="open"), invoice["id"])["past_due"] is False
    fresh.http.post("/v1/dev/clock", json={"today": invoice["due_on"]}).raise_for_status()
    assert _row(_page(dana, status="open"), invoice["id"])["past_due"] is False  # due today: not yet
    advance(fresh, 1)
    assert _row(_page(dana, status="open"), invoice["id"])["past_due"] is True


def test_a_void_and_a_refund_reopen_the_invoice_on_the_cached_page_at_once(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    verify(fresh, dana.account_id)
    voided, refunded = singles(dana)[-2:]
    one = dana.paid(body(invoices_target(voided["id"]), card()))
    assert _row(_page(dana, limit=200), voided["id"])["status"] == "paid"
    r = keyed(fresh, f"/v1/payments/{one['id']}/void", "void-1", {"reason": "Wrong invoice"})
    assert r.status_code == 200, r.text
    assert _row(_page(dana, limit=200), voided["id"])["status"] == "open"

    two = dana.paid(body(invoices_target(refunded["id"]), card()))
    advance(fresh, 1)  # settled: refunded, not voided
    assert _row(_page(dana, limit=200), refunded["id"])["status"] == "paid"
    r = keyed(fresh, f"/v1/payments/{two['id']}/refund", "refund-1", {"reason": "Goodwill"})
    assert r.status_code == 201, r.text
    row = _row(_page(dana, limit=200), refunded["id"])
    assert (row["status"], row["balance_cents"]) == ("open", refunded["balance_cents"])


def test_a_page_deep_in_the_list_follows_a_change_at_once(large: Api) -> None:
    """The 10,000-invoice account: a page reached by its cursor is cached like the first; a write to one
    of its invoices (behind the server's back, straight into the database) shows at once."""
    big = Payer(large, "big@example.com")
    path = f"/v1/accounts/{big.account_id}/invoices"
    cursor = big.get(path, limit=20)["next_cursor"]
    for _ in range(2):
        cursor = big.get(path, cursor=cursor, limit=20)["next_cursor"]
    page = _page(big, cursor=cursor, limit=20)
    target = page["items"][0]
    engine = create_engine(large.server.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE invoices SET number = :n WHERE id = :i"),
                {"n": target["number"] + "X", "i": target["id"]},
            )
        assert _page(big, cursor=cursor, limit=20)["items"][0]["number"] == target["number"] + "X"
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE invoices SET number = :n WHERE id = :i"),
                {"n": target["number"], "i": target["id"]},
            )
        engine.dispose()
    assert _page(big, cursor=cursor, limit=20) == page


def test_a_revoked_token_and_a_foreign_account_are_refused_though_the_page_is_cached(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    path = f"/v1/accounts/{dana.account_id}/invoices"
    _page(dana)
    # Lee's token on Dana's account: 404 as if it did not exist, though Dana's page is cached.
    assert_error(fresh.get(path, LEE), 404, "not_found", "not_found")
    # A clerk's read of the cached page is audited like any other.
    clerk_page = fresh.ok(path, CLERK)
    assert clerk_page == _page(dana)
    audit = fresh.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    assert sum(1 for row in audit if row["action"] == "invoices.list") >= 1
    token = fresh.token(DANA)
    auth = {"Authorization": f"Bearer {token}"}
    assert fresh.http.post("/v1/auth/logout", headers=auth).status_code in (200, 204)
    assert_error(fresh.http.get(path, headers=auth), 401, "authentication", "not_authenticated")


def test_a_cached_page_keeps_the_answer_headers(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    path = f"/v1/accounts/{dana.account_id}/invoices"
    answers = [fresh.get(path, DANA) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-request-id"]
    assert answers[0].content == answers[1].content
    assert answers[0].headers["x-request-id"] != answers[1].headers["x-request-id"]


@pytest.fixture
def two_servers(demo_db: str, tmp_path: Path) -> Iterator[tuple[Api, Api]]:
    """Two servers (each its own page cache) on one database: the SQLite file or PostgreSQL."""
    with serve_stub(demo_db, tmp_path / "a") as a, serve_stub(demo_db, tmp_path / "b") as b:
        one, two = Api(a), Api(b)
        try:
            yield one, two
        finally:
            one.close()
            two.close()


def test_two_servers_on_one_database_see_each_others_changes_at_once(two_servers: tuple[Api, Api]) -> None:
    one, two = two_servers
    dana_one, dana_two = Payer(one, DANA), Payer(two, DANA)
    first, second = singles(dana_one)[-2:]
    assert _row(_page(dana_one, limit=200), first["id"])["status"] == "open"
    assert _row(_page(dana_two, limit=200), first["id"])["status"] == "open"
    dana_two.paid(body(invoices_target(first["id"]), card()))  # paid through the other server
    assert _row(_page(dana_one, limit=200), first["id"])["status"] == "paid"
    dana_one.paid(body(invoices_target(second["id"]), ach()))
    assert _row(_page(dana_two, limit=200), second["id"])["status"] == "in_progress"
    advance(one, 5)  # the clock and the settlement, moved by one server: the other's pages follow
    page = _page(dana_two, limit=200)
    assert _row(page, second["id"])["status"] == "paid"
    assert _page(dana_one, limit=200) == page


def test_the_page_version_rises_with_every_change_of_an_invoice_or_its_site(demo_db: str) -> None:
    """The triggers of migration 0017, straight on the database."""
    engine = create_engine(demo_db)
    version = text("SELECT version FROM invoice_page_versions WHERE account_id = :a")
    try:
        with engine.begin() as conn:
            account, site = conn.execute(
                text("SELECT account_id, site_id FROM invoices WHERE site_id IS NOT NULL LIMIT 1")
            ).one()
            before = conn.execute(version, {"a": account}).scalar_one()
            conn.execute(
                text("UPDATE invoices SET balance_cents = balance_cents WHERE account_id = :a"),
                {"a": account},
            )
            after_update = conn.execute(version, {"a": account}).scalar_one()
            conn.execute(text("UPDATE sites SET name = name || ' East' WHERE id = :s"), {"s": site})
            after_site = conn.execute(version, {"a": account}).scalar_one()
            conn.execute(
                text("DELETE FROM invoices WHERE id = (SELECT max(id) FROM invoices WHERE account_id = :a)"),
                {"a": account},
            )
            after_delete = conn.execute(version, {"a": account}).scalar_one()
            new_account = conn.execute(
                text(
                    "INSERT INTO accounts (account_number, first_name, last_name, email, phone, "
                    "service_address, paperless, sms_opt_in, autopay_enabled, credit_cents) "
                    "VALUES ('4199999999', 'N', 'New', 'new@example.com', '5415550100', '1 Main St', "
                    "false, false, false, 0) RETURNING id"
                )
            ).scalar_one()
            assert conn.execute(version, {"a": new_account}).scalar_one() == 1
        assert before < after_update < after_site < after_delete
    finally:
        engine.dispose()


def test_a_bad_cursor_is_refused_and_never_cached(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    path = f"/v1/accounts/{dana.account_id}/invoices"
    for _ in range(2):
        assert_error(
            fresh.get(path, DANA, params={"cursor": "!!"}), 400, "invalid_request", "invalid_cursor", "cursor"
        )
    assert fresh.get(path, DANA).status_code == 200
