"""A verified email change as people make it (issue 10), against a fresh reference backend each.

The customer in Settings, and a clerk in the customer's Settings from the 360: the new email waits
for the 6-digit code sent to it, typed in a dialog; a wrong code keeps the dialog open with the
server's sentence; Resend sends a new code (the one before it stops working); Cancel change keeps
the old email. What the screen says is checked, then what the server holds (`GET /v1/accounts/{id}`).
"""

from __future__ import annotations

import re

import httpx
from textual.widgets import Button, Input, MaskedInput

from tests.app.conftest import api_get, make_app, on_screen, screen_text, wait_for, wait_for_text
from tests.app.palette import palette_names
from tests.app.test_clerk_console import confirmed, open_dana
from tests.app.test_self_service_settings import open_settings
from tests.conftest import login
from tui.screens.email_dialogs import EmailCodeDialog
from tui.screens.settings import SettingsScreen

SIZE = (100, 40)
SMALL = (80, 24)
DANA = "dana@example.com"
NEW = "dana.new@example.net"


def codes_sent(server, email: str) -> list[str]:
    """Every 6-digit code the server emailed to `email`, newest first (read off the dev outbox)."""
    items = httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": email}, timeout=5).json()["items"]
    return [m.group(1) for item in items if (m := re.search(r"\b(\d{6})\b", item["body"]))]


