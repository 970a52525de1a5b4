"""Keyset paging over the large seed: every page, no duplicates, no gaps, totals by COUNT."""

from __future__ import annotations

import time

from tests.api.conftest import Api

BIG = "big@example.com"


def _walk(api: Api, account_id: int, **params: object) -> tuple[list[dict], int, int]:
    rows: list[dict] = []
    cursor = None
    pages = 0
    total = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = api.ok(f"/v1/accounts/{account_id}/invoices", BIG, params=query)
        pages += 1
        total = page["total_count"] if total is None else total
        assert page["total_count"] == total
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return rows, total, pages


def test_walk_every_page_of_10000_invoices(large: Api) -> None:
    account_id = large.account_id(BIG)
    started = time.monotonic()
    rows, total, pages = _walk(large, account_id, limit=200)
    elapsed = time.monotonic() - started
    assert total == len(rows) == 10_000 and pages == 50
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    keys = [(r["issued_on"], r["id"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert elapsed < 20, f"50 pages took {elapsed:.1f}s"


def test_open_tab_pages_match_the_summary(large: Api) -> None:
    account_id = large.account_id(BIG)
    rows, total, pages = _walk(large, account_id, status="open", limit=7)
    summary = large.ok(f"/v1/accounts/{account_id}/summary", BIG)
    assert 20 <= total == len(rows) == summary["open_count"] <= 100
    assert pages == -(-total // 7)
    assert len({r["id"] for r in rows}) == total
    assert sum(r["balance_cents"] for r in rows) == summary["balance_due_cents"]
    assert sum(r["past_due"] for r in rows) == summary["past_due_count"] > 0
    paid = large.ok(f"/v1/accounts/{account_id}/invoices", BIG, params={"status": "paid", "limit": 1})
    assert paid["total_count"] == 10_000 - total


def test_default_page_is_50_and_the_demo_accounts_are_there_too(large: Api) -> None:
    page = large.ok(f"/v1/accounts/{large.account_id(BIG)}/invoices", BIG)
    assert len(page["items"]) == 50 and page["next_cursor"]
    assert large.invoices("dana@example.com")["total_count"] == 11


def _first_total(api: Api, account_id: int, **params: object) -> int:
    return api.ok(f"/v1/accounts/{account_id}/invoices", BIG, params={**params, "limit": 1})["total_count"]


def test_total_count_is_right_on_every_page_of_every_filter(large: Api) -> None:
    """The cursor carries the first page's count: each page of a filter says the same total, the one its
    walk finds, and a cursor sent with other filters is counted for those."""
    account_id = large.account_id(BIG)
    totals = {}
    for params in (
        {"status": "open", "limit": 9},
        {"kind": "single", "limit": 200},
        {"kind": "multi", "limit": 7},
        {"status": "paid", "kind": "multi", "limit": 5},
    ):
        rows, total, _pages = _walk(large, account_id, **params)
        assert total == len(rows) == len({r["id"] for r in rows}), params
        totals[tuple(sorted(params.items()))] = total
    single = totals[(("kind", "single"), ("limit", 200))]
    multi = totals[(("kind", "multi"), ("limit", 7))]
    assert single + multi == 10_000
    # A cursor of the "all" list sent with status=paid pages on, and counts the paid list.
    page = large.ok(f"/v1/accounts/{account_id}/invoices", BIG, params={"limit": 3})
    paid = large.ok(
        f"/v1/accounts/{account_id}/invoices",
        BIG,
        params={"limit": 3, "status": "paid", "cursor": page["next_cursor"]},
    )
    assert paid["total_count"] == _first_total(large, account_id, status="paid") < 10_000
    assert all(r["status"] == "paid" for r in paid["items"])
    assert (paid["items"][0]["issued_on"], paid["items"][0]["id"]) < (
        page["items"][-1]["issued_on"],
        page["items"][-1]["id"],
    )


def test_a_cursor_with_a_forged_count_is_refused_and_an_old_one_is_counted(large: Api) -> None:
    import base64
    import json

    account_id = large.account_id(BIG)
    path = f"/v1/accounts/{account_id}/invoices"

    def made(value: list) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    for bad in (
        ["2026-01-01", 5, -1, "all/all"],
        ["2026-01-01", 5, "many", "all/all"],
        ["2026-01-01", 5, True, "all/all"],
        ["2026-01-01", 5, 2**40, "all/all"],
        ["2026-01-01", 5, 7],
    ):
        response = large.get(path, BIG, params={"cursor": made(bad)})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor", bad
    # A cursor of (day, id) alone, as this server gave out before it carried the count: counted again.
    older = large.ok(path, BIG, params={"cursor": made(["2099-01-01", 2**31 - 1])})
    assert older["total_count"] == 10_000 and len(older["items"]) == 50


FILTERS = [
    {"status": status, "kind": kind}
    for status in ("all", "open", "in_progress", "paid")
    for kind in ("all", "single", "multi")
]


def _totals_match_the_walks(api: Api, email: str) -> dict[tuple[str, str], int]:
    """Every filter's total_count (kept by the database's triggers, migration 0011) is the number of rows
    its pages hold."""
    account_id = api.account_id(email)
    totals = {}
    for params in FILTERS:
        seen, cursor, total = 0, None, None
        while True:
            query = {**params, "limit": 4, **({"cursor": cursor} if cursor else {})}
            page = api.ok(f"/v1/accounts/{account_id}/invoices", email, params=query)
            total = page["total_count"] if total is None else total
            seen += len(page["items"])
            if (cursor := page["next_cursor"]) is None:
                break
        assert total == seen, params
        totals[params["status"], params["kind"]] = total
    return totals


def test_total_count_follows_payments_settlements_and_returns(fresh: Api) -> None:
    from tests.api.paying import DANA, RETURNS, SETTLES, Payer, ach, body, card, invoices_target, singles

    before = _totals_match_the_walks(fresh, DANA)
    payer = Payer(fresh, DANA)
    by_card, by_bank, returned = singles(payer)[:3]
    payer.paid(body(invoices_target(by_card["id"]), card()))
    payer.paid(body(invoices_target(by_bank["id"]), ach(SETTLES)))
    payer.paid(body(invoices_target(returned["id"]), ach(next(iter(RETURNS)))))
    pending = _totals_match_the_walks(fresh, DANA)
    assert pending["paid", "single"] == before["paid", "single"] + 1
    assert pending["in_progress", "single"] == before["in_progress", "single"] + 2
    assert pending["open", "single"] == before["open", "single"] - 3
    assert pending["all", "all"] == before["all", "all"]
    r = fresh.http.post("/v1/dev/clock", json={"advance_days": 7})  # the bank settles one, returns one
    assert r.status_code == 200, r.text
    after = _totals_match_the_walks(fresh, DANA)
    assert after["all", "all"] == before["all", "all"]
    statuses = [payer.invoice(i["id"])["status"] for i in (by_card, by_bank, returned)]
    assert statuses == ["paid", "paid", "open"]
    assert after["in_progress", "all"] == 0  # every bank payment settled or came back
    assert after["open", "single"] == pending["open", "single"] + 1  # the returned one is open again
    assert after["paid", "single"] == pending["paid", "single"] + pending["in_progress", "single"] - 1
