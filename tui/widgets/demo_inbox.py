"""The demo inbox: in `paydesk demo`, the emails the backend sends show up on screen.

`InboxPoller` (one per app) asks the dev outbox every 1.5 s for the address of the person logged in
or logging in, keeps the newest emails on `app.inbox_items`, and raises a toast for each new one.
`DemoInbox` (one per screen, docked at the bottom) shows them, so the 6-digit code can be read off
the screen without a mail client. The poller is given the call that reads the outbox (`ReadOutbox`);
it never reaches for the app's client.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual.markup import escape
from textual.timer import Timer
from textual.widgets import Static

from tui.api import ApiError, OutboxEmail

if TYPE_CHECKING:
    from tui.api import Page
    from tui.app import PaydeskApp

# email address -> the dev outbox's page of emails sent to it, newest first
ReadOutbox = Callable[[str], Awaitable["Page[OutboxEmail]"]]

POLL_SECONDS = 1.5
SHOWN = 3
SLACK_SECONDS = 5
CODE = re.compile(r"\b(\d{6})\b")
LINK = re.compile(r"paydesk://set-password\?token=[A-Za-z0-9_-]+")


def code_in(email: OutboxEmail) -> str | None:
    match = CODE.search(email.body) or CODE.search(email.subject)
    return match.group(1) if match else None


def link_in(email: OutboxEmail) -> str | None:
    """The set-password link of a sign-up or reset email (pasted into the Set password screen)."""
    match = LINK.search(email.body)
    return match.group(0) if match else None


def lead_of(email: OutboxEmail, width: int, code_label: str = "Code") -> str:
    """What matters in an email, as markup: its link, its code, or its first line.

    The link first: six digits inside a token are not a code.
    """
    link = link_in(email)
    if link:
        return f"[b]{escape(link)}[/b]"
    code = code_in(email)
    if code:
        return f"{code_label} [b]{code}[/b]"
    return escape(email.body.strip().splitlines()[0][:width])


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class InboxPoller:
    def __init__(self, app: PaydeskApp, read_outbox: ReadOutbox) -> None:
        self.app = app
        self.read_outbox = read_outbox
        self.address: str | None = None
        self._seen: set[int] = set()
        self._since = dt.datetime.now(dt.UTC)
        self._timer: Timer | None = None
        self._busy = False

    def start(self) -> None:
        self._timer = self.app.set_interval(POLL_SECONDS, self.poll)
        self.poll()

    def watch_address(self, address: str | None) -> None:
        if address == self.address:
            return
        if self.address and address is None:  # signed out: the last person's codes leave the screen
            self.app.clear_notifications()
        self.address = address
        self._seen = set()
        # Mail sent from now on is news; older mail is listed but not announced. (The demo server
        # runs on this machine, so its clock and ours agree; a few seconds of slack cover the rest.)
        self._since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=SLACK_SECONDS)
        self.app.inbox_items = ()
        self.poll()

    def poll(self) -> None:
        if self.address and not self._busy:
            self._busy = True
            self.app.run_worker(self._fetch(self.address), group="demo-inbox", exit_on_error=False)

    async def _fetch(self, address: str) -> None:
        try:
            page = await self.read_outbox(address)
        except ApiError:
            return  # the demo inbox stays quiet; the screens report the server being away
        finally:
            self._busy = False
        if address != self.address:
            return
        items = page.items
        fresh = [item for item in items if item.id not in self._seen and _utc(item.sent_at) >= self._since]
        self._seen.update(item.id for item in items)
        self.app.inbox_items = tuple(items[:SHOWN])
        for item in reversed(fresh):
            text = lead_of(item, 80, code_label="Code:")
            self.app.notify(text, title=f"Demo inbox: {item.subject}", timeout=8, markup=True)


class DemoInbox(Static):
    """The newest emails of the demo inbox, docked at the bottom of each screen."""

    app: PaydeskApp  # type: ignore[assignment]

    def on_mount(self) -> None:
        self.border_title = "Demo inbox"
        self.border_subtitle = "F2 hides"
        self.watch(self.app, "inbox_items", self._show)
        self.watch(self.app, "inbox_visible", self._set_visible)

    def _set_visible(self, visible: bool) -> None:
        self.display = visible

    def _show(self, items: tuple[OutboxEmail, ...]) -> None:
        address = self.app.inbox_email
        self.border_title = f"Demo inbox · {escape(address)}" if address else "Demo inbox"
        if not items:
            self.update("[dim]No emails yet. Emails the server sends to you appear here.[/dim]")
            return
        lines = []
        for item in items:
            sent = item.sent_at.astimezone().strftime("%H:%M")
            # The code or link first: toasts appear over the right-hand side of the panel.
            lines.append(f"{lead_of(item, 40)}  {escape(item.subject)} [dim]{sent}[/dim]")
        self.update("\n".join(lines))
