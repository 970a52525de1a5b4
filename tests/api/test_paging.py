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
