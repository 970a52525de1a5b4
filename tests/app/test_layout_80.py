"""At 80x24 nothing that matters is cut (issue 11 item 11): last 4 digits, amounts, confirmation
numbers and statuses are whole on screen; long words end in "…" and read in full where the cursor is;
home's footer shows the keys it chose; the receipt's totals are on screen above Done."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from tests.api.paying import ach, body, card, invoices_target
from tests.app.conftest import (
    api_get,
    api_post,
    make_app,
    on_home,
    on_screen,
    screen_text,
    wait_for,
    wait_for_text,
)
from tests.conftest import login
from tui.api import Payment
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.pay import PayScreen
from tui.screens.payment_history import PaymentHistoryScreen
from tui.screens.statement import StatementScreen
from tui.widgets.formatting import cut, cut_name, without_reference

SMALL = (80, 24)
DANA = "dana@example.com"
LEE = "lee@example.com"
RETURNED_R01 = "000222222227"  # the processor's test bank account returned for insufficient funds


def test_cut_name_keeps_the_last_4_digits() -> None:
    assert cut_name("Cascade Community Bank •••• 6789", 20) == "Cascade C… •••• 6789"
    assert cut_name("Visa •••• 4242", 40) == "Visa •••• 4242"
    # A note after the digits stays with them.
    assert (
        cut_name("Payment, Cascade Community Bank •••• 6789 (pending)", 27) == "Paymen… •••• 6789 (pending)"
    )
    both = cut_name("Visa •••• 4242 + Paydesk Test Bank •••• 2227", 32)
    assert "•••• 4242" in both and both.endswith("•••• 2227") and len(both) <= 32
    assert cut("Water usage 11 kgal (meter 48,260 to 48,271)", 20) == "Water usage 11 kgal…"
    assert without_reference("Fees on payment PD-VVGCR7E6", "PD-VVGCR7E6", 20) == "Fees on payment"


def _pay(server, token: str, account_id: int, payment: dict) -> dict:
    quote = api_post(server, token, f"/v1/accounts/{account_id}/payments/quote", payment)
    assert quote.status_code == 200, quote.text
    r = httpx.post(
        f"{server.base_url}/v1/accounts/{account_id}/payments",
        json=payment | {"accepted_fees_cents": quote.json()["fees_cents"]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return r.json()


def _lines(app) -> list[str]:
    return screen_text(app).splitlines()


async def test_home_footer_shows_its_keys_at_80_columns(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        footer = await wait_for(pilot, lambda: "Pay" in (last := _lines(app)[-1]) and last, "the footer")
        for words in ("p Pay", "m Make a payment", "h History", "t Statement", "S Scheduled", "c Contact us"):
            assert words in footer, footer
        assert "f1 Keys" in footer and "▏" not in footer  # nothing cut at its end
        # The count of open invoices sits under Balance Due; "4 open" under Next Due read as due that day.
        summary = api_get(live_server, tokens[DANA], f"/v1/accounts/{app.screen.account.id}/summary")
        assert f"{summary['open_count']} invoices" in screen_text(app)
        assert f"{summary['open_count']} open" not in screen_text(app)


async def test_invoice_detail_keeps_the_last_4_digits_of_a_long_bank_name(live_server, tokens) -> None:
    token = tokens[DANA]
    account_id = api_get(live_server, token, "/v1/me")["accounts"][0]["id"]
    rows = api_get(live_server, token, f"/v1/accounts/{account_id}/invoices", status="in_progress")["items"]
    detail = api_get(live_server, token, f"/v1/invoices/{rows[0]['id']}")
    (payment,) = detail["payments"]
    assert len(payment["method_label"]) > 30  # "Cascade Community Bank •••• 6789": too long for its room
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        app.push_screen(InvoiceDetailScreen(rows[0]["id"], rows[0]["number"]))
        await on_screen(pilot, InvoiceDetailScreen)
        text = await wait_for_text(pilot, payment["confirmation_number"])
        row = next(line for line in text.splitlines() if payment["confirmation_number"] in line)
        assert row.rstrip().endswith(payment["method_label"][-9:])  # "•••• 6789", whole
        assert "Pending" in row and "$158.20" in row
        # A long line item wraps (the row grows): its first and last words are on screen, nothing "…".
        words = text.split()
        for item in detail["line_items"]:
            assert item["description"].split()[0] in words and item["description"].split()[-1] in words


async def test_statement_keeps_last_4_and_shows_the_highlighted_line_in_full(live_server, tokens) -> None:
    token = tokens[LEE]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        await pilot.press("t")
        screen = await on_screen(pilot, StatementScreen)
        await wait_for(pilot, lambda: screen.descriptions, "the statement's lines")
        text = await wait_for_text(pilot, "Payment, Visa •••• 4242")
        fee_line = next(line for line in text.splitlines() if "Fees on payment" in line)
        assert "…" not in fee_line and "$1.75" in fee_line
        first = screen.descriptions[0]
        assert first.startswith("Fees on payment PD-")
        await wait_for_text(pilot, first)  # the cursor's line, in full, under the table


async def test_statement_keeps_the_last_4_of_a_pending_bank_payment(live_server, tokens) -> None:
    """Dana's bank payment still pending: its note comes after the digits, and both stay whole."""
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        await pilot.press("t")
        screen = await on_screen(pilot, StatementScreen)
        await wait_for(pilot, lambda: any("(pending)" in d for d in screen.descriptions), "a pending line")
        pending = next(d for d in screen.descriptions if "(pending)" in d)
        tail = pending[pending.index(" •••• ") :]  # " •••• 6789 (pending)"
        text = await wait_for_text(pilot, tail)
        assert any(tail in line and "…" in line for line in text.splitlines()), text


