"""The web server of `paydesk web`: textual-serve's, with Paydesk's page and files (static/,
templates/: nothing from the internet) and three changes.

- The page's URLs follow the address the browser used (textual-serve builds them from --host and
  --port, which is wrong for 0.0.0.0 or port 0).
- A websocket from a page of another site is refused: any page open in the browser could otherwise
  drive a Paydesk session on 127.0.0.1 (cross-site WebSocket hijacking).
- It runs on aiohttp's runner, so it can say the address it really listens on (port 0 picks one)
  and stop cleanly on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server

HERE = Path(__file__).resolve().parent
TITLE = "Paydesk"


class ServeError(Exception):
    """The server could not start (such as a port in use); `str(err)` is one line for stderr."""


def session_command(server_url: str, *, demo: bool, theme: str | None) -> str:
    """The shell command textual-serve runs for each browser session: a new app process."""
    argv = [sys.executable, "-m", "tui.browser.session", "--server", server_url]
    if demo:
        argv.append("--demo")
    if theme:
        argv += ["--theme", theme]
    return shlex.join(argv)


class PaydeskServer(Server):
    def __init__(self, command: str, host: str, port: int) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=TITLE,
            statics_path=HERE / "static",
            templates_path=HERE / "templates",
        )
        self.sessions: set[asyncio.Task[Any]] = set()

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo here; `serve` says where it listens instead."""

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        base = f"{request.scheme}://{request.host}"
        websocket = ("wss:" if request.scheme == "https" else "ws:") + base.split(":", 1)[1]
        font_size = request.query.get("fontsize", "16")
        return {
            "font_size": int(font_size) if font_size.isdigit() else 16,
            "app_websocket_url": f"{websocket}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="This Paydesk session belongs to another page.")
        task = asyncio.current_task()
        assert task is not None
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def end_sessions(self) -> None:
        """Tell every session's app to quit and wait for it (textual-serve does so when a handler is
        cancelled); without this, stopping waits on each open page's websocket."""
        tasks = list(self.sessions)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def serve(host: str, port: int, server_url: str, *, demo: bool, theme: str | None) -> int:
    """Serve until Ctrl+C or SIGTERM; returns the exit status."""
    server = PaydeskServer(session_command(server_url, demo=demo, theme=theme), host, port)
    try:
        # The demo's backend address too: its dev endpoints (the outbox, the clock) are for people too.
        what = f"the Paydesk demo (backend {server_url})" if demo else f"Paydesk (server {server_url})"
        return asyncio.run(_serve(server, host, port, what))
    except KeyboardInterrupt:
        return 0


async def _serve(server: PaydeskServer, host: str, port: int, what: str) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(await server._make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            reason = "it is in use" if exc.errno in (98, 48) else exc.strerror or str(exc)
            raise ServeError(f"cannot listen on {host} port {port}: {reason}.") from None
        bound = runner.addresses[0]
        shown_host = f"[{bound[0]}]" if ":" in str(bound[0]) else bound[0]
        print(f"paydesk web: serving {what} on http://{shown_host}:{bound[1]}/ (Ctrl+C stops it)", flush=True)
        await stop.wait()
        await server.end_sessions()
    finally:
        await runner.cleanup()
    return 0
