"""The clerk console as a clerk uses it on a call, against the real reference backend.

Search -> identity check -> customer 360 -> wrap-up -> New call, and the idle lock. What the screen
should show is read from the API; New call must leave nothing of the caller on screen or in memory.
"""

from __future__ import annotations

import re

import httpx
import pytest
from textual import events
from textual.widgets import DataTable, Input, TextArea

from tests.app.conftest import api_get, make_app, on_screen, screen_text, wait_for, wait_for_text
from tests.app.palette import palette_names
from tests.conftest import latest_code, login
from tests.support.stub import serve_stub
from tui.money import format_cents
from tui.screens.clerk.account import CustomerScreen
from tui.screens.clerk.audit import AuditScreen
from tui.screens.clerk.call import Call
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.lock import LockScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.clerk.wrap_up import DiscardWrapUpQuestion, WrapUpDialog
from tui.widgets.formatting import format_date

SMALL = (80, 24)
SIZE = (100, 40)
CLERK = "clerk@example.com"
DANA = "dana@example.com"
DANA_NUMBER = "4100012345"


def dana_account(server, token: str) -> dict:
    match = api_get(server, token, "/v1/clerk/accounts", email=DANA)["items"][0]
    return api_get(server, token, f"/v1/accounts/{match['id']}")


def traces_of_dana(text: str, account: dict) -> list[str]:
    """Whatever of Dana could still be read off the screen: name, number, address, phone last 4."""
    digits = "".join(ch for ch in account["phone"] if ch.isdigit())
    needles = [
        account["first_name"],
        account["last_name"],
        account["account_number"],
        account["email"],
        account["service_address"],
        digits[-4:],
    ]
    return [needle for needle in needles if needle and needle in text]


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def open_dana(pilot, *, by_email: bool = False) -> IdentityCheckScreen:
    """From the search with the cursor in the account number: the number, the name, Enter."""
    search = await on_screen(pilot, ClerkSearchScreen)
    if by_email:
        search.query_one("#email", Input).focus()
        await type_text(pilot, DANA)
    else:
        assert pilot.app.focused is search.query_one("#account-number", Input)
        await type_text(pilot, DANA_NUMBER)
        assert pilot.app.focused is search.query_one("#last-name", Input)  # moved on by itself
        await type_text(pilot, "whitfield")
    await pilot.press("enter")
    return await on_screen(pilot, IdentityCheckScreen)


async def confirmed(pilot) -> CustomerScreen:
    identity = await on_screen(pilot, IdentityCheckScreen)
    await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
    assert pilot.app.focused is identity.query_one("#confirm")
    await pilot.press("enter")  # "Identity confirmed"
    screen = await on_screen(pilot, CustomerScreen)
    await wait_for(
        pilot,
        lambda: not screen.query_one("#notes").loading and "Balance Due" in screen_text(pilot.app),
        "the 360's data",
    )
    return screen


def customer_screen(app) -> CustomerScreen | None:
    return next((s for s in app.screen_stack if isinstance(s, CustomerScreen)), None)


def wiped(app) -> None:
    """Nothing of the call is left: one empty search and an empty call."""
    assert app.call == Call() and app.call.is_empty()
    assert [type(s) for s in app.screen_stack[1:]] == [ClerkSearchScreen]
    search = app.screen
    assert all(field.value == "" for field in search.query(Input))
    assert search.matches == []
    assert search.query_one("#results", DataTable).row_count == 0


# ---- the search -----------------------------------------------------------------------------------


async def test_search_moves_on_opens_a_single_match_and_new_search_empties_everything(
    live_server, tokens
) -> None:
    app = make_app(live_server.base_url, tokens[CLERK])
    async with app.run_test(size=SIZE) as pilot:
        identity = await open_dana(pilot)
        assert identity.match.account_number == DANA_NUMBER  # one match: opened without Down or Enter
        assert app.call.match is not None and app.call.match.id == identity.match.id
        await pilot.press("escape")
        search = await on_screen(pilot, ClerkSearchScreen)
        assert app.call.match is None
        assert "Dana Whitfield" in screen_text(app)

        # The stale-results bug: a new query that cannot run leaves no row of the last one behind.
        search.query_one("#last-name", Input).clear()
        search.query_one("#account-number", Input).focus()
        await pilot.press("enter")
        await wait_for_text(pilot, "Enter the last name on the account too.")
        assert "Dana" not in screen_text(app) and search.matches == []

        await pilot.press("ctrl+f")  # New search
        text = screen_text(app)
        assert "Dana" not in text and DANA_NUMBER not in text and "found" not in text
        assert all(field.value == "" for field in search.query(Input))
        assert app.focused is search.query_one("#account-number", Input)