async def test_history_shows_a_return_and_a_split_whole_at_80_columns(pay_server) -> None:
    dana = login(pay_server.base_url, DANA)
    account_id = api_get(pay_server, dana, "/v1/me")["accounts"][0]["id"]
    singles = sorted(
        (
            i
            for i in api_get(pay_server, dana, f"/v1/accounts/{account_id}/invoices", status="open")["items"]
            if i["children_count"] == 0
        ),
        key=lambda i: (i["due_on"], i["id"]),
    )
    returned = _pay(pay_server, dana, account_id, body(invoices_target(singles[0]["id"]), ach(RETURNED_R01)))
    assert httpx.post(f"{pay_server.base_url}/v1/dev/clock", json={"advance_days": 10}).status_code == 200
    second = singles[1]
    split = _pay(
        pay_server,
        dana,
        account_id,
        body(invoices_target(second["id"]), card(), ach(), amounts=[5000, second["balance_cents"] - 5000]),
    )
    app = make_app(pay_server.base_url, dana)
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        await pilot.press("h")
        await on_screen(pilot, PaymentHistoryScreen)
        text = await wait_for_text(pilot, returned["confirmation_number"])
        lines = text.splitlines()
        back = next(i for i, line in enumerate(lines) if returned["confirmation_number"] in line)
        assert "Returned" in lines[back] and "R01" in lines[back] + lines[back + 1]
        at = next(i for i, line in enumerate(lines) if split["confirmation_number"] in line)
        row = lines[at]
        assert "•••• 4242" in row and "•••• 6789" in lines[at + 1]  # one method a line, last 4 kept
        assert "$1.75" in row and "Pending" in row  # the Fees and Status columns are on screen
        assert split_total(split) in row
        assert all(len(line) <= 80 for line in lines)


def split_total(payment: dict) -> str:
    cents = payment["amount_cents"]
    return f"${cents // 100:,}.{cents % 100:02d}"