def wrong(code: str) -> str:
    """A code that is surely not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def held(server, token: str) -> dict:
    account_id = api_get(server, token, "/v1/me")["accounts"][0]["id"]
    return api_get(server, token, f"/v1/accounts/{account_id}")


async def save_new_email(pilot, screen: SettingsScreen, email: str) -> EmailCodeDialog:
    """Type the new email into the (focused) email field and save with Ctrl+S: the dialog opens."""
    field = screen.query_one("#profile-email", Input)
    field.focus()
    field.clear()
    await pilot.press(*email, "ctrl+s")
    return await on_screen(pilot, EmailCodeDialog)


async def test_customer_changes_email_with_the_code_sent_to_it(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_settings(pilot)
        dialog = await save_new_email(pilot, screen, NEW)
        await wait_for_text(pilot, f"We emailed a 6-digit code to {NEW}")
        assert app.focused is dialog.query_one("#email-code", MaskedInput)
        assert "000000" not in screen_text(app), "no placeholder that reads like a code"
        account = held(pay_server, token)
        assert account["email"] == DANA and account["pending_email"] == NEW, "not the email yet"
        (code,) = codes_sent(pay_server, NEW)

        # A wrong code: the server's sentence in the dialog, which stays open with the field marked.
        await pilot.press(*wrong(code))
        await wait_for(pilot, lambda: dialog.query_one("#email-code-message").has_class("-error"), "refusal")
        assert isinstance(app.screen, EmailCodeDialog)
        assert dialog.query_one("#email-code").has_class("-invalid")
        assert app.focused is dialog.query_one("#email-code"), "ready for the right code"
        sentence = str(dialog.query_one("#email-code-message").content)
        assert "code" in sentence.lower()
        assert held(pay_server, token)["email"] == DANA

        # Fewer than six digits and Enter: said in the dialog, nothing sent.
        await pilot.press(*code[:3], "enter")
        await wait_for_text(pilot, "Enter all 6 digits of the code sent to")

        # The right code: the dialog closes, the new email shows, a toast says so; the server has it.
        dialog.query_one("#email-code", MaskedInput).clear()
        await pilot.press(*code)
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, f"The email is now {NEW}.")
        assert screen.query_one("#profile-email", Input).value == NEW
        assert not screen.query_one("#pending-email").display
        assert "Email changed" in screen_text(app)
        account = held(pay_server, token)
        assert account["email"] == NEW and account["pending_email"] is None


async def test_waiting_state_resend_and_cancel_by_keyboard(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        screen = await open_settings(pilot)
        dialog = await save_new_email(pilot, screen, NEW)
        (first,) = codes_sent(pay_server, NEW)

        # Resend from the dialog (Ctrl+R): a new code, and the first one no longer works.
        await pilot.press("ctrl+r")
        await wait_for_text(pilot, f"A new code is on its way to {NEW}.")
        assert len(codes_sent(pay_server, NEW)) == 2
        second = codes_sent(pay_server, NEW)[0]
        if second != first:
            await pilot.press(*first)
            await wait_for(
                pilot, lambda: dialog.query_one("#email-code-message").has_class("-error"), "old code refused"
            )
            assert isinstance(app.screen, EmailCodeDialog)

        # Escape closes the dialog: the change keeps waiting, said beside the email field.
        await pilot.press("escape")
        await on_screen(pilot, SettingsScreen)
        words = screen.query_one("#pending-email-words")
        await wait_for(pilot, lambda: words.display and screen.query_one("#pending-email").display, "waiting")
        assert str(words.content).startswith(f"Waiting for confirmation: a code was sent to {NEW}.")
        await wait_for(pilot, lambda: app.focused is screen.query_one("#enter-email-code"), "Enter code")
        assert screen.query_one("#profile-email", Input).value == DANA, "the email on file, until the code"
        assert "Enter code" in {b.label.plain for b in screen.query(Button)}
        names = await palette_names(screen)
        assert {"Enter code", "Resend the email code", "Cancel the email change"} <= names

        # Enter on "Enter code" opens the dialog again; Close (Escape) and Tab to Cancel change.
        await pilot.press("enter")
        await on_screen(pilot, EmailCodeDialog)
        await pilot.press("escape")
        await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: app.focused is screen.query_one("#enter-email-code"), "Enter code")
        await pilot.press("tab", "tab")
        assert app.focused is screen.query_one("#cancel-email-change")
        await pilot.press("enter")
        cancelled = f"The change to {NEW} is cancelled. The email stays {DANA}."
        await wait_for(pilot, lambda: str(screen.profile_line.content) == cancelled, "the cancel")
        assert not screen.query_one("#pending-email").display
        account = held(pay_server, token)
        assert account["email"] == DANA and account["pending_email"] is None
        assert "Enter code" not in await palette_names(screen)


async def test_a_dead_code_needs_a_new_one(pay_server) -> None:
    token = login(pay_server.base_url, DANA)
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_settings(pilot)
        dialog = await save_new_email(pilot, screen, NEW)
        (code,) = codes_sent(pay_server, NEW)
        message = dialog.query_one("#email-code-message")
        for _ in range(5):
            dialog.query_one("#email-code", MaskedInput).clear()
            await pilot.press(*wrong(code))
            await wait_for(pilot, lambda: message.has_class("-error") and not dialog.busy, "a refusal")
        await wait_for_text(pilot, "Resend code")
        await wait_for(pilot, lambda: app.focused is dialog.query_one("#resend"), "Resend focused")
        assert isinstance(app.screen, EmailCodeDialog)
        # Even the right code is refused now; a new one works.
        await pilot.press("enter")  # Resend code
        await wait_for_text(pilot, f"A new code is on its way to {NEW}.")
        fresh = codes_sent(pay_server, NEW)[0]
        await pilot.press(*fresh)
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, f"The email is now {NEW}.")
        assert held(pay_server, token)["email"] == NEW


async def test_clerk_changes_the_customers_email_with_the_code_read_out(pay_server) -> None:
    clerk = login(pay_server.base_url, "clerk@example.com")
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await pilot.press("e")
        screen = await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: screen.account is not None, "the customer's settings")
        dialog = await save_new_email(pilot, screen, NEW)
        await wait_for_text(pilot, "Ask the customer to read it out")
        account_id = screen.account_ref.id
        account = api_get(pay_server, clerk, f"/v1/accounts/{account_id}")
        assert account["email"] == DANA and account["pending_email"] == NEW
        (code,) = codes_sent(pay_server, NEW)

        await pilot.press(*wrong(code))
        await wait_for(pilot, lambda: dialog.query_one("#email-code-message").has_class("-error"), "refusal")
        assert isinstance(app.screen, EmailCodeDialog)

        await pilot.press(*code)
        await on_screen(pilot, SettingsScreen)
        await wait_for_text(pilot, f"The email is now {NEW}.")
        account = api_get(pay_server, clerk, f"/v1/accounts/{account_id}")
        assert account["email"] == NEW and account["pending_email"] is None


async def test_clerk_sees_a_waiting_change_and_confirms_it_with_the_code_read_out(pay_server) -> None:
    """Dana asked for the change in her own app and calls: the 360 says it waits, `e`, Ctrl+O, the code."""
    dana = login(pay_server.base_url, DANA)
    account_id = api_get(pay_server, dana, "/v1/me")["accounts"][0]["id"]
    response = httpx.patch(
        f"{pay_server.base_url}/v1/accounts/{account_id}",
        json={"email": NEW},
        headers={"Authorization": f"Bearer {dana}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    (code,) = codes_sent(pay_server, NEW)
    clerk = login(pay_server.base_url, "clerk@example.com")
    app = make_app(pay_server.base_url, clerk)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_dana(pilot)
        await confirmed(pilot)
        await wait_for_text(pilot, f"A new email waits for its code: {NEW}")
        await pilot.press("e")
        screen = await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: screen.query_one("#pending-email").display, "the waiting state")
        assert "the customer's code" in str(screen.query_one("#pending-email-words").content)
        await pilot.press("ctrl+o")
        await on_screen(pilot, EmailCodeDialog)
        await pilot.press(*code)
        await on_screen(pilot, SettingsScreen)
        await wait_for(pilot, lambda: screen.query_one("#profile-email", Input).value == NEW, "the new email")
    account = api_get(pay_server, clerk, f"/v1/accounts/{account_id}")
    assert account["email"] == NEW and account["pending_email"] is None
