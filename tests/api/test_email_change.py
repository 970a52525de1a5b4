"""Issue 10, finding 1: a billing email change is verified by a code sent to the new address, so an
unverified address can never become a way in (sign-up, reset, login), for a customer's change and a
clerk's alike. Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from sqlalchemy import create_engine, text

from tests.api.conftest import Api, assert_error
from tests.api.identity import CLERK, verify

DANA, LEE = "dana@example.com", "lee@example.com"
EVE, ATTACKER = "eve@example.net", "attacker@example.org"


def _outbox(api: Api, to: str) -> list[dict]:
    return api.http.get("/v1/dev/outbox", params={"to": to}).json()["items"]


def _code(api: Api, to: str) -> str:
    """The newest email change code sent to `to`."""
    for item in _outbox(api, to):
        if item["kind"] == "email_change_code":
            match = re.search(r"\b(\d{6})\b", item["body"])
            assert match, item
            return match.group(1)
    raise AssertionError(f"no email change code in the outbox of {to}")


def _audit(api: Api, account_id: int) -> list[dict]:
    return api.ok("/v1/dev/audit", params={"account_id": account_id, "limit": 200})["items"]


def _confirm(api: Api, account_id: int, code: str, as_: str) -> httpx.Response:
    return api.post(f"/v1/accounts/{account_id}/email/confirm", as_, json={"code": code})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_customer_change_waits_for_the_code(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": "Eve@Example.net", "paperless": True})
    assert r.status_code == 202, r.text
    body = r.json()
    assert (body["email"], body["pending_email"], body["paperless"]) == (DANA, EVE, True)
    assert fresh.ok(f"/v1/accounts/{dana}", DANA) == body
    r = _confirm(fresh, dana, _code(fresh, EVE), DANA)
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["pending_email"]) == (EVE, None)
    assert fresh.ok(f"/v1/accounts/{dana}", DANA) == r.json()
