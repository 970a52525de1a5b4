"""App test fixtures: one token per user for the whole session (login codes are rate limited per
email: at most 5 requests in 15 minutes), and the screen as text for assertions."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from tests.conftest import login
from tests.support.stub import StubServer, serve_stub
from tui.app import PaydeskApp
from tui.credentials import MemoryTokenStore
from tui.screens.home import HomeScreen


@pytest.fixture(scope="session")
def tokens(live_server: StubServer) -> dict[str, str]:
    """Lazily logs each user in once on the shared server; tests that log out use their own user."""

    class Tokens(dict):
        def __missing__(self, email: str) -> str:
            self[email] = login(live_server.base_url, email)
            return self[email]

    return Tokens()


def api_get(server: StubServer, token: str, path: str, **params: Any) -> Any:
    """What the server says, read directly: the expected values of a test come from here."""
    response = httpx.get(
        f"{server.base_url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def make_app(
    server_url: str, token: str | None = None, *, store: MemoryTokenStore | None = None, **kwargs: Any
) -> PaydeskApp:
    """The app with its token in memory only: tests never touch a keyring or a token file."""
    return PaydeskApp(server_url, token_store=store or MemoryTokenStore(token), **kwargs)


def screen_text(app: PaydeskApp) -> str:
    """The text of the whole screen as the person sees it (notifications included), line by line."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


# A deadline, not a pause: a wait ends the moment its condition holds. It is generous because the
# machines are shared and busy (two test workers, each with its server and app, on two cores).
WAIT_SECONDS = 30.0


async def wait_for(pilot: Any, condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll until `condition()` is truthy (the app keeps running meanwhile); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # a widget not mounted yet, a query with no match yet
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            text = screen_text(pilot.app)
            raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
        await pilot.pause(0.05)


async def wait_for_text(pilot: Any, needle: str, timeout: float = WAIT_SECONDS) -> str:
    return await wait_for(
        pilot, lambda: needle in (t := screen_text(pilot.app)) and t, f"{needle!r} on screen", timeout
    )


async def on_screen(pilot, screen_type: type) -> Any:
    """Wait until a screen of this type is on top and mounted (its widgets exist)."""
    app = pilot.app
    await wait_for(
        pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted, screen_type.__name__
    )
    return app.screen


async def on_home(pilot) -> HomeScreen:
    """Wait until the home screen shows its balance and its first tab's rows."""
    app = pilot.app
    await on_screen(pilot, HomeScreen)
    await wait_for(pilot, lambda: "Balance Due" in screen_text(app) and not _busy(app), "home data")
    return app.screen


def _busy(app: PaydeskApp) -> bool:
    screen = app.screen
    card_loading = any(w.loading for w in screen.query("BalanceCard"))
    table = screen.current_table() if isinstance(screen, HomeScreen) else None
    return card_loading or (table is not None and (table.loading_more or not table.started))


@pytest.fixture(autouse=True)
def _steady_cursor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots see a focused field's cursor, always: its blink flips every 0.5 s, so a picture taken
    later than that after focusing (a loaded machine) caught it off half the time."""
    if "snap_compare" not in request.fixturenames:
        return
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def pay_server(tmp_path) -> Iterator[StubServer]:
    """A fresh demo backend on SQLite for a test that pays (paying changes balances and limits)."""
    with serve_stub(f"sqlite:///{tmp_path / 'pay.db'}", tmp_path, seed="demo") as server:
        yield server


def api_post(server: StubServer, token: str, path: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


# ---- shared steps of the app tests: who is signed in, what a toast said, where a screen is ----------


def customer(server: StubServer, email: str) -> tuple[str, int]:
    """A customer signed in on the server: their token and their (first) account's id."""
    token = login(server.base_url, email)
    return token, api_get(server, token, "/v1/me")["accounts"][0]["id"]


def toasts(app: PaydeskApp) -> list[str]:
    """The notifications showing now, as their text."""
    return [str(note.message) for note in app._notifications]


async def said(pilot: Any, sentence: str) -> None:
    """Wait until a toast says exactly this sentence."""
    await wait_for(pilot, lambda: sentence in toasts(pilot.app), repr(sentence))


async def paste(pilot: Any, field: Any, text: str) -> None:
    """What the terminal sends for a paste, to `field` (focused first)."""
    from textual import events

    field.focus()
    await pilot.pause()
    field.post_message(events.Paste(text))
    await pilot.pause()


async def open_from_home(pilot: Any, key: str, screen_type: type) -> Any:
    """Home with its data, then `key`: the screen it opens, mounted."""
    await on_home(pilot)
    await pilot.press(key)
    return await on_screen(pilot, screen_type)


async def open_past_due_invoice(pilot: Any) -> Any:
    """From home, Enter on the first past-due invoice of the Open tab: its detail, loaded."""
    from tui.screens.invoice_detail import InvoiceDetailScreen
    from tui.widgets.invoice_table import InvoiceTable

    home = await on_home(pilot)
    table = home.query_one("#invoices-open", InvoiceTable)
    past_due = next(i for i, row in enumerate(table.rows) if row.past_due)
    table.table.move_cursor(row=past_due)
    await pilot.press("enter")
    detail = await on_screen(pilot, InvoiceDetailScreen)
    await wait_for(pilot, lambda: detail.invoice is not None, "the invoice")
    return detail


def detail_message(detail: Any) -> str:
    """The line under an invoice's detail that says what `d` or `P` did."""
    return str(detail.query_one("#detail-message").content)


def downloads_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, made: bool = True) -> Path:
    """The folder `d` saves into (PAYDESK_DOWNLOAD_DIR), made already unless `made` is False."""
    downloads = tmp_path / "Downloads"
    if made:
        downloads.mkdir()
    monkeypatch.setenv("PAYDESK_DOWNLOAD_DIR", str(downloads))
    return downloads


def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `lp` on PATH that writes what it was given (its arguments, then the file's first 4 bytes) to the
    file returned: what `P` printed, without a printer."""
    import stat

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    printed = tmp_path / "printed.txt"
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {printed}\nhead -c 4 "$1" >> {printed}\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return printed


async def save_pdf_over_a_file(pilot: Any) -> Any:
    """`d`, then Enter on the path offered, when a file of that name is there: the question it asks."""
    from tui.screens.dialogs import PathDialog
    from tui.screens.replace_file import ReplaceFileDialog

    await pilot.press("d")
    await on_screen(pilot, PathDialog)
    await pilot.press("enter")
    return await on_screen(pilot, ReplaceFileDialog)
