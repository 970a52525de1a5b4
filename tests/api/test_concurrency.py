"""Requests that race: the database, not luck, keeps the limits (BEGIN IMMEDIATE / row and advisory locks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.conftest import Api
from tests.conftest import latest_code


def test_parallel_code_requests_never_exceed_the_limit(fresh: Api) -> None:
    def ask(_: int) -> int:
        return httpx.post(
            f"{fresh.base_url}/v1/auth/code", json={"email": "lee@example.com"}, timeout=30
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(ask, range(12)))
    assert sorted(statuses) == [202] * 5 + [429] * 7


def test_one_code_gives_one_token_however_many_race(fresh: Api) -> None:
    email = "sam@example.com"
    fresh.post("/v1/auth/code", json={"email": email}).raise_for_status()
    code = latest_code(fresh.base_url, email)

    def verify(_: int) -> int:
        body = {"email": email, "code": code}
        return httpx.post(f"{fresh.base_url}/v1/auth/code/verify", json=body, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(verify, range(8)))
    assert sorted(statuses) == [200] + [401] * 7
