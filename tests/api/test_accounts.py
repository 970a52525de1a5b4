"""Me, accounts, summaries and invoices: the demo data exactly as the contract describes it."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.api.conftest import Api, assert_error

DANA, LEE, SAM, CLERK = "dana@example.com", "lee@example.com", "sam@example.com", "clerk@example.com"


def test_me_lists_linked_accounts(demo: Api) -> None:
    for email, number, name in [
        (DANA, "4100012345", "Dana Whitfield"),
        (LEE, "4100067890", "Lee Okafor"),
        (SAM, "4100099999", "Sam Reyes"),
    ]:
        me = demo.ok("/v1/me", email)
        assert (
            me["user"]["email"] == email and me["user"]["role"] == "customer" and me["user"]["name"] == name
        )
        assert [(a["account_number"], a["name"]) for a in me["accounts"]] == [(number, name)]
    clerk = demo.ok("/v1/me", CLERK)
    assert clerk["user"]["role"] == "clerk" and clerk["user"]["name"] == "Casey Clerk"
    assert clerk["accounts"] == []


def test_dana_account(demo: Api) -> None:
    account = demo.ok(f"/v1/accounts/{demo.account_id(DANA)}", DANA)
    assert set(account) == {
        "id",
        "account_number",
        "first_name",
        "last_name",
        "name",
        "email",
        "pending_email",  # issue 10: a new billing email waiting for its code
        "phone",
        "service_address",
        "paperless",
        "sms_opt_in",
        "autopay",
    }
    assert account["pending_email"] is None  # the seed's email is on file: verified
    assert account["account_number"] == "4100012345"
    assert (account["first_name"], account["last_name"], account["name"]) == (
        "Dana",
        "Whitfield",
        "Dana Whitfield",
    )
    assert account["paperless"] is False
    assert account["autopay"] == {
        "enabled": False,
        "payment_method_id": None,
        "method_label": None,
        "next_run_on": None,
        "next_amount_cents": None,
        "last_failure": None,
    }


def test_lee_has_autopay_with_a_visa_4242_and_paperless(demo: Api) -> None:
    account = demo.ok(f"/v1/accounts/{demo.account_id(LEE)}", LEE)
    assert account["paperless"] is True
    assert account["autopay"]["enabled"] is True
    assert isinstance(account["autopay"]["payment_method_id"], int)
    assert "4242" in account["autopay"]["method_label"] and "Visa" in account["autopay"]["method_label"]


def _statuses(api: Api, email: str) -> Counter:
    return Counter(row["status"] for row in api.invoices(email, limit=200)["items"])


def test_dana_invoices_by_status(demo: Api) -> None:
    page = demo.invoices(DANA, limit=200)
    rows = page["items"]
    assert page["total_count"] == len(rows) == 11 and page["next_cursor"] is None
    # 3 open single-site + 1 open multi-site parent, 1 in progress, 6 paid; the unsent one never shows.
    assert Counter(r["status"] for r in rows) == {"open": 4, "in_progress": 1, "paid": 6}
    assert sum(r["past_due"] for r in rows) == 1
    assert all(r["status"] == "open" for r in rows if r["past_due"])
    assert [r["parent_id"] for r in rows] == [None] * 11  # top-level only
    keys = [(r["issued_on"], r["id"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    for row in rows:
        assert set(row) == {
            "id",
            "number",
            "issued_on",
            "due_on",
            "amount_cents",
            "balance_cents",
            "status",
            "past_due",
            "site",
            "parent_id",
            "children_count",
        }
        assert row["number"].startswith("INV-")
        assert (row["balance_cents"] == 0) == (row["status"] != "open")


@pytest.mark.parametrize(("status", "count"), [("open", 4), ("in_progress", 1), ("paid", 6), ("all", 11)])
def test_status_tabs(demo: Api, status: str, count: int) -> None:
    page = demo.invoices(DANA, status=status)
    assert page["total_count"] == len(page["items"]) == count
    if status != "all":
        assert {r["status"] for r in page["items"]} == {status}


@pytest.mark.parametrize(("kind", "count"), [("single", 10), ("multi", 1), ("all", 11)])
def test_kind_filter(demo: Api, kind: str, count: int) -> None:
    page = demo.invoices(DANA, kind=kind)
    assert page["total_count"] == count
    if kind == "multi":
        assert page["items"][0]["children_count"] == 3 and page["items"][0]["site"] is None
    if kind == "single":
        assert all(r["children_count"] == 0 for r in page["items"])
    assert demo.invoices(DANA, kind=kind, status="open")["total_count"] == (
        3 if kind == "single" else 1 if kind == "multi" else 4
    )


def test_dana_summary(demo: Api) -> None:
    summary = demo.ok(f"/v1/accounts/{demo.account_id(DANA)}/summary", DANA)
    rows = demo.invoices(DANA, limit=200)["items"]
    open_rows = [r for r in rows if r["status"] == "open"]
    in_progress = [r for r in rows if r["status"] == "in_progress"]
    assert summary == {
        "balance_due_cents": sum(r["balance_cents"] for r in rows),
        "past_due_cents": sum(r["balance_cents"] for r in open_rows if r["past_due"]),
        "credit_cents": 0,
        "in_progress_cents": in_progress[0]["amount_cents"],
        "open_count": 4,
        "past_due_count": 1,
        "next_due_on": min(r["due_on"] for r in open_rows if not r["past_due"]),
        "today": "2026-11-15",
    }
    assert summary["balance_due_cents"] == sum(r["balance_cents"] for r in open_rows) > 0
    assert summary["next_due_on"] == "2026-11-22"


def test_lee_and_sam(demo: Api) -> None:
    assert _statuses(demo, LEE) == {"open": 2, "paid": 12}
    assert demo.invoices(SAM) == {"items": [], "next_cursor": None, "total_count": 0}
    summary = demo.ok(f"/v1/accounts/{demo.account_id(SAM)}/summary", SAM)
    assert summary["balance_due_cents"] == summary["open_count"] == 0 and summary["next_due_on"] is None


def test_multi_site_parent_detail(demo: Api) -> None:
    parent = demo.invoices(DANA, kind="multi")["items"][0]
    detail = demo.ok(f"/v1/invoices/{parent['id']}", DANA)
    children = detail["children"]
    assert len(children) == 3 == detail["children_count"]
    assert detail["amount_cents"] == sum(c["amount_cents"] for c in children) == parent["amount_cents"]
    assert detail["balance_cents"] == sum(c["balance_cents"] for c in children)
    assert detail["status"] == "open" and all(c["status"] == "open" for c in children)
    assert all(c["parent_id"] == parent["id"] and c["children_count"] == 0 for c in children)
    sites = [c["site"] for c in children]
    assert len({s["id"] for s in sites}) == 3 and all(s["name"] and s["address"] for s in sites)
    assert detail["account_id"] == demo.account_id(DANA)
    # A child opens on its own too, and is never listed at the top.
    child = demo.ok(f"/v1/invoices/{children[0]['id']}", DANA)
    assert child["parent_id"] == parent["id"] and child["line_items"]
    listed = {r["id"] for r in demo.invoices(DANA, limit=200)["items"]}
    assert not listed & {c["id"] for c in children}


def test_paid_invoice_shows_its_payment(demo: Api) -> None:
    paid = demo.invoices(DANA, status="paid")["items"][0]
    detail = demo.ok(f"/v1/invoices/{paid['id']}", DANA)
    assert detail["balance_cents"] == 0 and detail["status"] == "paid"
    items = detail["line_items"]
    assert items and sum(i["amount_cents"] for i in items) == detail["amount_cents"]
    assert all(i["amount_cents"] == i["quantity"] * i["unit_cents"] for i in items)
    [payment] = detail["payments"]
    assert payment["status"] == "succeeded" and payment["amount_cents"] == detail["amount_cents"]
    assert payment["confirmation_number"] and payment["method_label"] and payment["created_at"].endswith("Z")


def test_in_progress_invoice_has_a_pending_ach_payment(demo: Api) -> None:
    row = demo.invoices(DANA, status="in_progress")["items"][0]
    detail = demo.ok(f"/v1/invoices/{row['id']}", DANA)
    [payment] = detail["payments"]
    assert payment["status"] == "pending" and payment["amount_cents"] == detail["amount_cents"]
    assert "6789" in payment["method_label"]
    assert detail["past_due"] is False


def test_a_customer_sees_only_their_own_accounts_and_invoices(demo: Api) -> None:
    lee_account = demo.account_id(LEE)
    lee_invoice = demo.invoices(LEE)["items"][0]["id"]
    dana_parent = demo.invoices(DANA, kind="multi")["items"][0]["id"]
    dana_child = demo.ok(f"/v1/invoices/{dana_parent}", DANA)["children"][0]["id"]
    missing = [
        f"/v1/accounts/{lee_account}",
        f"/v1/accounts/{lee_account}/summary",
        f"/v1/accounts/{lee_account}/invoices",
        f"/v1/invoices/{lee_invoice}",
        "/v1/accounts/987654",
        "/v1/accounts/987654/summary",
        "/v1/accounts/987654/invoices",
        "/v1/invoices/987654",
    ]
    bodies = []
    for path in missing:
        bodies.append(assert_error(demo.get(path, DANA), 404, "not_found", "not_found", None))
    # A foreign id answers exactly like a missing one.
    assert bodies[0] == bodies[4] and bodies[3] == bodies[7]
    assert_error(demo.get(f"/v1/invoices/{dana_child}", LEE), 404, "not_found", "not_found")


def test_the_unsent_invoice_is_invisible(demo: Api) -> None:
    """Dana's unsent draft is neither listed nor counted, and its id answers 404, even to a clerk."""
    rows = demo.invoices(DANA, limit=200)["items"]
    parent = next(r for r in rows if r["children_count"])
    visible = {r["id"] for r in rows} | {
        c["id"] for c in demo.ok(f"/v1/invoices/{parent['id']}", DANA)["children"]
    }
    # Dana's invoices were seeded with consecutive ids: the one gap in her range is the unsent draft.
    gaps = set(range(min(visible), max(visible) + 1)) - visible
    assert len(gaps) == 1
    [draft] = gaps
    assert_error(demo.get(f"/v1/invoices/{draft}", DANA), 404, "not_found", "not_found")
    assert_error(demo.get(f"/v1/invoices/{draft}", CLERK), 404, "not_found", "not_found")
