"""GET /v1/accounts/{id}/statement: history with a running balance, paged JSON and the whole range as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import VISA, Payer, body, card, invoices_target

DANA, LEE, SAM = "dana@example.com", "lee@example.com", "sam@example.com"
TODAY = date(2026, 11, 15)  # the demo clock
OLDEST = "2023-11-15"  # 36 months before it


def _all_pages(api: Api, email: str, **params: object) -> tuple[dict, list[dict]]:
    account = api.account_id(email)
    first = api.ok(f"/v1/accounts/{account}/statement", email, params={**params, "limit": 7})
    items, page = list(first["items"]), first
    while page["next_cursor"]:
        page = api.ok(
            f"/v1/accounts/{account}/statement",
            email,
            params={**params, "limit": 7, "cursor": page["next_cursor"]},
        )
        assert (page["opening_balance_cents"], page["closing_balance_cents"]) == (
            first["opening_balance_cents"],
            first["closing_balance_cents"],
        )
        items += page["items"]
    assert len(items) == first["total_count"]
    return first, items


def _adds_up(first: dict, items: list[dict]) -> None:
    balance = first["opening_balance_cents"]
    for item in items:
        balance += item["amount_cents"]
        assert item["balance_cents"] == balance, item
    assert balance == first["closing_balance_cents"]
    assert [i["date"] for i in items] == sorted(i["date"] for i in items)
    assert all(first["from"] <= i["date"] <= first["to"] for i in items)


@pytest.mark.parametrize("email", [DANA, LEE])
def test_running_balance_adds_up_and_ends_at_the_balance_due(demo: Api, email: str) -> None:
    first, items = _all_pages(demo, email, **{"from": OLDEST})
    assert (first["from"], first["to"]) == (OLDEST, TODAY.isoformat())
    assert (
        first["account_number"] == demo.ok(f"/v1/accounts/{demo.account_id(email)}", email)["account_number"]
    )
    _adds_up(first, items)
    assert {"invoice", "payment", "fee"} <= {i["kind"] for i in items}
    assert all(i["amount_cents"] > 0 for i in items if i["kind"] in ("invoice", "fee"))
    assert all(i["amount_cents"] < 0 for i in items if i["kind"] == "payment")
    summary = demo.ok(f"/v1/accounts/{demo.account_id(email)}/summary", email)
    # Pending payments count as paid on a statement: the balance is what is owed and not yet paid.
    assert first["closing_balance_cents"] == summary["balance_due_cents"] - summary["credit_cents"]
    numbers = {r["number"] for r in demo.invoices(email, limit=200)["items"] if r["issued_on"] >= OLDEST}
    assert {i["reference"] for i in items if i["kind"] == "invoice"} == numbers


def test_a_narrow_range_opens_with_the_balance_before_it(demo: Api) -> None:
    whole, all_items = _all_pages(demo, DANA, **{"from": OLDEST})
    part, items = _all_pages(demo, DANA, **{"from": "2026-06-01", "to": "2026-09-30"})
    _adds_up(part, items)
    before = [i for i in all_items if i["date"] < "2026-06-01"]
    assert part["opening_balance_cents"] == (
        before[-1]["balance_cents"] if before else whole["opening_balance_cents"]
    )
    assert items == [i for i in all_items if "2026-06-01" <= i["date"] <= "2026-09-30"]
    # Default range: the last 12 months up to today.
    default = demo.ok(f"/v1/accounts/{demo.account_id(DANA)}/statement", DANA)
    assert (default["from"], default["to"]) == ("2025-11-16", "2026-11-15")


def test_csv_matches_the_json(demo: Api) -> None:
    first, items = _all_pages(demo, DANA, **{"from": OLDEST})
    r = demo.get(
        f"/v1/accounts/{demo.account_id(DANA)}/statement", DANA, params={"from": OLDEST, "format": "csv"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="statement-4100012345-' in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["date", "kind", "description", "reference", "amount", "balance"]
    assert rows[1][1] == "opening_balance" and rows[-1][1] == "closing_balance"

    def dollars(cents: int) -> str:
        return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"

    assert rows[1][5] == dollars(first["opening_balance_cents"])
    assert rows[-1][5] == dollars(first["closing_balance_cents"])
    assert rows[2:-1] == [
        [
            i["date"],
            i["kind"],
            i["description"],
            i["reference"],
            dollars(i["amount_cents"]),
            dollars(i["balance_cents"]),
        ]
        for i in items
    ]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"from": (TODAY.replace(year=2023) - timedelta(days=1)).isoformat()}, "range_too_old", "from"),
        ({"from": "2020-01-01", "format": "csv"}, "range_too_old", "from"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "invalid_range", "from"),
        ({"from": "2026-13-01"}, "invalid_request", "from"),
        ({"to": "yesterday"}, "invalid_request", "to"),
        ({"format": "pdf"}, "invalid_request", "format"),
        ({"limit": 0}, "invalid_request", "limit"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor", "cursor"),
    ],
)
def test_bad_ranges_are_400(demo: Api, params: dict, code: str, param: str) -> None:
    r = demo.get(f"/v1/accounts/{demo.account_id(DANA)}/statement", DANA, params=params)
    assert_error(r, 400, "invalid_request", code, param)


def test_another_account_is_404(demo: Api) -> None:
    for account_id in (demo.account_id(LEE), 987654):
        for params in ({}, {"format": "csv"}):
            r = demo.get(f"/v1/accounts/{account_id}/statement", DANA, params=params)
            assert_error(r, 404, "not_found", "not_found")
    sam = demo.ok(f"/v1/accounts/{demo.account_id(SAM)}/statement", SAM)
    assert (sam["items"], sam["opening_balance_cents"], sam["closing_balance_cents"]) == ([], 0, 0)


def test_a_card_payment_shows_its_fee_and_moves_the_balance_by_the_amount(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    before = fresh.ok(f"/v1/accounts/{dana}/statement", DANA)
    invoice = fresh.invoices(DANA, status="open", kind="single")["items"][0]
    payment = Payer(fresh, DANA).paid(body(invoices_target(invoice["id"]), card(VISA)))
    after = fresh.ok(f"/v1/accounts/{dana}/statement", DANA, params={"limit": 200})
    fee, paid = after["items"][-2:]
    assert (fee["kind"], fee["amount_cents"], fee["reference"]) == (
        "fee",
        175,
        payment["confirmation_number"],
    )
    assert (paid["kind"], paid["amount_cents"]) == ("payment", -(invoice["balance_cents"] + 175))
    assert "4242" in paid["description"] and paid["date"] == TODAY.isoformat()
    assert after["closing_balance_cents"] == before["closing_balance_cents"] - invoice["balance_cents"]
