"""Snapshots at 80x24 of the void and refund dialogs of a split payment (issue 11): each part on its own line
with its method, its amount and what will happen to it. Drawn from fixed payments over the clerk's first
screen (a new payment's confirmation number is random), so nothing is sent.
Update with `pytest tests/app/test_clerk_undo_split_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import datetime as dt

from tests.app.clerk_pay import CLERK, signed_in
from tests.app.conftest import make_app, on_screen, wait_for
from tests.conftest import login
from tui.api import Allocation, Fee, MethodSummary, Payment, PaymentPart
from tui.screens.undo_dialogs import RefundDialog, VoidDialog

SMALL = (80, 24)
VISA = MethodSummary(type="card", brand="visa", last4="4242", funding="credit")
BANK = MethodSummary(type="ach", bank_name="Cascade Community Bank", last4="6789")
FEE = Fee(kind="convenience", amount_cents=175, description="Card convenience fee", refundable=False)


def split(status: str, bank_status: str, return_code: str | None = None) -> Payment:
    """$100.00 by Visa 4242 (paying the oldest invoice) and $731.00 from the bank (the two after it)."""
    return Payment(
        id=1,
        account_id=1,
        confirmation_number="PD-SNAPSPLT",
        status=status,
        amount_cents=83_100,
        fees_cents=175,
        total_cents=83_275,
        parts=[
            PaymentPart(amount_cents=10_000, fee_cents=175, fees=[FEE], method=VISA, status="succeeded"),
            PaymentPart(amount_cents=73_100, method=BANK, status=bank_status),
        ],
        allocations=[
            Allocation(invoice_id=1, number="INV-2026-00127", amount_cents=10_000, part_index=0),
            Allocation(invoice_id=2, number="INV-2026-00129", amount_cents=40_000, part_index=1),
            Allocation(invoice_id=3, number="INV-2026-00133", amount_cents=33_100, part_index=1),
        ],
        created_at=dt.datetime(2026, 11, 15, 14, 5, tzinfo=dt.UTC),
        created_on=dt.date(2026, 11, 15),
        settles_on=dt.date(2026, 11, 18),
        return_code=return_code,
    )


async def _open(pilot, dialog) -> None:
    await signed_in(pilot)
    pilot.app.push_screen(dialog)
    shown = await on_screen(pilot, type(dialog))
    await wait_for(pilot, lambda: pilot.app.focused is shown.first_field(), "the dialog's field")
    shown.first_field().cursor_blink = False
    await pilot.pause()


def test_clerk_void_dialog_split_names_each_part(snap_compare, pay_server) -> None:
    app = make_app(pay_server.base_url, login(pay_server.base_url, CLERK))

    async def ready(pilot) -> None:
        await _open(pilot, VoidDialog(split("pending", "pending")))

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)


def test_clerk_refund_dialog_returned_split_names_each_part(snap_compare, pay_server) -> None:
    app = make_app(pay_server.base_url, login(pay_server.base_url, CLERK))

    async def ready(pilot) -> None:
        await _open(pilot, RefundDialog(split("returned", "returned", "R01")))

    assert snap_compare(app, run_before=ready, terminal_size=SMALL)
