"""Clerk search and clerk reads, every one audited with the clerk's id."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error

CLERK, DANA, LEE = "clerk@example.com", "dana@example.com", "lee@example.com"


def _search(api: Api, as_: str = CLERK, **params: str):  # type: ignore[no-untyped-def]
    return api.get("/v1/clerk/accounts", as_, params=params)


@pytest.mark.parametrize(
    "params",
    [
        {"account_number": "4100012345", "last_name": "Whitfield"},
        {"account_number": "4100012345", "last_name": "wHITFIELD"},
        {"account_number": " 4100012345 ", "last_name": " whitfield "},
        {"email": "dana@example.com"},
        {"email": "DANA@Example.COM"},
    ],
)
def test_clerk_finds_dana(demo: Api, params: dict) -> None:
    response = _search(demo, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_count"] == 1 and body["next_cursor"] is None
    [found] = body["items"]
    assert found == {
        "id": found["id"],
        "account_number": "4100012345",
        "name": "Dana Whitfield",
        "first_name": "Dana",
        "last_name": "Whitfield",
        "email": "dana@example.com",
        "service_address": found["service_address"],
    }


@pytest.mark.parametrize(
    "params",
    [
        {"account_number": "4100012345", "last_name": "Okafor"},
        {"account_number": "4100012346", "last_name": "Whitfield"},
        {"email": "nobody@example.com"},
    ],
)
def test_clerk_search_without_a_match_is_empty(demo: Api, params: dict) -> None:
    assert _search(demo, **params).json() == {"items": [], "next_cursor": None, "total_count": 0}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"account_number": "4100012345"},
        {"last_name": "Whitfield"},
        {"account_number": "4100012345", "last_name": "Whitfield", "email": "dana@example.com"},
        {"email": ""},
    ],
)
def test_clerk_search_needs_number_and_name_or_email(demo: Api, params: dict) -> None:
    assert_error(_search(demo, **params), 400, "invalid_request", "invalid_search")


def test_customers_cannot_search(demo: Api) -> None:
    error = assert_error(_search(demo, DANA, email="lee@example.com"), 403, "permission", "clerk_only")
    assert error["param"] is None
    assert_error(
        demo.get("/v1/clerk/accounts", params={"email": "x@example.com"}),
        401,
        "authentication",
        "not_authenticated",
    )


def test_clerk_reads_any_account_and_every_read_is_audited(demo: Api) -> None:
    clerk_id = demo.ok("/v1/me", CLERK)["user"]["id"]
    found = _search(demo, account_number="4100067890", last_name="okafor").json()["items"][0]
    account_id = found["id"]
    assert demo.ok(f"/v1/accounts/{account_id}", CLERK)["account_number"] == "4100067890"
    assert demo.ok(f"/v1/accounts/{account_id}/summary", CLERK)["open_count"] == 2
    invoices = demo.ok(f"/v1/accounts/{account_id}/invoices", CLERK, params={"status": "open"})
    assert invoices["total_count"] == 2
    detail = demo.ok(f"/v1/invoices/{invoices['items'][0]['id']}", CLERK)
    assert detail["account_id"] == account_id
    audit = demo.ok("/v1/dev/audit", params={"account_id": account_id})["items"]
    actions = [entry["action"] for entry in audit[:4]]
    assert actions == ["invoice.view", "invoices.list", "account.summary", "account.view"]
    assert all(entry["actor_user_id"] == clerk_id for entry in audit[:4])
    assert audit[0]["detail"] == {"invoice_id": detail["id"]}
    searches = [e for e in demo.ok("/v1/dev/audit")["items"] if e["action"] == "clerk.search"]
    assert searches and searches[0]["actor_user_id"] == clerk_id
    assert any(e["detail"].get("found") == [account_id] for e in searches)


def test_customer_reads_are_not_audited(demo: Api) -> None:
    account_id = demo.account_id(LEE)
    before = demo.ok("/v1/dev/audit", params={"account_id": account_id})["items"]
    demo.ok(f"/v1/accounts/{account_id}", LEE)
    assert demo.ok("/v1/dev/audit", params={"account_id": account_id})["items"] == before


def test_clerk_missing_account_is_404(demo: Api) -> None:
    assert_error(demo.get("/v1/accounts/987654", CLERK), 404, "not_found", "not_found")
