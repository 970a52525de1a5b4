"""Helpers for the clerk's payment tests: the identity check a clerk's payment needs, the wizard opened
on an account directly (the console's own screens are tested apart), and keys counted as pressed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.app.conftest import api_get, api_post, on_screen, screen_text, wait_for
from tests.support.stub import StubServer
from tui.api import AccountMatch
from tui.screens.base import PaydeskScreen
from tui.screens.pay import PayScreen

CLERK = "clerk@example.com"
DANA = "dana@example.com"
VISA = "4242424242424242"
# The card's data as the caller reads it out: these characters are the customer's data, never counted.
CARD = {"number": VISA, "expiry": "1230", "cvc": "123", "zip": "97405"}


def identity_check(server: StubServer, clerk_token: str, account_id: int, *, passed: bool = True) -> int:
    """What the console records when the clerk confirms the caller: a passed check, its id."""
    response = api_post(
        server,
        clerk_token,
        f"/v1/accounts/{account_id}/identity-checks",
        {"checked": ["name", "service_address", "phone_last4"], "passed": passed},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def find_account(server: StubServer, clerk_token: str, email: str = DANA) -> AccountMatch:
    (item,) = api_get(server, clerk_token, "/v1/clerk/accounts", email=email)["items"]
    return AccountMatch.model_validate(item)


def auth_detail(server: StubServer, payment_id: int) -> dict[str, Any]:
    """How the server recorded the payment's authorization (its database: no endpoint shows it)."""
    path = server.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (detail,) = conn.execute("SELECT auth_detail FROM payments WHERE id = ?", (payment_id,)).fetchone()
    return json.loads(detail)


async def signed_in(pilot) -> None:
    """The first screen after sign-in is up (whichever the console shows a clerk first)."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.me is not None and isinstance(app.screen, PaydeskScreen) and app.screen.is_mounted,
        "signed in",
    )


def post_with_key(server: StubServer, token: str, path: str, body: Any) -> httpx.Response:
    """A POST that needs an Idempotency-Key (a payment, a void, a refund), with a new key."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
    return httpx.post(f"{server.base_url}{path}", json=body, headers=headers, timeout=10)


async def open_clerk_wizard(pilot, account: AccountMatch, check_id: int | None) -> PayScreen:
    """What the console does on "Take a payment": the wizard in clerk mode on the caller's account."""
    await signed_in(pilot)
    pilot.app.push_screen(PayScreen(account, None, clerk=True, identity_check_id=check_id))
    screen = await on_screen(pilot, PayScreen)
    await wait_for(pilot, lambda: screen.summary is not None and screen.step == "what", "step 1")
    await wait_for(pilot, lambda: pilot.app.focused is screen.what.first_field(), "step 1's focus")
    return screen


@dataclass
class Keys:
    """Presses keys and counts them: `press` counts, `type` is the customer's data (not counted)."""

    pilot: Any
    counted: list[str] = field(default_factory=list)

    async def press(self, *keys: str) -> None:
        self.counted += keys
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)


def flat_text(app: Any) -> str:
    """The screen's words on one line: borders (block characters) out, runs of spaces as one, so a
    sentence wrapped over lines of a bordered box reads whole."""
    return " ".join(re.sub(r"[\u2580-\u259f]", " ", screen_text(app)).split())


def widget_text(app: Any, widget: Any) -> str:
    """What one widget (a dialog's box) shows, cut out of the screen, on one line as `flat_text`."""
    region = widget.region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    cut = "\n".join(line[region.x : region.right] for line in lines)
    return " ".join(re.sub(r"[\u2580-\u259f]", " ", cut).split())


# The words read aloud are quoted (“…”); outside them the screen speaks about the customer.
_QUOTED = re.compile(r"“.*?”", re.DOTALL)
_TO_THE_PAYER = re.compile(r"\b(you|your|you're|yours)\b", re.IGNORECASE)


def words_to_the_clerk(text: str) -> list[str]:
    """Every "you"/"your" on screen outside the words read to the customer."""
    return _TO_THE_PAYER.findall(_QUOTED.sub("", text))


class ScreenWatch:
    """Every screen a test looked at, so it can say a card number never appeared on any of them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    def text(self) -> str:
        text = screen_text(self.app)
        self.seen.append(text)
        return text

    def never_showed(self, number: str) -> None:
        # Any 6 digits of the number in a row (spaces and dashes dropped) would be too many.
        for text in [*self.seen, screen_text(self.app)]:
            flat = re.sub(r"[\s-]", "", text)
            for start in range(len(number) - 5):
                piece = number[start : start + 6]
                assert piece not in flat, f"digits of the card number showed on screen:\n{text}"
