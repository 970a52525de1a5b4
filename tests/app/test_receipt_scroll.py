"""The receipt scrolls at once (issue 11 item 11): Done keeps the focus, and PageDown/PageUp and
Down/Up move the receipt above it, without a Tab first."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Button

from tests.app.conftest import make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tui.api import Payment
from tui.screens.pay import PayScreen

DANA = "dana@example.com"
LAST = "INV-SCROLL-18"


def _long_payment(account_id: int) -> Payment:
    """A split paying 18 invoices: longer than the receipt's room at 80x24."""
    return Payment.model_validate(
        {
            "id": 1,
            "account_id": account_id,
            "confirmation_number": "PD-SCROLL80",
            "status": "pending",
            "amount_cents": 1800,
            "fees_cents": 0,
            "total_cents": 1800,
            "parts": [
                {
                    "amount_cents": 800,
                    "method": {"type": "card", "brand": "visa", "last4": "4242"},
                    "status": "succeeded",
                },
                {
                    "amount_cents": 1000,
                    "method": {"type": "ach", "bank_name": "Cascade Community Bank", "last4": "6789"},
                    "status": "pending",
                },
            ],
            "allocations": [
                {"invoice_id": n, "number": f"INV-SCROLL-{n:02d}", "amount_cents": 100} for n in range(1, 19)
            ],
            "created_at": dt.datetime(2026, 11, 15, 14, 5, tzinfo=dt.UTC),
            "settles_on": dt.date(2026, 11, 18),
            "receipt_email": DANA,
        }
    )


async def test_page_down_and_up_scroll_the_receipt_with_done_focused(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=(80, 24)) as pilot:
        await on_home(pilot)
        await pilot.press("m")
        screen = await on_screen(pilot, PayScreen)
        await wait_for(pilot, lambda: screen.summary is not None, "step 1")
        screen._paid(_long_payment(screen.account.id))  # what the wizard does with the server's answer
        await wait_for_text(pilot, "PD-SCROLL80")
        done = screen.query_one("#next", Button)
        await wait_for(pilot, lambda: app.focused is done, "Done focused")
        assert LAST not in screen_text(app)
        receipt = screen.receipt
        assert receipt.max_scroll_y > 0

        await pilot.press("pagedown")
        await wait_for(pilot, lambda: receipt.scroll_y > 0, "the receipt scrolled by PageDown")
        while receipt.scroll_y < receipt.max_scroll_y:
            before = receipt.scroll_y
            await pilot.press("pagedown")
            await wait_for(pilot, lambda b=before: receipt.scroll_y > b, "another page")
        await wait_for_text(pilot, LAST)
        assert "Cascade Community Bank •••• 6789" in screen_text(app)

        await pilot.press("pageup")
        await wait_for(pilot, lambda: receipt.scroll_y < receipt.max_scroll_y, "PageUp")
        await pilot.press(*["up"] * (receipt.max_scroll_y + 1))
        await wait_for(pilot, lambda: receipt.scroll_y == 0, "Up back to the top")
        await pilot.press("down")
        await wait_for(pilot, lambda: receipt.scroll_y == 1, "Down by one line")
        assert app.focused is done  # Enter still means Done

        await pilot.press("enter")
        await on_home(pilot)
