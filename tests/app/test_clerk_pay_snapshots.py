"""Snapshots at 80x24 of the wizard in clerk mode (each step, the words read aloud, the receipt) and of
the void and refund dialogs, each on a fresh demo backend (deterministic seed: the same confirmation
numbers every run). Nothing here pays or undoes: the receipt is drawn from a fixed payment.
Update with `pytest tests/app/test_clerk_pay_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input

from tests.app.clerk_pay import CARD, CLERK, find_account, open_clerk_wizard, signed_in
from tests.app.conftest import make_app, on_screen, wait_for
from tests.conftest import login
from tui.api import Payment
from tui.screens.pay import PayScreen
from tui.screens.payment_history import PaymentHistoryScreen
from tui.screens.undo_dialogs import RefundDialog, VoidDialog

SMALL = (80, 24)


def _app(server):
    token = login(server.base_url, CLERK)
    return make_app(server.base_url, token), find_account(server, token)


async def _how(pilot, dana) -> PayScreen:
    screen = await open_clerk_wizard(pilot, dana, None)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.step == "how", "step 2")
    await wait_for(pilot, lambda: pilot.app.focused is screen.query_one("#method-1 #card-number"), "number")
    await pilot.press(*CARD["number"], *CARD["expiry"], *CARD["cvc"], *CARD["zip"])
    zip_field = screen.query_one("#method-1 #card-zip", Input)
    assert pilot.app.focused is zip_field
    zip_field.cursor_blink = False
    await pilot.pause()
    return screen


async def _review(pilot, dana) -> PayScreen:
    screen = await _how(pilot, dana)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.step == "review" and not screen.busy, "the review")
    await wait_for(pilot, lambda: pilot.app.focused is screen.query_one("#next"), "Customer agreed focused")
    await pilot.pause()
    return screen


def test_clerk_pay_step_what(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        await open_clerk_wizard(pilot, dana, None)
        await pilot.pause()

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_pay_step_how_card_typed(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        await _how(pilot, dana)

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_pay_step_review_words(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        await _review(pilot, dana)

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_pay_receipt(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        screen = await _review(pilot, dana)
        quote = screen.quote
        assert quote is not None
        payment = Payment(
            id=1,
            account_id=dana.id,
            confirmation_number="PD-SNAPSHOT",
            status="succeeded",
            amount_cents=quote.amount_cents,
            fees_cents=quote.fees_cents,
            total_cents=quote.total_cents,
            parts=quote.parts,
            allocations=quote.allocations,
            channel="phone",
            created_at=dt.datetime(2026, 11, 15, 14, 5, tzinfo=dt.UTC),
            created_on=dt.date(2026, 11, 15),
            receipt_email="dana@example.com",
        )
        screen._paid(payment)  # what the wizard does with the server's answer
        await pilot.pause()

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


async def _history_dialog(pilot, dana, pick, key: str, dialog_type) -> None:
    await signed_in(pilot)
    pilot.app.push_screen(PaymentHistoryScreen(dana))
    history = await on_screen(pilot, PaymentHistoryScreen)
    await wait_for(pilot, lambda: history.payments and history.today is not None, "the history")
    table = history.query_one("#history")
    payment = next(p for p in history.payments if pick(p))
    table.move_cursor(row=table.get_row_index(str(payment.id)))
    await wait_for(pilot, lambda: history.selected is payment, "the payment selected")
    await pilot.press(key)
    dialog = await on_screen(pilot, dialog_type)
    await wait_for(pilot, lambda: pilot.app.focused is dialog.first_field(), "the dialog's field")
    dialog.first_field().cursor_blink = False
    await pilot.pause()


def test_clerk_void_dialog_pending_bank_payment(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        await _history_dialog(pilot, dana, lambda p: p.status == "pending", "v", VoidDialog)

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_refund_dialog_settled_card_payment(snap_compare, pay_server) -> None:
    app, dana = _app(pay_server)

    async def ready(pilot) -> None:
        await _history_dialog(pilot, dana, lambda p: p.status == "succeeded", "f", RefundDialog)

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)
