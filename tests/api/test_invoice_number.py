"""`GET /v1/accounts/{id}/invoices?number=`: one invoice by its number (exact), for `paydesk invoice
NUMBER` and `paydesk pay --invoice NUMBER`; an unknown number is an empty list, a bad one a 400."""

from __future__ import annotations

from tests.api.conftest import Api, assert_error

DANA, LEE, CLERK = "dana@example.com", "lee@example.com", "clerk@example.com"


def test_the_number_filter_finds_one_invoice_exactly(demo: Api) -> None:
    listed = demo.invoices(DANA, limit=200)["items"]
    wanted = listed[len(listed) // 2]
    page = demo.invoices(DANA, number=wanted["number"])
    assert page == {"items": [wanted], "next_cursor": None, "total_count": 1}
    # The other filters still narrow it: a paid invoice is not among the open ones.
    paid = next(row for row in listed if row["status"] == "paid")
    assert demo.invoices(DANA, number=paid["number"], status="open")["items"] == []
    assert demo.invoices(DANA, number=paid["number"].lower())["items"] == []  # exact, not case-folded


def test_another_accounts_number_or_an_unknown_one_is_an_empty_list(demo: Api) -> None:
    lees = demo.invoices(LEE)["items"][0]["number"]
    assert demo.invoices(DANA, number=lees) == {"items": [], "next_cursor": None, "total_count": 0}
    assert demo.invoices(DANA, number="INV-1999-00001")["total_count"] == 0


def test_a_clerk_finds_the_invoice_on_the_account(demo: Api) -> None:
    row = demo.invoices(DANA)["items"][0]
    dana = demo.account_id(DANA)
    page = demo.ok(f"/v1/accounts/{dana}/invoices", CLERK, params={"number": row["number"]})
    assert page["items"] == [row]


def test_a_number_too_long_or_empty_is_a_400_naming_it(demo: Api) -> None:
    dana = demo.account_id(DANA)
    for bad in ("X" * 33, ""):
        response = demo.get(f"/v1/accounts/{dana}/invoices", DANA, params={"number": bad})
        error = assert_error(response, 400, "invalid_request", "invalid_request", "number")
        assert "number" in error["message"], error
