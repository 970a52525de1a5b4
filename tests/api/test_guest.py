"""Guest one-time payment: lookup by account number + last name, a token that only sees the account's open
invoices, quotes and makes one payment (new card or bank, nothing saved, channel `guest`)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.conftest import Api, assert_error
from tests.api.paying import DECLINES, VISA, ach, card, invoices_target, outbox

DANA, LEE = "dana@example.com", "lee@example.com"
DECLINED = next(iter(DECLINES))


def lookup(api: Api, number: str = "4100012345", last_name: str = "Whitfield") -> httpx.Response:
    return api.http.post("/v1/guest/lookup", json={"account_number": number, "last_name": last_name})


class Guest:
    def __init__(self, api: Api, number: str = "4100012345", last_name: str = "Whitfield") -> None:
        r = lookup(api, number, last_name)
        assert r.status_code == 200, r.text
        self.api, self.session = api, r.json()
        self.account_id, self.headers = (
            self.session["account_id"],
            {"Authorization": f"Bearer {self.session['token']}"},
        )

    def get(self, path: str, **params: object) -> httpx.Response:
        return self.api.http.get(path, headers=self.headers, params=params)

    def call(self, method: str, path: str, headers: dict | None = None, **kwargs: object) -> httpx.Response:
        return self.api.http.request(method, path, headers=headers or self.headers, **kwargs)  # type: ignore[arg-type]

    def pay(self, payment: dict, key: str | None = None) -> httpx.Response:
        quote = self.call("POST", f"/v1/accounts/{self.account_id}/payments/quote", json=payment).json()
        return self.call(
            "POST",
            f"/v1/accounts/{self.account_id}/payments",
            json={**payment, "accepted_fees_cents": quote.get("fees_cents", 0)},  # no quote once spent
            headers={**self.headers, "Idempotency-Key": key or uuid.uuid4().hex},
        )


def _payment(invoice_id: int, method: dict, email: str = "friend@example.com") -> dict:
    return {"target": invoices_target(invoice_id), "parts": [{"method": method}], "receipt_email": email}


def test_lookup_then_view_and_pay_once(fresh: Api) -> None:
    guest = Guest(fresh, " 4100012345 ", "WHITFIELD")
    assert guest.account_id == fresh.account_id(DANA) and guest.session["expires_at"].endswith("Z")
    summary = guest.get(f"/v1/accounts/{guest.account_id}/summary")
    assert summary.status_code == 200 and summary.json()["open_count"] == 4
    open_rows = guest.get(f"/v1/accounts/{guest.account_id}/invoices", status="open").json()["items"]
    assert len(open_rows) == 4 and {r["status"] for r in open_rows} == {"open"}
    single = next(r for r in open_rows if r["children_count"] == 0)
    assert guest.get(f"/v1/invoices/{single['id']}").status_code == 200
    r = guest.pay(_payment(single["id"], card(VISA)))
    assert r.status_code == 201, r.text
    payment = r.json()
    assert (payment["channel"], payment["created_by"], payment["status"]) == ("guest", None, "succeeded")
    assert payment["receipt_email"] == "friend@example.com"
    assert [
        m
        for m in outbox(fresh, "friend@example.com", "receipt")
        if payment["confirmation_number"] in m["body"]
    ]
    # Spent: the token works no more, not even to look.
    assert_error(
        guest.get(f"/v1/accounts/{guest.account_id}/summary"), 401, "authentication", "not_authenticated"
    )
    other = next(r for r in open_rows if r["children_count"] == 0 and r["id"] != single["id"])
    assert_error(guest.pay(_payment(other["id"], ach())), 401, "authentication", "not_authenticated")
    assert fresh.ok(f"/v1/invoices/{single['id']}", DANA)["status"] == "paid"
    assert fresh.ok(f"/v1/invoices/{other['id']}", DANA)["status"] == "open"


def test_a_declined_payment_does_not_spend_the_session(fresh: Api) -> None:
    guest = Guest(fresh)
    invoice = guest.get(f"/v1/accounts/{guest.account_id}/invoices", status="open").json()["items"][0]
    target = invoice["id"]
    r = guest.pay(_payment(target, card(DECLINED)))
    assert r.status_code == 402 and r.json()["error"]["code"] == "card_declined"
    r = guest.pay(_payment(target, ach()))
    assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["channel"] == "guest"


@pytest.mark.parametrize(
    ("number", "last_name"),
    [
        ("4100012345", "Okafor"),
        ("4100012346", "Whitfield"),
        ("410001234", "Whitfield"),
        ("4100012345", "Whit"),
    ],
)
def test_a_wrong_pair_never_says_which_part(demo: Api, number: str, last_name: str) -> None:
    error = assert_error(lookup(demo, number, last_name), 404, "not_found", "account_not_found", None)
    assert (
        error["message"]
        == "We could not find an account with that number and last name: check both and try again."
    )


def test_lookup_bad_bodies(demo: Api) -> None:
    r = demo.http.post("/v1/guest/lookup", json={"account_number": "4100012345"})
    assert_error(r, 400, "invalid_request", "invalid_request", "last_name")


def test_lookups_are_rate_limited_per_account_number(fresh: Api) -> None:
    for _ in range(10):
        assert lookup(fresh, "4100067890", "Wrong").status_code == 404
    r = lookup(fresh, "4100067890", "Okafor")
    assert_error(r, 429, "rate_limited", "too_many_requests")
    assert int(r.headers["Retry-After"]) > 0


def test_what_a_guest_may_not_do(demo: Api) -> None:
    guest = Guest(demo)
    dana, lee = guest.account_id, demo.account_id(LEE)
    paid = demo.invoices(DANA, status="paid")["items"][0]["id"]
    lee_invoice = demo.invoices(LEE)["items"][0]["id"]
    forbidden = [
        ("GET", "/v1/me", None),
        ("GET", f"/v1/accounts/{dana}", None),
        ("PATCH", f"/v1/accounts/{dana}", {"paperless": True}),
        ("PUT", f"/v1/accounts/{dana}/autopay", {"enabled": False}),
        ("GET", f"/v1/accounts/{dana}/payments", None),
        ("GET", f"/v1/accounts/{dana}/payment-methods", None),
        ("POST", f"/v1/accounts/{dana}/payment-methods", {"type": "card"}),
        ("GET", f"/v1/accounts/{dana}/statement", None),
        ("GET", f"/v1/accounts/{dana}/scheduled-payments", None),
        ("POST", f"/v1/accounts/{dana}/messages", {"subject": "Hi", "body": "x"}),
        ("GET", f"/v1/invoices/{paid}/pdf", None),
        ("GET", "/v1/payments/1", None),
        ("GET", "/v1/clerk/accounts", None),
    ]
    for method, path, body in forbidden:
        r = guest.call(method, path, json=body) if body is not None else guest.call(method, path)
        assert_error(r, 403, "permission", "guest_forbidden")
    for status in ("all", "paid", "in_progress"):
        r = guest.get(f"/v1/accounts/{dana}/invoices", status=status)
        assert_error(r, 403, "permission", "guest_forbidden", "status")
    assert_error(guest.get(f"/v1/accounts/{dana}/invoices"), 403, "permission", "guest_forbidden", "status")
    # Another account, and invoices that are not open: 404 as if they did not exist.
    for path in (f"/v1/accounts/{lee}/summary", f"/v1/invoices/{lee_invoice}", f"/v1/invoices/{paid}"):
        assert_error(guest.get(path), 404, "not_found", "not_found")
    assert_error(guest.get(f"/v1/accounts/{lee}/invoices", status="open"), 404, "not_found", "not_found")
    # Paying: saved methods and saving are not for guests; nothing was spent by trying.
    invoice = guest.get(f"/v1/accounts/{dana}/invoices", status="open").json()["items"][0]["id"]
    r = guest.pay(_payment(invoice, {"type": "saved", "payment_method_id": 1}))
    assert_error(r, 403, "permission", "guest_forbidden", "parts[0].method")
    r = guest.pay(_payment(invoice, card(VISA, save=True)))
    assert_error(r, 403, "permission", "guest_forbidden", "parts[0].method.save")
    assert guest.get(f"/v1/accounts/{dana}/summary").status_code == 200


def test_a_guest_can_end_the_session(fresh: Api) -> None:
    guest = Guest(fresh)
    assert guest.call("POST", "/v1/auth/logout").status_code == 204
    assert_error(
        guest.get(f"/v1/accounts/{guest.account_id}/summary"), 401, "authentication", "not_authenticated"
    )
