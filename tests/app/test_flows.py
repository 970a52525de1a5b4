"""The app as a person uses it, against the real reference backend (seeded demo, --dev).

Expected figures are read from the API in each test, never typed in by hand. Login codes are rate
limited per email, so each user requests codes in one place only (see `tokens` in conftest).
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from textual.widgets import DataTable, Input

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tests.app.palette import palette_names
from tests.conftest import latest_code, login
from tests.support.stub import StubServer, _wait_healthy, serve_stub, stub_command
from tui.credentials import MemoryTokenStore
from tui.money import format_cents
from tui.screens.clerk.account import CustomerScreen
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.home import HomeScreen
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.login import LoginScreen
from tui.screens.verify_code import VerifyCodeScreen
from tui.widgets.invoice_table import InvoiceTable

SIZE = (100, 40)
DANA = "dana@example.com"


def table_numbers(table: InvoiceTable) -> list[str]:
    grid = table.table
    return [str(grid.get_row_at(i)[0]).strip("└ ") for i in range(grid.row_count)]


async def test_login_with_code_then_home_then_remember_me(live_server) -> None:
    store = MemoryTokenStore()
    app = make_app(live_server.base_url, store=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press(*"not-an-email", "enter")
        await wait_for_text(pilot, "Enter an email address, such as you@example.com.")

        app.screen.query_one("#email", Input).value = DANA
        await pilot.press("enter")
        await on_screen(pilot, VerifyCodeScreen)
        await pilot.press(*latest_code(live_server.base_url, DANA))  # submits itself at 6 digits
        await on_home(pilot)

        token = store.load()
        assert token, "the session token is kept for next time"
        summary = api_get(live_server, token, f"/v1/accounts/{app.me.accounts[0].id}/summary")
        text = screen_text(app)
        assert "Balance Due" in text and format_cents(summary["balance_due_cents"]) in text
        assert "Past Due" in text and format_cents(summary["past_due_cents"]) in text
        assert f"{summary['past_due_count']} invoice" in text
        assert format_cents(summary["in_progress_cents"]) in text
        assert "as of Nov 15, 2026" in text
        assert "Account 4100012345 · Dana Whitfield" in text

    # Remember me: a new app with the same store goes straight to the account.
    again = make_app(live_server.base_url, store=store)
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        assert not any(isinstance(s, (LoginScreen, VerifyCodeScreen)) for s in again.screen_stack)


async def test_wrong_code_shows_the_servers_message(live_server) -> None:
    app = make_app(live_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        app.screen.query_one("#email", Input).value = "lee@example.com"
        await pilot.press("enter")
        await on_screen(pilot, VerifyCodeScreen)
        real = latest_code(live_server.base_url, "lee@example.com")
        wrong = f"{(int(real) + 1) % 1_000_000:06d}"
        await pilot.press(*wrong)
        message = app.screen.query_one("#verify-message")
        await wait_for(pilot, lambda: message.has_class("-error"), "an error under the code")
        # The server's own sentence, as it sent it.
        response = httpx.post(
            f"{live_server.base_url}/v1/auth/code/verify", json={"email": "lee@example.com", "code": wrong}
        )
        assert response.status_code == 401
        assert str(message.content) == response.json()["error"]["message"]
        assert isinstance(app.screen, VerifyCodeScreen)
        assert app.screen.query_one("#code").value == "", "the field is cleared for another try"

        # Keep getting it wrong: the code dies, the server says so, and Resend takes the focus.
        for _ in range(5):
            await pilot.press(*wrong)
            await wait_for(pilot, lambda: app.screen.query_one("#code").value == "", "the next try")
            if app.focused is app.screen.query_one("#resend"):
                break
        assert app.focused is app.screen.query_one("#resend")
        assert str(message.content).endswith("Ask for a new one. Resend code (Ctrl+R) does it.")  # once
        response = httpx.post(
            f"{live_server.base_url}/v1/auth/code/verify", json={"email": "lee@example.com", "code": real}
        )
        assert response.status_code == 429
        assert str(message.content).startswith(response.json()["error"]["message"])


async def test_tabs_show_the_right_rows(live_server, tokens) -> None:
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        for status, key in (("open", "2"), ("all", "1"), ("in_progress", "3"), ("paid", "4")):
            await pilot.press(key)
            table = home.query_one(f"#invoices-{status}", InvoiceTable)
            await wait_for(pilot, lambda t=table: t.started and not t.loading_more, f"the {status} tab")
            expected = api_get(
                live_server, token, f"/v1/accounts/{home.account.id}/invoices", status=status, limit=200
            )
            assert table_numbers(table) == [row["number"] for row in expected["items"]], status
            assert f"{expected['total_count']} of {expected['total_count']} loaded" in screen_text(app)

        await pilot.press("2")
        text = screen_text(app)
        open_rows = api_get(live_server, token, f"/v1/accounts/{home.account.id}/invoices", status="open")[
            "items"
        ]
        past_due = [row for row in open_rows if row["past_due"]]
        assert past_due, "the demo has a past-due invoice"
        for row in past_due:
            line = next(line for line in text.splitlines() if row["number"] in line)
            assert "Past Due" in line
        # the unsent invoice never shows: the All tab matches the API exactly (checked above)


async def test_enter_opens_detail_with_line_items_and_payments(live_server, tokens) -> None:
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        await pilot.press("3")  # In Progress: the invoice with a pending ACH payment
        table = home.query_one("#invoices-in_progress", InvoiceTable)
        await wait_for(pilot, lambda: table.table.row_count > 0, "the in-progress rows")
        row = table.current_row()
        detail = api_get(live_server, token, f"/v1/invoices/{row.id}")
        await pilot.press("enter")
        await on_screen(pilot, InvoiceDetailScreen)
        await wait_for_text(pilot, detail["payments"][0]["confirmation_number"])
        text = screen_text(app)
        assert f"Invoice {detail['number']}" in text
        assert "In Progress" in text
        for item in detail["line_items"]:
            assert item["description"][:30] in text
        assert format_cents(detail["amount_cents"]) in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is home, "back to home")


async def test_multi_site_parent_expands_to_its_sites(live_server, tokens) -> None:
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        table = home.query_one("#invoices-open", InvoiceTable)
        rows = table.rows
        parent = next(r for r in rows if r.children_count)
        grid: DataTable = table.table
        grid.move_cursor(row=rows.index(parent))
        await pilot.pause()
        assert "3 sites" in screen_text(app)
        await pilot.press("e")
        children = api_get(live_server, token, f"/v1/invoices/{parent.id}")["children"]
        assert len(children) == 3
        await wait_for(pilot, lambda: grid.row_count == len(rows) + 3, "the three site rows")
        text = screen_text(app)
        for child in children:
            assert child["number"] in text and child["site"]["name"] in text
        await pilot.press("e")
        await wait_for(pilot, lambda: grid.row_count == len(rows), "the sites folded away")


async def test_clerk_opens_an_account_on_the_identity_check_then_the_360(live_server, tokens) -> None:
    """A clerk's account opens on the identity check (the one match opens by itself), then the 360;
    New call asks for the wrap-up, and Ctrl+N again goes back to an empty search."""
    app = make_app(live_server.base_url, tokens["clerk@example.com"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, ClerkSearchScreen)
        search = app.screen
        search.query_one("#account-number", Input).value = "4100012345"
        search.query_one("#last-name", Input).value = "whitfield"
        search.query_one("#last-name", Input).focus()
        await pilot.press("enter")
        identity = await on_screen(pilot, IdentityCheckScreen)
        await wait_for_text(pilot, "Dana Whitfield")
        await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
        await pilot.press("enter")
        customer = await on_screen(pilot, CustomerScreen)
        await wait_for_text(pilot, "Balance Due")
        text = screen_text(app)
        assert "Customer 4100012345 · Dana Whitfield · identity confirmed" in text
        clerk = tokens["clerk@example.com"]
        summary = api_get(live_server, clerk, f"/v1/accounts/{customer.match.id}/summary")
        await wait_for_text(pilot, format_cents(summary["balance_due_cents"]))
        await pilot.press("ctrl+n", "ctrl+n")  # the wrap-up is asked for; Ctrl+N again skips it
        await wait_for(pilot, lambda: isinstance(app.screen, ClerkSearchScreen), "an empty search")
        assert app.screen is not search and "Dana" not in screen_text(app)


async def test_a_customer_never_reaches_clerk_search(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        provider_names = await palette_names(app.screen)
        system_names = [command.title for command in app.get_system_commands(app.screen)]
        assert "Find an account" not in [*provider_names, *system_names]
        app.open_clerk_search()
        await pilot.pause()
        assert not any(isinstance(s, ClerkSearchScreen) for s in app.screen_stack)
        assert isinstance(app.screen, HomeScreen)


async def test_logout_clears_the_store_and_revokes_the_token(live_server) -> None:
    # a session of its own: logging out revokes it, and the other tests' shared sessions stay signed in
    token = login(live_server.base_url, "sam@example.com")
    store = MemoryTokenStore(token)
    app = make_app(live_server.base_url, store=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        assert "No invoices — you're all paid up" not in screen_text(app)
        assert "No open invoices — you're all paid up." in screen_text(app)  # sam has none
        await pilot.press("ctrl+l")
        await on_screen(pilot, LoginScreen)
        assert store.load() is None
        assert app.client.token is None
    response = httpx.get(f"{live_server.base_url}/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_server_down_shows_a_clear_message_and_retry_reaches_it_once_up(tmp_path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = make_app(url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        app.screen.query_one("#email", Input).value = DANA
        await pilot.press("enter")
        await wait_for_text(pilot, "The server is not answering")
        message = str(app.screen.query_one("#unavailable-message").content)
        assert message.startswith(f"Cannot reach the Paydesk server at {url}.")
        assert "Traceback" not in screen_text(app)

        args = [*stub_command(), "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path}/down.db"]
        server = subprocess.Popen(
            [*args, "--seed", "demo", "--dev"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_healthy(url)
            await pilot.press("r")  # Retry: sends the code request again, now answered
            await on_screen(pilot, VerifyCodeScreen)
            assert latest_code(url, DANA)
        finally:
            server.terminate()
            server.wait(timeout=10)


async def test_demo_inbox_shows_the_code_to_sign_in_with(live_server) -> None:
    app = make_app(live_server.base_url, demo=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        assert "DEMO" in screen_text(app)
        app.screen.query_one("#email", Input).value = "lee@example.com"
        await pilot.press("enter")
        await on_screen(pilot, VerifyCodeScreen)
        code = latest_code(live_server.base_url, "lee@example.com")
        inbox = app.screen.query_one("DemoInbox")
        # Read off the inbox panel, as a person would; a toast carries it too.
        await wait_for(pilot, lambda: f"Code {code}" in inbox.render().plain, "the code in the inbox")
        assert f"Code {code}" in screen_text(app)
        await wait_for(
            pilot,
            lambda: any(code in toast.render().plain for toast in app.screen.query("Toast")),
            "a toast carrying the code",
        )
        code_input = app.screen.query_one("#code")
        assert code_input.region.bottom <= inbox.region.y, "the inbox never covers the code input"
        assert "000000" not in screen_text(app)  # no placeholder that reads like a code
        await pilot.press(*code)
        await on_home(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert not app.screen.query_one("DemoInbox").display
        # Signed out, the inbox forgets Lee's emails: the next person sees none of them.
        await pilot.press("f2", "ctrl+l")
        await on_screen(pilot, LoginScreen)
        inbox = app.screen.query_one("DemoInbox")
        await wait_for(pilot, lambda: "No emails yet" in inbox.render().plain, "an empty inbox")
        assert code not in screen_text(app)


@pytest.fixture(scope="module")
def large_server(tmp_path_factory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("large")
    with serve_stub(f"sqlite:///{workdir / 'large.db'}", workdir, seed="large") as server:
        yield server


async def test_invoices_page_in_as_the_cursor_nears_the_end(large_server) -> None:
    token = login(large_server.base_url, "big@example.com")
    app = make_app(large_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        await pilot.press("1")
        table = home.query_one("#invoices-all", InvoiceTable)
        await wait_for(pilot, lambda: table.rows and not table.loading_more, "the first page")
        total = api_get(large_server, token, f"/v1/accounts/{home.account.id}/invoices", limit=1)[
            "total_count"
        ]
        assert total == 10_000
        assert len(table.rows) == 100, "one page, never the whole list"
        assert f"100 of {total} loaded" in screen_text(app)
        for _ in range(3):
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: len(table.rows) == 200 and not table.loading_more, "the second page")
        assert f"200 of {total} loaded" in screen_text(app)
        expected = api_get(large_server, token, f"/v1/accounts/{home.account.id}/invoices", limit=200)[
            "items"
        ]
        assert table_numbers(table) == [row["number"] for row in expected], "pages join in order"
