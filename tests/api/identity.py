"""Helpers for clerk tests: a clerk's identity check on an account (the gate every clerk write needs)."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy import create_engine, text

from tests.api.conftest import Api

CLERK = "clerk@example.com"
ALL_CHECKED = ["name", "service_address", "phone_last4"]


def verify(api: Api, account_id: int, as_: str = CLERK, passed: bool = True) -> dict:
    """Record a clerk's identity check of the caller on the account; the check as answered."""
    r = api.post(
        f"/v1/accounts/{account_id}/identity-checks", as_, json={"checked": ALL_CHECKED, "passed": passed}
    )
    assert r.status_code == 201, r.text
    return r.json()


def keyed(api: Api, path: str, key: str, payload: dict, as_: str = CLERK) -> httpx.Response:
    """A POST with an Idempotency-Key (a void or a refund)."""
    headers = {"Authorization": f"Bearer {api.token(as_)}", "Idempotency-Key": key}
    return api.http.post(path, json=payload, headers=headers)


def expire(db_url: str, check_id: int) -> None:
    """Move a check's expiry into the past, in the server's database (no sleeping 30 minutes)."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE identity_checks SET expires_at = :past WHERE id = :id"),
                {"past": datetime(2000, 1, 1), "id": check_id},
            )
    finally:
        engine.dispose()