async def test_several_matches_take_the_focus_and_enter_opens_the_row(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[CLERK])
    async with app.run_test(size=SIZE) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        search.query_one("#email", Input).value = "nobody@example.com"
        search.query_one("#email", Input).focus()
        await pilot.press("enter")
        await wait_for_text(pilot, "No account matches")
        assert search.query_one("#results", DataTable).display is False


# ---- identity check and the 360 --------------------------------------------------------------------


async def test_the_identity_check_shows_the_account_and_opens_the_360(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        identity = await open_dana(pilot)
        await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
        text = screen_text(app)
        digits = "".join(ch for ch in account["phone"] if ch.isdigit())
        assert "Dana Whitfield" in text and account["service_address"] in text and digits[-4:] in text
        screen = await confirmed(pilot)
        check = app.call.identity_check
        assert check is not None and check.passed and check.account_id == account["id"]
        assert sorted(check.checked) == ["name", "phone_last4", "service_address"]

        summary = api_get(pay_server, clerk, f"/v1/accounts/{account['id']}/summary")
        text = screen_text(app)
        assert "Customer 4100012345 · Dana Whitfield · identity confirmed" in text
        for cents in (summary["balance_due_cents"], summary["past_due_cents"], summary["in_progress_cents"]):
            assert format_cents(cents) in text
        assert format_date(__import__("datetime").date.fromisoformat(summary["next_due_on"])) in text
        assert "Autopay is off." in text and "paper bills" in text
        assert " you" not in text.lower().replace("your", "")  # about the customer, never "you"
        open_rows = api_get(pay_server, clerk, f"/v1/accounts/{account['id']}/invoices", status="open")
        assert open_rows["items"][0]["number"] in text
        assert screen.payments, "the last payments are listed"
        assert screen.payments[0].confirmation_number in text


async def test_pay_with_nothing_selected_opens_the_wizard_on_the_balance_without_a_warning(
    pay_server,
) -> None:
    from tui.screens.pay import PayScreen

    clerk = login(pay_server.base_url, CLERK)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("p")
        await on_screen(pilot, PayScreen)
        # No invoice selected is the usual phone payment (the balance), not a mistake to warn about.
        assert [n.title for n in app._notifications if n.title == "Nothing selected"] == []


async def test_an_email_typed_into_the_account_number_goes_on_in_the_email_field(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        assert app.focused is search.query_one("#account-number", Input)
        await type_text(pilot, DANA)
        assert search.query_one("#account-number", Input).value == ""
        assert search.query_one("#email", Input).value == DANA
        said = [n.message for n in app._notifications]
        assert said == ["An account number is digits: that went to the email field."]

        # Keys already on their way to the account number when the focus moved (one terminal read of a
        # fast typist's keys) go on to the email too, in order.
        await pilot.press("ctrl+f")
        number = search.query_one("#account-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the account number again")
        for char in "sam@x":
            number.post_message(events.Key(char, char))
        await wait_for(pilot, lambda: search.query_one("#email", Input).value == "sam@x", "all of it moved")
        assert number.value == ""
        moved = [n for n in app._notifications if "went to the email field" in n.message]
        assert len(moved) <= 2  # said once for each move (the first may have gone by now), not per key
        search.query_one("#email", Input).value = DANA
        await pilot.press("enter")
        identity = await on_screen(pilot, IdentityCheckScreen)
        await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
        assert identity.account.email == DANA


async def test_a_failed_check_allows_a_note_and_new_call_only(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        identity = await open_dana(pilot, by_email=True)
        await wait_for(pilot, lambda: identity.account is not None, "the account's facts")
        await pilot.press("x")
        await wait_for_text(pilot, "Identity check failed and recorded.")
        assert app.call.check_failed
        for key in ("y", "escape", "p"):
            await pilot.press(key)
            assert app.screen is identity
        assert app.focused is identity.query_one("#note")
        await pilot.press("enter")
        dialog = await on_screen(pilot, WrapUpDialog)
        assert app.focused is dialog.query_one("#note-body", TextArea)
        await type_text(pilot, "Caller could not confirm")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.call.wrap_up is not None, "the note saved")
        await pilot.press("ctrl+n")
        await on_screen(pilot, ClerkSearchScreen)
        wiped(app)


# ---- wrap-up and New call --------------------------------------------------------------------------


async def test_wrap_up_then_new_call_leaves_nothing_of_the_caller(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("w")
        dialog = await on_screen(pilot, WrapUpDialog)
        assert app.focused is dialog.query_one("#note-body", TextArea)
        assert dialog.disposition == "question_answered"  # nothing was paid in this call
        await type_text(pilot, "Asked about a bill")
        await pilot.press("ctrl+s")
        screen = await on_screen(pilot, CustomerScreen)
        notes = api_get(pay_server, clerk, f"/v1/accounts/{account['id']}/notes")["items"]
        assert notes[0]["body"] == "Asked about a bill"
        assert notes[0]["disposition"] == "question_answered"
        await pilot.press("n")  # the notes are below the fold at 80x24: n scrolls to them
        await wait_for_text(pilot, "Asked about a bill")  # the 360 lists it
        assert screen is app.screen

        await pilot.press("ctrl+n")  # a saved wrap-up: New call is one key
        await on_screen(pilot, ClerkSearchScreen)
        await pilot.pause()
        assert traces_of_dana(screen_text(app), account) == []
        wiped(app)


async def test_new_call_asks_for_the_wrap_up_and_ctrl_n_again_skips_it(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("h")  # the history, a screen deeper
        await pilot.press("ctrl+n")
        dialog = await on_screen(pilot, WrapUpDialog)
        assert dialog.before_new_call
        await pilot.press("ctrl+n")
        await on_screen(pilot, ClerkSearchScreen)
        await pilot.pause()
        assert traces_of_dana(screen_text(app), account) == []
        wiped(app)


async def test_new_call_over_a_typed_wrap_up_asks_before_it_drops_the_note(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("w")
        dialog = await on_screen(pilot, WrapUpDialog)
        await type_text(pilot, "Promised a call back")
        await pilot.press("ctrl+n")
        question = await on_screen(pilot, DiscardWrapUpQuestion)
        await wait_for_text(pilot, "The wrap-up you typed is not saved.")
        await pilot.press("escape")  # Keep writing: the note is still there, the call goes on
        assert await on_screen(pilot, WrapUpDialog) is dialog
        assert dialog.query_one("#note-body", TextArea).text == "Promised a call back"
        assert app.call.match is not None

        await pilot.press("ctrl+n")
        question = await on_screen(pilot, DiscardWrapUpQuestion)
        assert app.focused is question.query_one("#ok")
        await pilot.press("ctrl+n")  # Ctrl+N again: start without it, as on an empty wrap-up
        await on_screen(pilot, ClerkSearchScreen)
        await pilot.pause()
        assert traces_of_dana(screen_text(app), account) == []
        wiped(app)
    notes = api_get(pay_server, clerk, f"/v1/accounts/{account['id']}/notes")["items"]
    assert "Promised a call back" not in [note["body"] for note in notes]


async def test_the_palette_has_new_call_and_lock_screen(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[CLERK])
    async with app.run_test(size=SIZE) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        assert "New call" in await palette_names(search)
        names = [command.title for command in app.get_system_commands(search)]
        assert "Lock screen" in names
        lock = next(c for c in app.get_system_commands(search) if c.title == "Lock screen")
        lock.callback()
        await on_screen(pilot, LockScreen)


# ---- the idle lock ---------------------------------------------------------------------------------


async def test_idle_lock_hides_the_account_and_a_new_code_unlocks_the_call(
    pay_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYDESK_IDLE_LOCK_SECONDS", "600")
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SMALL) as pilot:
        await open_dana(pilot)
        screen = await confirmed(pilot)
        assert app.idle_lock_seconds == 600  # PAYDESK_IDLE_LOCK_SECONDS, over the clerk's 5 minutes
        # Shortened only now: on a busy machine the call's first screens can take longer than a short
        # lock (the pseudo-terminal test runs the variable's 3 s from the start).
        app.idle_lock_seconds = 1
        lock = await on_screen(pilot, LockScreen)  # no key for a second
        assert screen in app.screen_stack  # kept behind the lock
        text = screen_text(app)
        assert "Screen locked" in text and traces_of_dana(text, account) == []
        for key in ("ctrl+n", "f4"):
            await pilot.press(key)
            assert app.screen is lock

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: lock.query_one("#lock-code").display, "the code field")
        code = latest_code(pay_server.base_url, CLERK)
        await type_text(pilot, code)
        await wait_for(pilot, lambda: app.screen is screen, "the call back as it was")
        assert app.call.match is not None and app.client.token != clerk
        old = httpx.get(f"{pay_server.base_url}/v1/me", headers={"Authorization": f"Bearer {clerk}"})
        assert old.status_code == 401  # the replaced session is revoked


async def test_someone_else_at_the_lock_ends_the_call(pay_server, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = login(pay_server.base_url, CLERK)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        app.lock()
        await on_screen(pilot, LockScreen)
        await pilot.press("ctrl+o")
        from tui.screens.login import LoginScreen

        await on_screen(pilot, LoginScreen)
        assert app.call.is_empty() and app.me is None


# ---- audit ---------------------------------------------------------------------------------------


async def test_the_audit_view_shows_the_account_trail_and_the_clerks_day(pay_server) -> None:
    clerk = login(pay_server.base_url, CLERK)
    account = dana_account(pay_server, clerk)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("a")
        audit = await on_screen(pilot, AuditScreen)
        table = audit.query_one("#account-trail", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0 and not table.loading, "the account's trail")
        # Reads are audited too (this view's own read among them): the trail holds what the server
        # held when it was read, the newest first.
        trail = api_get(pay_server, clerk, f"/v1/accounts/{account['id']}/audit")
        assert trail["total_count"] >= table.row_count
        text = screen_text(app)
        assert "identity check passed" in text and "Nov 15, 2026" in text and "Casey Clerk" in text
        await pilot.press("2")
        mine = audit.query_one("#mine-trail", DataTable)
        await wait_for(pilot, lambda: mine.row_count > 0 and not mine.loading, "the clerk's day")
        assert "of the clerk's actions today" in screen_text(app)
        await pilot.press("escape")
        await on_screen(pilot, CustomerScreen)


@pytest.fixture
def idle_server(tmp_path):
    """A demo backend whose clerks' sessions end after 10 s without a request they made (room for a
    busy machine to open the call first)."""
    with serve_stub(
        f"sqlite:///{tmp_path / 'idle.db'}", tmp_path, extra_env={"PAYDESK_CLERK_IDLE_SECONDS": "10"}
    ) as server:
        yield server


async def test_the_servers_session_idle_shows_the_lock_and_keeps_the_call(
    idle_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYDESK_IDLE_LOCK_SECONDS", "600")  # the app's own lock stays out of it
    clerk = login(idle_server.base_url, CLERK)
    app = make_app(idle_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_dana(pilot)
        screen = await confirmed(pilot)
        background = {"Authorization": f"Bearer {clerk}", "X-Paydesk-Background": "1"}

        def session_idle() -> bool:  # asked in the background: the asking keeps nothing alive
            answer = httpx.get(f"{idle_server.base_url}/v1/me", headers=background, timeout=5)
            return answer.status_code == 401 and answer.json()["error"]["code"] == "session_idle"

        await wait_for(pilot, session_idle, "the server to end the idle session", timeout=30)
        await pilot.press("r")  # a request the clerk makes: 401 session_idle
        lock = await on_screen(pilot, LockScreen)
        assert "idle too long" in screen_text(app)
        assert screen in app.screen_stack and app.call.match is not None  # the call is kept
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: lock.query_one("#lock-code").display, "the code field")
        await type_text(pilot, latest_code(idle_server.base_url, CLERK))
        await wait_for(pilot, lambda: app.screen is screen, "the call back as it was")
        assert app.client.token != clerk


def set_clerk_password(server, password: str) -> None:
    """The clerk signs up for a password by the emailed link, as the sign-up screens do."""
    assert (
        httpx.post(f"{server.base_url}/v1/auth/signup", json={"email": CLERK}, timeout=5).status_code == 202
    )
    items = httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": CLERK}, timeout=5).json()["items"]
    body = next(item["body"] for item in items if item["kind"] == "signup")
    token = re.search(r"paydesk://set-password\?token=([A-Za-z0-9_-]+)", body).group(1)
    answer = httpx.post(
        f"{server.base_url}/v1/auth/password/set", json={"token": token, "password": password}, timeout=5
    )
    assert answer.status_code in (200, 204), answer.text


async def test_the_lock_opens_with_the_password_only(pay_server) -> None:
    set_clerk_password(pay_server, "Correct-horse-42")
    clerk = login(pay_server.base_url, CLERK)
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE) as pilot:
        await open_dana(pilot)
        screen = await confirmed(pilot)
        app.lock()
        lock = await on_screen(pilot, LockScreen)
        await type_text(pilot, "wrong-password-1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: lock.query_one("#lock-message").has_class("-error"), "refused")
        assert app.screen is lock and app.client.token == clerk
        lock.query_one("#lock-password", Input).clear()
        await type_text(pilot, "Correct-horse-42")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the call back as it was")
        assert app.client.token != clerk and not app.locked
        old = httpx.get(f"{pay_server.base_url}/v1/me", headers={"Authorization": f"Bearer {clerk}"})
        assert old.status_code == 401
