"""Keys a clerk presses on a phone card payment, counted exactly (Pilot against a fresh demo backend).

    python benchmarks/clerk_keys.py

From the search screen with the cursor in the account number to the receipt on screen: a card payment
of Dana's whole balance. Every key counts (Enter, Tab, the identity confirmation, "Customer agreed")
except the characters of the customer's data: account number, last name, card number, expiry, CVC, ZIP.
Then the wrap-up after it (keys beyond the note's text) and New call after the saved wrap-up.
tests/app/test_clerk_keys.py asserts the same counts, so the figures printed here cannot drift.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The customer's data as the caller reads it out: typed, never counted.
ACCOUNT_NUMBER = "4100012345"
LAST_NAME = "Whitfield"
CARD = {"number": "4242424242424242", "expiry": "1230", "cvc": "123", "zip": "97405"}
NOTE = "Paid the balance by card"
TARGETS = {"payment": 8, "wrap_up": 3, "new_call": 1}


@dataclass
class KeyCounter:
    """`press` counts each key; `type` is the customer's data (or the note's text): not counted."""

    pilot: Any
    counted: list[str] = field(default_factory=list)

    async def press(self, *keys: str) -> None:
        self.counted += keys
        await self.pilot.press(*keys)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)


@dataclass
class ClerkKeys:
    payment: list[str]  # search -> receipt on screen
    wrap_up: list[str]  # receipt -> the wrap-up saved
    new_call: list[str]  # the saved wrap-up -> an empty search
    paid_cents: int = 0


async def _until(pilot: Any, condition: Any, what: str, timeout: float = 30.0) -> Any:
    """Poll (the app runs meanwhile) until `condition()` holds; a deadline, never a fixed wait."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # a widget not mounted yet
            result = None
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def count_clerk_keys(base_url: str, clerk_token: str, size: tuple[int, int] = (80, 24)) -> ClerkKeys:
    """The whole call, as a clerk keys it, on the server at `base_url` (it takes a real payment)."""
    from tui.app import PaydeskApp
    from tui.credentials import MemoryTokenStore
    from tui.screens.clerk.account import CustomerScreen
    from tui.screens.clerk.identity import IdentityCheckScreen
    from tui.screens.clerk.search import ClerkSearchScreen
    from tui.screens.clerk.wrap_up import WrapUpDialog
    from tui.screens.pay import PayScreen

    app = PaydeskApp(base_url, token_store=MemoryTokenStore(clerk_token))
    async with app.run_test(size=size) as pilot:
        keys = KeyCounter(pilot)
        search = await _until(
            pilot, lambda: isinstance(app.screen, ClerkSearchScreen) and app.screen, "search"
        )
        await _until(pilot, lambda: app.focused is search.query_one("#account-number"), "the number field")

        await keys.type(ACCOUNT_NUMBER)  # moves on to the last name by itself
        await keys.type(LAST_NAME)
        await keys.press("enter")  # search: the one match opens the identity check
        identity = await _until(
            pilot, lambda: isinstance(app.screen, IdentityCheckScreen) and app.screen, "ID"
        )
        await _until(pilot, lambda: identity.account is not None, "the account's facts")
        await keys.press("enter")  # Identity confirmed (the focused button)
        customer = await _until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen, "360")
        await _until(pilot, lambda: app.focused is not None and app.focused.screen is customer, "360 focus")
        await keys.press("p")  # Pay
        wizard = await _until(pilot, lambda: isinstance(app.screen, PayScreen) and app.screen, "the wizard")
        await _until(
            pilot, lambda: wizard.summary is not None and app.focused is wizard.what.first_field(), "1"
        )
        await keys.press("enter")  # step 1: the balance is preselected
        await _until(
            pilot,
            lambda: wizard.step == "how" and app.focused is wizard.query_one("#method-1 #card-number"),
            "2",
        )
        for part in ("number", "expiry", "cvc", "zip"):  # each field moves on by itself when complete
            await keys.type(CARD[part])
        await keys.press("enter")  # to the review
        await _until(pilot, lambda: wizard.step == "review" and app.focused is wizard.query_one("#next"), "3")
        await keys.press("enter")  # Customer agreed: pays
        await _until(pilot, lambda: wizard.step == "receipt" and wizard.payment is not None, "the receipt")
        payment_keys = list(keys.counted)
        paid = wizard.payment.total_cents if wizard.payment else 0

        keys.counted.clear()
        await keys.press("f4")  # Wrap-up, from the receipt: the note focused, "Paid" chosen
        dialog = await _until(pilot, lambda: isinstance(app.screen, WrapUpDialog) and app.screen, "wrap-up")
        await _until(pilot, lambda: app.focused is dialog.query_one("#note-body"), "the note focused")
        assert dialog.disposition == "paid"
        await keys.type(NOTE)
        await keys.press("ctrl+s")  # saved
        await _until(pilot, lambda: app.call.wrap_up is not None, "the wrap-up saved")
        wrap_up_keys = list(keys.counted)

        keys.counted.clear()
        await keys.press("ctrl+n")  # New call
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ClerkSearchScreen) and app.screen is not search and app.call.is_empty()
            ),
            "an empty search",
        )
        return ClerkKeys(payment_keys, wrap_up_keys, list(keys.counted), paid)


def main() -> None:
    from tests.conftest import login
    from tests.support.stub import serve_stub

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with serve_stub(f"sqlite:///{work / 'keys.db'}", work, seed="demo") as server:
            token = login(server.base_url, "clerk@example.com")
            counts = asyncio.run(count_clerk_keys(server.base_url, token))
    print("Clerk console, keys beyond the customer's data (80x24, Dana's whole balance by card):")
    for name, label in (
        ("payment", "search -> receipt"),
        ("wrap_up", "wrap-up after it (beyond the note)"),
        ("new_call", "New call after the saved wrap-up"),
    ):
        pressed = getattr(counts, name)
        print(f"  {label:<38} {len(pressed):>2} keys (target <= {TARGETS[name]}): {' '.join(pressed)}")


if __name__ == "__main__":
    main()
