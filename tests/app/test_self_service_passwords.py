"""Sign up, set a password from the emailed link, sign in with it, and forgot password, from the login
screen. Passwords change data, so the backend is this module's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from textual.widgets import Input

from tests.app.conftest import make_app, on_home, on_screen, screen_text, wait_for
from tests.support.stub import StubServer, serve_stub
from tui.checks import password_problem, token_from_link
from tui.credentials import MemoryTokenStore
from tui.screens.login import LoginScreen
from tui.screens.passwords import ForgotPasswordScreen, PasswordLoginScreen, SetPasswordScreen, SignUpScreen
from tui.widgets.demo_inbox import DemoInbox

SIZE = (100, 40)
SAM = "sam@example.com"
DANA = "dana@example.com"
LINK = re.compile(r"paydesk://set-password\?token=[A-Za-z0-9_-]+")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("passwords")
    with serve_stub(f"sqlite:///{workdir / 'passwords.db'}", workdir, seed="demo") as stub:
        yield stub


def latest_link(server: StubServer, email: str, kind: str) -> str:
    items = httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": email}, timeout=5).json()["items"]
    for item in items:
        if item["kind"] == kind:
            return LINK.search(item["body"]).group(0)
    raise AssertionError(f"no {kind} email for {email}")


async def says(pilot, words: str) -> None:
    """Wait for the form's message line to contain `words` (it wraps on screen)."""
    await wait_for(pilot, lambda: words in str(pilot.app.screen.query_one(".message").content), repr(words))


def password_login(server: StubServer, email: str, password: str) -> int:
    body = {"email": email, "password": password}
    return httpx.post(f"{server.base_url}/v1/auth/login", json=body, timeout=5).status_code


def test_link_or_token_and_the_rules_read_as_the_server_says() -> None:
    token = "ISIuwaVSp9fVdpQa8_KLHl8D8w0XTc7RUZ5Sy0WwqoA"
    assert token_from_link(f"paydesk://set-password?token={token}") == token
    assert token_from_link(f"  {token} ") == token
    assert token_from_link("paydesk://set-password?token=") is None
    assert password_problem("Short1", SAM) == "The password needs at least 10 characters."
    assert password_problem("alllowercaseletters", SAM) == (
        "The password needs two of these: lower case, upper case, digits, symbols."
    )
    assert password_problem("Samsamsam-2026", SAM) == 'The password needs no "sam" (your email before the @).'
    assert password_problem("Juniper-Ridge-7", SAM) is None


async def test_sign_up_set_password_then_sign_in_with_it(server) -> None:
    store = MemoryTokenStore()
    app = make_app(server.base_url, store=store, demo=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        login = await on_screen(pilot, LoginScreen)
        login.query_one("#email", Input).value = SAM
        await pilot.press("ctrl+n")
        signup = await on_screen(pilot, SignUpScreen)
        assert signup.query_one("#email", Input).value == SAM, "the email typed on the login screen comes"
        await pilot.press("enter")
        await says(pilot, "a link to set your password is on its way")
        link = latest_link(server, SAM, "signup")
        # The demo inbox watches the address typed here and shows the link.
        inbox = app.screen.query_one(DemoInbox)
        await wait_for(pilot, lambda: link in inbox.render().plain, "the link in the demo inbox", timeout=6)

        await pilot.press("ctrl+t")
        screen = await on_screen(pilot, SetPasswordScreen)
        await pilot.press("ctrl+s")
        await says(pilot, "Paste the link from the email.")
        screen.query_one("#link", Input).value = link
        password = screen.query_one("#password", Input)
        password.value = "short"
        await pilot.press("ctrl+s")
        await says(pilot, "The password needs at least 10 characters.")
        assert app.focused is password
        password.value = "Juniper-Ridge-7"
        screen.query_one("#password-again", Input).value = "Juniper-Ridge-8"
        await pilot.press("ctrl+s")
        await says(pilot, "The two passwords are not the same.")
        assert "Juniper" not in screen_text(app), "passwords never show"

        await pilot.press(*"Juniper-Ridge-7", "enter")
        await on_home(pilot)
        assert app.me is not None and app.me.user.email == SAM
        assert store.load(), "signed in, as after a code"
    assert password_login(server, SAM, "Juniper-Ridge-7") == 200

    # Next time: the password instead of a code; a wrong one is refused in the server's words.
    app = make_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press(*SAM, "ctrl+o")
        screen = await on_screen(pilot, PasswordLoginScreen)
        assert app.focused is screen.query_one("#password", Input)
        await pilot.press(*"Juniper-Ridge-9", "enter")
        await says(pilot, "That email and password do not match.")
        assert screen.query_one("#password", Input).value == ""
        await pilot.press(*"Juniper-Ridge-7", "enter")
        await on_home(pilot)


async def test_forgot_password_resets_it_and_a_used_link_is_refused(server) -> None:
    app = make_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+f")
        forgot = await on_screen(pilot, ForgotPasswordScreen)
        await pilot.press("ctrl+s")
        await says(pilot, "Enter the account number.")
        await pilot.press(*"4100012345", "enter", *DANA, "enter")
        await says(pilot, "a link to reset your password is on its way")
        link = latest_link(server, DANA, "password_reset")
        await pilot.press("ctrl+t")
        screen = await on_screen(pilot, SetPasswordScreen)
        assert screen.email == DANA and forgot.sent_to == DANA
        screen.query_one("#link", Input).value = link
        screen.query_one("#password", Input).value = "Cascade-Water-42"
        screen.query_one("#password-again", Input).value = "Cascade-Water-42"
        await pilot.press("ctrl+s")
        await on_home(pilot)
    assert password_login(server, DANA, "Cascade-Water-42") == 200

    app = make_app(server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        app.push_screen(SetPasswordScreen(DANA))
        screen = await on_screen(pilot, SetPasswordScreen)
        screen.query_one("#link", Input).value = link  # the same link again
        screen.query_one("#password", Input).value = "Another-Pass-43"
        screen.query_one("#password-again", Input).value = "Another-Pass-43"
        await pilot.press("ctrl+s")
        await says(pilot, "To ask: Escape, then Send link.")
        assert "Ask for a new link" not in screen_text(app)  # the server's "ask for a new one" is enough
        assert app.focused is screen.query_one("#link", Input)
    assert password_login(server, DANA, "Another-Pass-43") == 401
