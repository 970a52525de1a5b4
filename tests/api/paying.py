"""Helpers for the payment API tests: methods by test number, bodies, and a paying client."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.conftest import Api

DANA, LEE, SAM, CLERK = "dana@example.com", "lee@example.com", "sam@example.com", "clerk@example.com"

VISA = "4242424242424242"
MASTERCARD = "5555555555554444"
AMEX = "378282246310005"
DISCOVER = "6011111111111117"
VISA_DEBIT = "4000056655665556"
MC_PREPAID = "5105105105105100"
DECLINES = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
}
ALL_CARDS = [VISA, MASTERCARD, AMEX, DISCOVER, VISA_DEBIT, MC_PREPAID, *DECLINES]
ROUTING = "110000000"
SETTLES = "000123456789"
RETURNS = {"000222222227": "R01", "000111111113": "R02", "000111111116": "R03", "000333333335": "R10"}
STAYS_PENDING = "000000000009"


def card(number: str = VISA, cvc: str | None = None, save: bool = False, **over: Any) -> dict:
    cvc = cvc or ("1234" if number.startswith(("34", "37")) else "123")
    return {
        "type": "card",
        "number": number,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": cvc,
        "name": "Dana Whitfield",
        "postal_code": "97405",
        "save": save,
        **over,
    }


def ach(account: str = SETTLES, routing: str = ROUTING, save: bool = False) -> dict:
    return {
        "type": "ach",
        "routing_number": routing,
        "account_number": account,
        "account_type": "checking",
        "holder_name": "Dana Whitfield",
        "save": save,
    }


def invoices_target(*ids: int, amounts: dict[int, int] | None = None) -> dict:
    amounts = amounts or {}
    return {
        "type": "invoices",
        "invoices": [
            {"invoice_id": i, **({"amount_cents": amounts[i]} if i in amounts else {})} for i in ids
        ],
    }


def body(target: dict, *methods: dict, amounts: list[int | None] | None = None, email: str = DANA) -> dict:
    amounts = amounts or [None] * len(methods)
    parts = [
        {"method": m, **({"amount_cents": a} if a is not None else {})}
        for m, a in zip(methods, amounts, strict=True)
    ]
    return {"target": target, "parts": parts, "receipt_email": email}


class Payer:
    """One user paying on one account of a server."""

    def __init__(self, api: Api, email: str, account_id: int | None = None) -> None:
        self.api = api
        self.email = email
        self.account_id = account_id if account_id is not None else api.account_id(email)

    def headers(self, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.api.token(self.email)}"}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    def quote(self, payment: dict) -> httpx.Response:
        return self.api.http.post(
            f"/v1/accounts/{self.account_id}/payments/quote", json=payment, headers=self.headers()
        )

    def quoted(self, payment: dict) -> dict:
        r = self.quote(payment)
        assert r.status_code == 200, r.text
        return r.json()

    def pay(
        self, payment: dict, key: str | None = "new", fees: int | None = None, **kw: Any
    ) -> httpx.Response:
        if "accepted_fees_cents" not in payment:
            if fees is None:
                fees = self.quoted(payment)["fees_cents"]
            payment = {**payment, "accepted_fees_cents": fees}
        if key == "new":
            key = uuid.uuid4().hex
        return self.api.http.post(
            f"/v1/accounts/{self.account_id}/payments", json=payment, headers=self.headers(key), **kw
        )

    def paid(self, payment: dict, **kw: Any) -> dict:
        r = self.pay(payment, **kw)
        assert r.status_code == 201, r.text
        return r.json()

    def get(self, path: str, **params: Any) -> Any:
        r = self.api.http.get(path, headers=self.headers(), params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def summary(self) -> dict:
        return self.get(f"/v1/accounts/{self.account_id}/summary")

    def open_invoices(self) -> list[dict]:
        return self.get(f"/v1/accounts/{self.account_id}/invoices", status="open")["items"]

    def all_invoices(self) -> list[dict]:
        return self.get(f"/v1/accounts/{self.account_id}/invoices", limit=200)["items"]

    def invoice(self, invoice_id: int) -> dict:
        return self.get(f"/v1/invoices/{invoice_id}")

    def history(self, **params: Any) -> dict:
        return self.get(f"/v1/accounts/{self.account_id}/payments", **params)


def outbox(api: Api, email: str, kind: str | None = None) -> list[dict]:
    items = api.http.get("/v1/dev/outbox", params={"to": email, "limit": 200}).json()["items"]
    return [i for i in items if kind is None or i["kind"] == kind]


def advance(api: Api, days: int) -> str:
    r = api.http.post("/v1/dev/clock", json={"advance_days": days})
    assert r.status_code == 200, r.text
    return r.json()["today"]


def singles(payer: Payer) -> list[dict]:
    """Open single-site invoices, oldest due first."""
    return sorted(
        (i for i in payer.open_invoices() if i["children_count"] == 0), key=lambda i: (i["due_on"], i["id"])
    )


def multi(payer: Payer) -> dict:
    return next(i for i in payer.open_invoices() if i["children_count"] > 0)