async def test_receipt_totals_are_on_screen_above_done(live_server, tokens) -> None:
    """Many invoices paid at once: Payment, Fees and Total and the bank's note still show at 80x24."""
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SMALL) as pilot:
        await on_home(pilot)
        await pilot.press("m")
        screen = await on_screen(pilot, PayScreen)
        await wait_for(pilot, lambda: screen.summary is not None, "step 1")
        invoices = api_get(live_server, token, f"/v1/accounts/{screen.account.id}/invoices")["items"]
        payment = Payment.model_validate(
            {
                "id": 1,
                "account_id": screen.account.id,
                "confirmation_number": "PD-LAYOUT80",
                "status": "pending",
                "amount_cents": 83100,
                "fees_cents": 0,
                "total_cents": 83100,
                "parts": [
                    {
                        "amount_cents": 83100,
                        "method": {"type": "ach", "bank_name": "Cascade Community Bank", "last4": "6789"},
                        "status": "pending",
                    }
                ],
                "allocations": [
                    {"invoice_id": i["id"], "number": i["number"], "amount_cents": 100} for i in invoices[:8]
                ],
                "created_at": dt.datetime(2026, 11, 15, 14, 5, tzinfo=dt.UTC),
                "settles_on": dt.date(2026, 11, 18),
                "receipt_email": DANA,
            }
        )
        screen._paid(payment)  # what the wizard does with the server's answer
        await wait_for_text(pilot, "PD-LAYOUT80")
        lines = _lines(app)
        done = next(i for i, line in enumerate(lines) if "Done" in line and "Thank" not in line)
        above = "\n".join(lines[:done])
        for words in ("Payment", "Fees", "Total", "$831.00", "Bank payments take 3 business days"):
            assert words in above, above


def _bank_payment(allocations: list[dict]) -> Payment:
    return Payment.model_validate(
        {
            "id": 2,
            "account_id": 1,
            "confirmation_number": "PD-WORDS",
            "status": "pending",
            "amount_cents": 5000,
            "fees_cents": 0,
            "total_cents": 5000,
            "parts": [
                {"amount_cents": 5000, "method": {"type": "ach", "bank_name": "Bank", "last4": "6789"}}
            ],
            "allocations": allocations,
            "credit_cents": 0 if allocations else 5000,
            "created_at": dt.datetime(2026, 11, 15, 14, 5, tzinfo=dt.UTC),
            "settles_on": dt.date(2026, 11, 18),
        }
    )


def test_a_credit_only_bank_payment_speaks_of_the_credit_not_invoices() -> None:
    from tui.widgets.payment_view import pending_note

    assert pending_note(_bank_payment([])) == (
        "Bank payments take 3 business days to settle; the account credit is added on Nov 18, 2026."
    )
    paid = _bank_payment([{"invoice_id": 1, "number": "INV-1", "amount_cents": 5000}])
    assert "these invoices show In Progress until Nov 18, 2026" in (pending_note(paid) or "")


def test_a_bank_payment_is_not_paid_now() -> None:
    from tui.api import Quote
    from tui.screens.pay_dialogs import confirm_words

    def quote(method: dict) -> Quote:
        return Quote.model_validate(
            {
                "amount_cents": 9170,
                "fees_cents": 0,
                "total_cents": 9170,
                "parts": [{"amount_cents": 9170, "method": method}],
                "allocations": [],
            }
        )

    bank = confirm_words(quote({"type": "ach", "bank_name": "Cascade Community Bank", "last4": "6789"}))
    assert "paid now" not in bank and "3 business days" in bank and "•••• 6789" in bank


async def test_the_demo_inbox_leaves_the_guest_form_whole(live_server) -> None:
    from tui.screens.guest import GuestLookupScreen
    from tui.screens.login import LoginScreen

    app = make_app(live_server.base_url, demo=True)
    async with app.run_test(size=SMALL) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+g")
        screen = await on_screen(pilot, GuestLookupScreen)
        inbox = screen.query_one("DemoInbox")
        await wait_for(pilot, lambda: inbox.region.height > 0, "the inbox drawn")
        button = screen.query_one("#find")
        assert button.region.bottom <= inbox.region.y, "the inbox never covers the button"
