"""Pay without an account: account number + last name, the guest home (balance and open invoices only),
the payment wizard as a guest (new card, nothing saved, the receipt email typed), then back to the login.
The backend is this module's own (the guest pays).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from textual.widgets import Input

from tests.app.conftest import api_get, make_app, on_screen, screen_text, wait_for, wait_for_text
from tests.app.palette import palette_names
from tests.app.test_pay_flows import accept, fill_card, receipt, to_review, type_into
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.money import format_cents
from tui.screens.guest import GuestHomeScreen, GuestLookupScreen
from tui.screens.login import LoginScreen
from tui.screens.pay import PayScreen
from tui.screens.pay_dialogs import FeeDialog
from tui.widgets.invoice_table import InvoiceTable

SIZE = (100, 40)
DANA = "dana@example.com"
PAYER = "payer@example.com"
VISA = "4242424242424242"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("guest")
    with serve_stub(f"sqlite:///{workdir / 'guest.db'}", workdir, seed="demo") as stub:
        yield stub


async def look_up(pilot, number: str, last_name: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#guest-account-number", Input).value = number
    screen.query_one("#guest-last-name", Input).value = last_name
    screen.query_one("#guest-last-name", Input).focus()
    await pilot.press("enter")


async def test_guest_pays_one_invoice_and_returns_to_the_login(server) -> None:
    dana = login(server.base_url, DANA)
    account_id = api_get(server, dana, "/v1/me")["accounts"][0]["id"]
    summary = api_get(server, dana, f"/v1/accounts/{account_id}/summary")
    open_rows = api_get(server, dana, f"/v1/accounts/{account_id}/invoices", status="open")["items"]

    app = make_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+g")
        await on_screen(pilot, GuestLookupScreen)
        await look_up(pilot, "4100012345", "Whitfeld")
        message = app.screen.query_one("#guest-message")
        await wait_for(pilot, lambda: "We could not find an account" in str(message.content), "the refusal")
        assert message.has_class("-error")

        await look_up(pilot, "4100012345", " whitfield ")
        home = await on_screen(pilot, GuestHomeScreen)
        table = home.query_one(InvoiceTable)
        await wait_for(
            pilot, lambda: table.started and not table.loading_more and table.rows, "open invoices"
        )
        await wait_for_text(pilot, format_cents(summary["balance_due_cents"]))
        assert [row.number for row in table.rows] == [row["number"] for row in open_rows]
        assert app.me is None and not app.token_store.load(), "a guest is never a signed-in person"

        # Nothing else to see: the other screens' keys do nothing, and the palette offers only these.
        for key in ("h", "s", "t", "S", "c", "a"):
            await pilot.press(key)
        assert app.screen is home
        names = await palette_names(app.screen)
        assert {"Pay", "Make a payment", "Leave"} <= names and "History" not in names

        past_due = next(row for row in table.rows if row.past_due)
        table.table.focus()
        table.table.move_cursor(row=table.table.get_row_index(str(past_due.id)))
        await pilot.press("space", "p")
        screen = await on_screen(pilot, PayScreen)
        await wait_for(pilot, lambda: screen.summary is not None and screen.step == "what", "step 1")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.step == "how", "step 2")
        assert not screen.query_one("#method-1 #save-method").display, "a guest saves nothing"
        assert screen.query_one("#receipt-email", Input).value == ""
        await fill_card(pilot, screen, "method-1", VISA)
        await type_into(pilot, screen.query_one("#method-1 #card-name"), "Dana Whitfield")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "Enter the email address for the receipt.")
        await type_into(pilot, screen.query_one("#receipt-email"), PAYER)
        await to_review(pilot, screen)
        await pilot.press("ctrl+s")
        await accept(pilot, FeeDialog)
        await receipt(pilot, screen)
        payment = screen.payment
        assert payment is not None and payment.confirmation_number in screen_text(app)

        await pilot.press("ctrl+s")  # Done: the session is spent, back to the login
        await on_screen(pilot, LoginScreen)
        await wait_for_text(pilot, f"{format_cents(payment.total_cents)} paid")
        assert app.client.token is None

    history = api_get(server, dana, f"/v1/accounts/{account_id}/payments")["items"]
    assert history[0]["confirmation_number"] == payment.confirmation_number
    assert history[0]["channel"] == "guest" and history[0]["receipt_email"] == PAYER
    assert [a["number"] for a in history[0]["allocations"]] == [past_due.number]
    outbox = httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": PAYER}, timeout=5).json()["items"]
    assert [item["kind"] for item in outbox] == ["receipt"]
