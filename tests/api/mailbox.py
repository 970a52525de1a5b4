"""Reading the dev outbox in API tests: the code of a billing email change (issue 10)."""

from __future__ import annotations

import re

import httpx


def outbox(base_url: str, to: str) -> list[dict]:
    """Every email sent to `to`, newest first."""
    r = httpx.get(f"{base_url}/v1/dev/outbox", params={"to": to, "limit": 200}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def email_change_code(base_url: str, to: str) -> str:
    """The newest email change code sent to `to`."""
    for item in outbox(base_url, to):
        if item["kind"] == "email_change_code":
            match = re.search(r"\b(\d{6})\b", item["body"])
            assert match, item
            return match.group(1)
    raise AssertionError(f"no email change code in the outbox of {to}")
