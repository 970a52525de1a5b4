"""Contact us: the business's phone number, a message sent, and the server's thank-you on screen.

Sending a message changes data (it is stored and emailed), so the backend is this module's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from textual.widgets import Input, TextArea

from tests.app.conftest import make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.screens.contact import ContactScreen
from tui.screens.home import HomeScreen

SIZE = (100, 40)
DANA = "dana@example.com"
SUPPORT = "support@paydesk.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StubServer]:
    workdir = tmp_path_factory.mktemp("contact")
    with serve_stub(f"sqlite:///{workdir / 'contact.db'}", workdir, seed="demo") as stub:
        yield stub


def outbox(server: StubServer, to: str) -> list[dict]:
    return httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": to}, timeout=5).json()["items"]


async def test_contact_us_sends_the_message_and_shows_the_confirmation(server) -> None:
    app = make_app(server.base_url, login(server.base_url, DANA))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        await pilot.press("c")
        screen = await on_screen(pilot, ContactScreen)
        assert "1-800-555-0142" in screen_text(app), "the business phone is on screen before anything is sent"
        assert app.focused is screen.query_one("#subject", Input)

        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "Enter the subject.")
        await pilot.press(*"Meter reading", "enter")
        assert app.focused is screen.query_one("#message-body", TextArea)
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "Write your message before sending it.")

        body = screen.query_one("#message-body", TextArea)
        body.insert("My meter reads 48,301 today.\nPlease check INV-2026-00130.")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "we received your message")
        assert screen.query_one("#subject", Input).value == "", "the form is empty for another message"

        sent = [item for item in outbox(server, SUPPORT) if item["kind"] == "contact"]
        assert sent and sent[0]["subject"] == "[4100012345] Meter reading"
        assert "48,301" in sent[0]["body"]
        acks = [item for item in outbox(server, DANA) if item["kind"] == "contact_ack"]
        assert acks, "the customer gets a copy"

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "back home")


async def test_the_demo_inbox_toast_shows_a_subject_as_typed(server) -> None:
    """A subject "[bold]" is words, not markup: the toast of its thank-you says "[bold]", no backslash."""
    app = make_app(server.base_url, login(server.base_url, DANA), demo=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_home(pilot)
        app.inbox_email = DANA  # what signing in does in the demo
        await pilot.press("c")
        screen = await on_screen(pilot, ContactScreen)
        await pilot.press(*"[bold]", "enter")
        screen.query_one("#message-body", TextArea).insert("Markup in a subject.")
        await pilot.press("ctrl+s")
        await wait_for_text(pilot, "we received your message")

        def toast_with_subject() -> str:
            texts = [toast.render().plain for toast in app.screen.query("Toast")]
            return next((text for text in texts if "[bold]" in text), "")

        toast = await wait_for(pilot, toast_with_subject, "the thank-you's toast")
        assert "\\[bold]" not in toast
