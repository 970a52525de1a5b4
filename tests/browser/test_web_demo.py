"""`paydesk web --demo` in Debian's Chromium, driven by Playwright: sign in through the demo inbox and
see the balance on home, as a person in a browser does.

The terminal in the page draws on a canvas (xterm.js's WebGL renderer), so there is no text in the
DOM to read: the test reads what the page's terminal is given (the websocket's frames) into a pyte
screen of the terminal's size, and types with the page's keyboard.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium (Debian's chromium package; .ci/run installs it): the browser test needs it",
        allow_module_level=True,
    )
playwright_sync = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
pyte = pytest.importorskip("pyte")

from tests.conftest import login  # noqa: E402
from tui.money import format_cents  # noqa: E402

LEE = "lee@example.com"
SERVING = re.compile(r"serving the Paydesk demo \(backend (http://\S+)\) on (http://\S+) ")
CODE = re.compile(r"[Cc]ode:? (\d{6})(?!\d)")  # the inbox's "Code: 123456", not the input's 000000
START_SECONDS = 90.0
WAIT_SECONDS = 45.0


class PageTerminal:
    """The screen of the page's terminal, rebuilt from the bytes the page receives."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()

    def attach(self, websocket: Any) -> None:
        query = parse_qs(urlsplit(websocket.url).query)
        self.resize(int(query.get("width", ["80"])[0]), int(query.get("height", ["24"])[0]))
        websocket.on("framereceived", self.received)
        websocket.on("framesent", self.sent)

    def resize(self, width: int, height: int) -> None:
        with self.lock:
            self.screen.resize(height, width)

    def received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            with self.lock:
                self.stream.feed(payload)

    def sent(self, payload: bytes | str) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.resize(size["width"], size["height"])

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.screen.display)


def wait_for(page: Any, terminal: PageTerminal, condition: Callable[[str], Any], what: str) -> Any:
    """Poll the screen until `condition(text)` is truthy; the page's events run while it waits."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        text = terminal.text()
        result = condition(text)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the page's terminal shows:\n{text}")
        page.wait_for_timeout(50)  # lets Playwright deliver the frames that arrived meanwhile


@pytest.fixture(scope="module")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`paydesk web --demo` as a process on a free port: (the page's URL, the demo backend's URL)."""
    exe = shutil.which("paydesk", path=str(Path(sys.executable).parent))
    assert exe, "the paydesk console script is not installed"
    tmp = tmp_path_factory.mktemp("web")
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [exe, "web", "--demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                assert process.poll() is None, f"paydesk web stopped: {''.join(seen)}"
                assert time.monotonic() < deadline, f"paydesk web did not start: {''.join(seen)}"
                continue
            seen.append(line)
            if match := SERVING.search(line):
                backend, page = match.group(1), match.group(2)
                break
        yield page, backend
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, f"paydesk web should stop cleanly on SIGTERM: {''.join(seen)}"


def open_session(browser: Any, url: str) -> tuple[Any, PageTerminal, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    terminal = PageTerminal()
    requested: list[str] = []
    page.on("websocket", terminal.attach)
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url)
    wait_for(page, terminal, lambda s: "Sign in" in s, "the sign-in screen")
    page.wait_for_selector("body.-first-byte .xterm-screen canvas")  # the page draws the terminal
    return page, terminal, requested


def test_sign_in_through_the_demo_inbox_in_chromium_and_see_the_balance(web_demo) -> None:
    url, backend = web_demo
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page, terminal, requested = open_session(browser, url)
            page.locator(".xterm-helper-textarea").focus()  # what a click on the terminal does
            page.keyboard.type(LEE)
            page.keyboard.press("Enter")
            code = wait_for(page, terminal, lambda s: (m := CODE.search(s)) and m.group(1), "the code")
            page.keyboard.type(code)  # six digits submit the code by themselves
            home = wait_for(page, terminal, lambda s: "Balance Due" in s and s, "the home screen")

            token = login(backend, LEE)  # the expected balance is the server's, read after the app's sign-in
            headers = {"Authorization": f"Bearer {token}"}
            account = httpx.get(f"{backend}/v1/me", headers=headers, timeout=10).json()["accounts"][0]
            summary = httpx.get(
                f"{backend}/v1/accounts/{account['id']}/summary", headers=headers, timeout=10
            ).json()
            balance = format_cents(summary["balance_due_cents"])
            home = wait_for(page, terminal, lambda s: balance in s and s, f"the balance {balance}")
            assert account["account_number"] in home or "Okafor" in home

            # every file the page loaded came from paydesk web itself: nothing from the internet
            outside = [u for u in requested if not u.startswith((origin, "ws://", "data:", "blob:"))]
            assert not outside, outside
            assert any(u.endswith("/static/js/textual.js") for u in requested)

            # a second tab is a session of its own: it signs in for itself
            _, second, _ = open_session(browser, url)
            assert "Balance Due" not in second.text()
        finally:
            browser.close()


def test_a_page_of_another_site_cannot_open_a_session(web_demo) -> None:
    url, _ = web_demo
    ws_url = "ws" + url.removeprefix("http").rstrip("/") + "/ws"
    response = httpx.get(
        ws_url.replace("ws://", "http://"),
        headers={
            "Origin": "http://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
        timeout=10,
    )
    assert response.status_code == 403
