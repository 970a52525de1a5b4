"""PaydeskApp: the screens, the app-wide keys, the command palette and the one error handler.

What screens ask of the app is this small typed surface (screens see `app: PaydeskApp`): read
`client`, `me`, `demo` and `call` (the clerk's call in progress, tui/screens/clerk/call.py); call
`signed_in`, `reset_to`, `end_guest`, `switch_account`, `open_guest_lookup`, `open_clerk_search`,
`open_wrap_up`, `unlocked` and `sign_in_as_someone_else`; failed workers reach `report_error` through
`tui.workers.ReportsWorkerErrors`. Widgets get none of it: they are given what they load.

The idle lock: every key the person presses is noted (`on_event`); a timer locks the screen after
`idle_lock_minutes` without one (tui/config.py), and a clerk's `session_idle` answer locks it too.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape
from textual.reactive import var
from textual.screen import Screen
from textual.theme import ThemeProvider

# Only the light error types here: the client and its pydantic models load on first use, so the
# login screen draws without paying for them (see DESIGN.md's performance notes).
from tui.api.errors import ApiError, NotAuthenticated, ServerUnavailable, SessionIdle
from tui.kept_css import KeptStylesheet
from tui.screens.clerk.call import Call
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from tui.api import AccountRef, Me, Note, OutboxEmail, PaydeskClient, Session
    from tui.collector import FullPasses
    from tui.credentials import TokenStoreLike
    from tui.screens.clerk.lock import LockScreen

# How often the idle lock looks at the time since the last key.
IDLE_TICK_SECONDS = 0.25

# Every screen's rules but the sign-in screen's (CSS_PATH, start.tcss, has those): parsed after the
# first frame, or before the first other screen, so the sign-in screen never waits for them.
SCREENS_CSS = Path(__file__).with_name("app.tcss")
SCREENS_CSS_DELAY = 0.05  # seconds after the sign-in screen's first frame


# Actions the system commands already offer: not repeated by the screen's own provider.
_NOT_REPEATED = {"quit", "command_palette", "toggle_help", "app.quit", "app.command_palette"}


class ScreenCommands(Provider):
    """Every key of the current screen is also a command, plus the screen's extra commands."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.screen
        found: dict[str, tuple[str, str, Callable[[], Any]]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            # Only Paydesk's own bindings carry an id; Textual's cursor keys are not commands.
            if binding.id is None or not active.enabled or binding.action in _NOT_REPEATED:
                continue
            if binding.description and binding.description not in found:
                run = partial(self.app.run_action, binding.action, active.node)
                found[binding.description] = (binding.description, binding.tooltip, run)
        extra = getattr(screen, "extra_commands", None)
        if callable(extra):
            for name, help_text, callback in extra():
                found.setdefault(name, (name, help_text, callback))
        return list(found.values())

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)


class SavedThemeProvider(ThemeProvider):
    """The palette's theme list; the theme picked there is also saved for the next start."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        app = self.app
        chosen = getattr(app, "theme_chosen", None)

        def choose(name: str) -> None:
            app.theme = name
            if callable(chosen):
                chosen(name)

        return [(name, partial(choose, name)) for name in sorted(app.available_themes)]


class PaydeskApp(ReportsWorkerErrors, App[None]):
    """The Paydesk terminal portal: customers see their invoices, clerks find an account."""

    CSS_PATH = "start.tcss"
    TITLE = "Paydesk"
    COMMANDS: ClassVar = App.COMMANDS | {ScreenCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # Clerks, listed first so the footer shows them before the rest at 80 columns. No Input or
        # TextArea uses these keys, so they work from any field of any screen; a priority binding
        # reaches past a dialog too (a modal screen hides the app's other bindings). When they do not
        # apply (a customer, the lock) the action skips and the key goes on (the login's own Ctrl+N).
        Binding(
            "ctrl+n",
            "new_call",
            "New call",
            id="app.new_call",
            tooltip="End this call: close the account and forget every trace of the caller",
            priority=True,
        ),
        Binding(
            "f4",
            "wrap_up",
            "Wrap-up",
            id="app.wrap_up",
            tooltip="Write the call's note and how it ended (from any screen of the call)",
            priority=True,
        ),
        Binding(
            "f1,question_mark",
            "toggle_help",
            "Keys",
            id="app.keys",
            tooltip="Show or hide the keys of this screen",
        ),
        Binding("ctrl+l", "logout", "Log out", id="app.logout", tooltip="Sign out and forget this session"),
        Binding(
            "f2",
            "toggle_inbox",
            "Inbox",
            id="app.demo_inbox",
            tooltip="Show or hide the demo inbox (the emails the server sends you)",
        ),
        Binding(
            "f3",
            "advance_clock",
            "Clock",
            id="app.demo_clock",
            tooltip="Demo: move the backend's clock forward (due dates, settlement, returns follow it)",
        ),
    ]

    # The demo inbox: the address to watch and what arrived there (newest first).
    inbox_email: var[str | None] = var(None)
    inbox_items: var[tuple[OutboxEmail, ...]] = var(())
    inbox_visible: var[bool] = var(True)

    def __init__(
        self,
        server_url: str,
        *,
        demo: bool = False,
        token_store: TokenStoreLike | None = None,
        client: PaydeskClient | None = None,
        save_theme: bool = True,
    ) -> None:
        super().__init__()
        # Rules parsed by an earlier start are taken, not parsed again (tui/kept_css.py).
        self.stylesheet = KeptStylesheet(variables=self.stylesheet._variables)
        self.server_url = server_url
        self.demo = demo
        # False under `paydesk web`: the person in the browser may not be the machine's user.
        self.save_theme = save_theme
        self._client = client
        self.token_store: TokenStoreLike = (
            token_store if token_store is not None else _default_store(server_url, demo)
        )
        self.me: Me | None = None
        self._unavailable_open = False
        self._retry_sources: list[ReportsWorkerErrors] = []
        self._inbox_poller: Any = None
        # The clerk's call in progress: the one place the app keeps the caller's account and payments.
        self.call = Call()
        self._last_key = time.monotonic()
        self.full_passes: FullPasses | None = None  # when the app owns the collector (on_mount)
        # Seconds without a key before the lock (None: nobody signed in); set at sign-in from the config.
        self.idle_lock_seconds: float | None = None
        self._lock_screen: LockScreen | None = None
        self._idle_sources: list[ReportsWorkerErrors] = []
        self._screens_css_read = False
        self._css_after_frame: Screen[Any] | None = None  # the screen whose first frame reads app.tcss
        self._held_frame: Screen[Any] | None = None  # a frame asked for inside a batch (hold_frame)
        self._keyring_after_frame = False  # the keyring is asked once the first frame is written
        self.in_start_batch = True  # Textual's batch from the app's Compose to its Ready (_end_batch)
        self._update_subtitle()

    @property
    def client(self) -> PaydeskClient:
        """The one HTTP client, made when first needed."""
        if self._client is None:
            from tui.api.client import PaydeskClient

            self._client = PaydeskClient(self.server_url)
        return self._client

    # ---- start, sign in, sign out -------------------------------------------------------------

    def on_mount(self) -> None:
        # What is loaded by now (the modules, the parsed stylesheet) lives as long as the app: left out
        # of the collector's full passes, which otherwise scan it all and stall a frame by 30-60 ms
        # (a held PageDown's slowest frames). `paydesk` starts with collection off: on after the
        # first frame. An app started otherwise (a test's pilot, many apps in one process) leaves the
        # collector alone, so one app's garbage is never frozen for the rest of the process.
        if not gc.isenabled():
            gc.freeze()
            self.call_after_refresh(gc.enable)
            # And its full passes run between keys, not inside a frame (tui/collector.py).
            from tui.collector import CHECK_EVERY, FullPasses

            self.full_passes = FullPasses(lambda: self._last_key)
            self.full_passes.start()
            self.set_interval(CHECK_EVERY, self.full_passes.tick, name="full collector passes")
        self.apply_config_keymap()
        if self.demo:
            from tui.widgets.demo_inbox import InboxPoller

            # The client is made on the first poll, not here: the login screen draws first.
            # Its polls are background requests: they never keep a clerk's session alive.
            self._inbox_poller = InboxPoller(
                self, lambda address: self.client.outbox(address, background=True)
            )
            self._inbox_poller.start()
        self.set_interval(IDLE_TICK_SECONDS, self._check_idle)
        may_hold_token = getattr(self.token_store, "may_hold_token", None)
        if callable(may_hold_token) and not may_hold_token():
            # Nothing stored, as far as can be told without the keyring: the sign-in screen draws
            # first, and the keyring (an import and a backend probe) is asked after that frame.
            self._first_screen_login()
            # Started once the sign-in screen's first frame is written (_display): a screen's
            # after-refresh callbacks run inside the start batch before any frame, and the keyring's
            # import in its thread took the GIL from that frame.
            self._keyring_after_frame = True
            return
        self._tell_session_notice(self.token_store.notice)
        token = self.token_store.load()
        if token:
            self._resume_with(token, self.push_screen)
        else:
            self._first_screen_login()

    def _first_screen_login(self) -> Screen[Any]:
        """The sign-in screen as the first screen: it draws with start.tcss alone, and app.tcss is
        read a moment after its first frame."""
        from tui.screens.login import LoginScreen

        login = LoginScreen()
        self.push_screen(login)
        self._css_after_frame = login
        return login

    # ---- the stylesheet: the first frame's rules at start, every other screen's before it shows ----

    def read_screens_css(self, screen: Screen[Any] | None = None) -> None:
        """Add app.tcss (every screen's rules but the sign-in screen's) to the stylesheet, once.

        Only that file is parsed (the stylesheet keeps the rules it parsed before) and nothing on
        screen is styled again: none of its rules matches a node of the sign-in screen (start.tcss's
        header says so). A `screen` about to be shown that is registered already is styled again;
        one that is not gets the new rules when it is registered."""
        if self._screens_css_read:
            return
        self._screens_css_read = True
        stylesheet = self.stylesheet
        stylesheet.read(SCREENS_CSS)
        stylesheet.parse()
        if screen is not None and screen.is_attached:
            stylesheet.update(screen)
        if isinstance(stylesheet, KeptStylesheet):  # Textual's CSS reload (--dev) makes a plain one
            stylesheet.save_kept()  # the start's rules and app.tcss's, for the next start

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        super()._display(screen, renderable)
        # The sign-in screen's first frame is on its way to the terminal (Textual 8.2.8's _display
        # writes it unless an update is batched): the other screens' rules come a moment later, never
        # in its way, and not on a clock that could run out before that frame (a screen shown before
        # then reads them first).
        if screen is self._css_after_frame and renderable is not None and not self._batch_count:
            self._css_after_frame = None
            self.set_timer(SCREENS_CSS_DELAY, self.read_screens_css)
            if isinstance(self.stylesheet, KeptStylesheet):
                self.stylesheet.save_kept()  # the first frame's rules, for the next start: after it
            if self._keyring_after_frame:
                self._keyring_after_frame = False
                self.call_later(self._look_in_keyring)

    def get_default_screen(self) -> Screen[Any]:
        # Textual's default screen (always under the others, never shown), styled once at start as
        # PaydeskScreen is: its first showing restyled it and its toast rack for nothing.
        from tui.screens.base import StyledOnce

        return StyledOnce(id="_default")

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        # A node not in the DOM yet is styled as it is registered: styling it now (a Button sets its
        # variant's and compact classes in __init__, two full passes each) is work thrown away.
        if node is not self and node._parent is None:
            return
        super().update_styles(node, animate)

    def hold_frame(self, screen: Screen[Any]) -> None:
        """`screen` asked for a frame inside a batch, which Textual would render only to drop: it is
        drawn once the batch ends (with everything that became dirty meanwhile)."""
        self._held_frame = screen

    def _end_batch(self) -> None:
        super()._end_batch()
        if not self._batch_count:
            self.in_start_batch = False
        if not self._batch_count and self._held_frame is not None:
            screen, self._held_frame = self._held_frame, None
            if screen is self.screen:
                screen._repaint_required = True
                screen.check_idle()

    def _before_screen(self, screen: Screen[Any] | str) -> None:
        # Any screen but the sign-in screen may use app.tcss: read it before the screen is registered
        # (and so styled) when the first frame has not read it yet.
        if not self._screens_css_read and getattr(screen, "STYLED_AT_START", False) is not True:
            self.read_screens_css(screen if isinstance(screen, Screen) else None)

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self._before_screen(screen)
        return super().push_screen(screen, *args, **kwargs)

    def switch_screen(self, screen: Any) -> Any:  # type: ignore[override]
        self._before_screen(screen)
        return super().switch_screen(screen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="keyring")
    def _look_in_keyring(self) -> None:
        """After the first frame, off the UI thread (a keyring may answer slowly over D-Bus): the
        token file's notice, and a token saved to the keyring before the app kept a note of it."""
        store = self.token_store
        notice = store.notice
        token = store.load()
        if token:
            store.save(token)  # notes it, so the next start checks the session at once
        self.call_from_thread(self._keyring_answered, notice, token)

    def _keyring_answered(self, notice: str | None, token: str | None) -> None:
        self._tell_session_notice(notice)
        from tui.screens.login import LoginScreen

        signing_in = self.me is not None or (self._client is not None and self._client.token)
        if token and not signing_in and isinstance(self.screen, LoginScreen):
            self._resume_with(token, self.reset_to)

    def _tell_session_notice(self, notice: str | None) -> None:
        if notice:
            self.notify(notice, title="Your session", timeout=10)

    def _resume_with(self, token: str, show: Callable[[Screen[Any]], object]) -> None:
        """Remember me: check the stored `token` with the server behind the starting screen (`show`n by
        pushing it or replacing what is there)."""
        from tui.screens.starting import StartingScreen

        self.client.token = token
        show(StartingScreen())
        self.resume_session()

    @work(exclusive=True, exit_on_error=False, group="session")
    async def resume_session(self) -> None:
        """Remember me: a stored token the server still accepts skips the login."""
        me = await self.client.me()
        self.signed_in(me)

    def retry(self) -> None:
        # The app's own worker is the session check at start.
        if self.client.token:
            self.resume_session()

    def signed_in(self, me: Me, token: str | None = None) -> None:
        """Called with the server's `me` once a token works: go to the person's first screen."""
        if token is not None:
            self.token_store.save(token)
        self.me = me
        self.inbox_email = me.user.email
        self._update_subtitle()
        self.call = Call()
        self.idle_lock_seconds = _idle_lock_seconds(clerk=me.user.is_clerk)
        self._last_key = time.monotonic()
        if me.user.is_clerk:
            from tui.screens.clerk.search import ClerkSearchScreen

            self.reset_to(ClerkSearchScreen())
        else:
            from tui.screens.home import HomeScreen

            self.reset_to(HomeScreen(me.accounts[0] if me.accounts else None))

    def action_logout(self) -> None:
        self.sign_out()

    @work(exclusive=True, exit_on_error=False, group="session")
    async def sign_out(self) -> None:
        # The session ends here either way: the client forgets the token even when the server is away.
        with contextlib.suppress(ApiError):
            await self.client.logout()
        self.token_store.clear()
        self.client.token = None
        self._back_to_login("You are signed out.")

    @work(exclusive=True, exit_on_error=False, group="session")
    async def end_guest(self, message: str) -> None:
        """A one-time payment session ends: the server forgets the guest token; the login screen returns."""
        with contextlib.suppress(ApiError):
            await self.client.logout()
        self.client.token = None
        self._back_to_login(message)

    def _back_to_login(self, message: str, severity: str = "information") -> None:
        from tui.screens.login import LoginScreen

        self.me = None
        self.call = Call()
        self.idle_lock_seconds = None
        self._lock_screen = None
        self._update_subtitle()
        self.inbox_email = None  # the demo inbox forgets the last person's emails (and their toasts)
        self.reset_to(LoginScreen())
        self.notify(message, severity=severity)  # type: ignore[arg-type]

    def reset_to(self, screen: Screen[Any]) -> None:
        """Make `screen` the only screen above the default one (after sign in or sign out)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def switch_account(self, account: AccountRef) -> None:
        """Another of the person's accounts: its home replaces what is on screen."""
        from tui.screens.home import HomeScreen

        self.reset_to(HomeScreen(account))

    def open_guest_lookup(self) -> None:
        """Pay without an account. The app opens the guest screens, so the login never imports them
        (guest -> pay -> the login would make an import circle)."""
        from tui.screens.guest import GuestLookupScreen

        self.push_screen(GuestLookupScreen())

    def is_clerk(self) -> bool:
        return self.me is not None and self.me.user.is_clerk

    def _update_subtitle(self) -> None:
        who = ""
        if self.me is not None:
            user = self.me.user
            who = f"{user.name} (clerk)" if user.is_clerk else user.name
        parts = [p for p in ("DEMO" if self.demo else "", who) if p]
        self.sub_title = " · ".join(parts) if parts else "Not signed in"

    # ---- keys and theme of one's own (config.toml) ---------------------------------------------

    def apply_config_keymap(self) -> None:
        """config.toml's [keymap], applied with set_keymap; what cannot be applied is one warning."""
        from tui.config import ConfigError, config_path, load_config
        from tui.keymap import check_keymap

        try:
            config = load_config()
        except ConfigError:
            return  # the CLI reports a broken config file before the app starts
        keymap, problems = check_keymap(config.keymap)
        problems = [*config.keymap_problems, *problems]
        if keymap:
            self.set_keymap(keymap)
        if problems:
            self.notify(
                escape("; ".join(problems) + "."),
                title=f"[keymap] in {config_path()}: left out",
                severity="warning",
                timeout=15,
            )

    def search_themes(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(CommandPalette(providers=[SavedThemeProvider], placeholder="Search for themes…"))

    def theme_chosen(self, name: str) -> None:
        """Picked in the palette: kept in config.toml for the next start (the rest of the file stays)."""
        if not self.save_theme:
            return
        from tui.config import ConfigError, save_setting

        try:
            save_setting("theme", name)
        except (ConfigError, OSError) as exc:
            self.notify(escape(f"The theme is not saved: {exc}"), title="Theme", severity="warning")

    # ---- the one error handler ---------------------------------------------------------------

    def report_error(self, error: BaseException, source: Any = None) -> None:
        """Every failed worker ends here: a clear message, never a traceback or a frozen screen."""
        if isinstance(error, SessionIdle):
            # The server ended a clerk's idle session: ask to unlock, keeping the call's screens.
            if source is not None and source is not self and source not in self._idle_sources:
                self._idle_sources.append(source)
            self.lock(str(error))
        elif isinstance(error, NotAuthenticated):
            self.token_store.clear()
            self.client.token = None
            self._back_to_login("Your session has ended. Sign in again to continue.", "warning")
        elif isinstance(error, ServerUnavailable):
            self.show_unavailable(str(error), source)
        elif isinstance(error, ApiError):
            shown = source is not None and source is not self and source.show_api_error(error)
            if not shown:
                self.notify(escape(str(error)), title=_title_for(error), severity="error", timeout=8)
        else:
            # A bug in the app: say so plainly, keep the app running, keep details in the log.
            self.log.error("worker failed", error=repr(error))
            self.notify(
                f"Something went wrong in Paydesk ({type(error).__name__}). Try again.",
                title="Unexpected error",
                severity="error",
                timeout=8,
            )

    def show_unavailable(self, message: str, source: Any) -> None:
        """One dialog however many workers failed; Retry asks each of them again."""
        if source is not None and source not in self._retry_sources:
            self._retry_sources.append(source)
        if self._unavailable_open:
            return
        from tui.screens.unavailable import UnavailableScreen

        self._unavailable_open = True
        self.push_screen(UnavailableScreen(message), self._after_unavailable)

    def _after_unavailable(self, retry: bool | None) -> None:
        self._unavailable_open = False
        sources, self._retry_sources = self._retry_sources, []
        if not retry:
            from tui.screens.starting import StartingScreen

            if isinstance(self.screen, StartingScreen):
                # Nothing to show without the server: offer the login, which can retry by itself.
                from tui.screens.login import LoginScreen

                self.reset_to(LoginScreen())
            return
        for source in sources:
            if source is self or getattr(source, "is_attached", True):
                source.retry()

    # ---- keys, help, commands ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.me is not None
        if action in ("toggle_inbox", "advance_clock"):
            return self.demo
        if action == "new_call":
            return self.is_clerk() and not self.locked
        if action == "wrap_up":
            return self.is_clerk() and not self.locked and self.call.opened
        return True

    def action_toggle_help(self) -> None:
        from textual.widgets import HelpPanel  # it pulls in Markdown: load it when first asked for

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_inbox(self) -> None:
        self.inbox_visible = not self.inbox_visible

    def action_advance_clock(self) -> None:
        self.move_demo_clock()

    @work(exclusive=True, exit_on_error=False, group="demo_clock")
    async def move_demo_clock(self) -> None:
        """Ask how far, move the backend's clock, then reload what is on screen."""
        from tui.screens.demo_clock import DemoClockDialog
        from tui.widgets.formatting import format_date

        today = await self.client.clock(advance_days=0)
        days = await self.push_screen_wait(DemoClockDialog(format_date(today)))
        if days is None:
            return
        today = await self.client.clock(advance_days=days)
        self.notify(f"The demo clock now reads {format_date(today)}.", title="Demo clock")
        if hasattr(self.screen, "action_refresh"):
            self.screen.action_refresh()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        # "Log out" and the screen's own keys come from ScreenCommands (every binding is a command).
        if self.me is not None and not self.locked:
            yield SystemCommand("Lock screen", "Lock now: nothing of the account stays on screen", self.lock)
        if self.is_clerk() and not self.locked:
            yield SystemCommand(
                "Find an account",
                "A new call: search by account number and last name, or email",
                self.open_clerk_search,
            )
            yield SystemCommand("My actions today", "Your own audited actions today", self.open_my_audit)

    def open_clerk_search(self) -> None:
        """Clerks only: customers never see this screen (and the server would refuse them anyway).
        A new search is a new call."""
        if not self.is_clerk():
            self.notify("Only clerks can search for accounts.", severity="warning")
            return
        with contextlib.suppress(SkipAction):
            self.action_new_call()

    def open_my_audit(self) -> None:
        from tui.screens.clerk.audit import AuditScreen

        self.push_screen(AuditScreen(None))

    # ---- the clerk's call ----------------------------------------------------------------------

    def action_new_call(self) -> None:
        """Ask for the wrap-up when the call opened an account and none was saved; Ctrl+N on that
        question (or on any wrap-up left empty) starts the next call without it. A wrap-up with a note
        typed in it asks first whether to drop the note (Ctrl+N again: yes)."""
        if not self.is_clerk() or self.locked:
            raise SkipAction()
        from tui.screens.clerk.wrap_up import DiscardWrapUpQuestion, WrapUpDialog

        screen = self.screen
        if isinstance(screen, WrapUpDialog) and screen.unsaved_text:
            self.push_screen(DiscardWrapUpQuestion(), self._discard_wrap_up_answered)
            return
        if self.call.needs_wrap_up and not isinstance(screen, WrapUpDialog | DiscardWrapUpQuestion):
            self.open_wrap_up(before_new_call=True)
            return
        self.start_new_call()

    def _discard_wrap_up_answered(self, discard: bool | None) -> None:
        if discard:
            self.start_new_call()

    def start_new_call(self) -> None:
        """Every screen of the account closes and the call's memory goes: the search starts empty."""
        from tui.screens.clerk.search import ClerkSearchScreen

        self.call = Call()
        self._idle_sources = []
        self._retry_sources = []
        self.clear_notifications()
        self.reset_to(ClerkSearchScreen())

    def action_wrap_up(self) -> None:
        if not self.is_clerk() or self.locked or not self.call.opened:
            raise SkipAction()
        self.open_wrap_up()

    def open_wrap_up(self, *, before_new_call: bool = False) -> None:
        call = self.call
        if call.match is None:
            return
        from tui.screens.clerk.wrap_up import WrapUpDialog

        if isinstance(self.screen, WrapUpDialog):
            return
        paid = bool(call.payments) or self._payment_on_screen()
        dialog = WrapUpDialog(call.match.id, call.match.name, paid=paid, before_new_call=before_new_call)
        self.push_screen(dialog, partial(self._wrap_up_saved, call, before_new_call))

    def _wrap_up_saved(self, call: Call, before_new_call: bool, note: Note | None) -> None:
        if note is None or call is not self.call:
            return
        call.wrap_up = note
        if before_new_call:
            self.start_new_call()
            return
        self.notify("Wrap-up saved to the account.", title="Wrap-up", timeout=4)
        for screen in self.screen_stack:
            after = getattr(screen, "after_wrap_up", None)
            if callable(after):
                after()

    def _payment_on_screen(self) -> bool:
        """A payment just made whose receipt is still open (the wizard has not handed it back yet)."""
        from tui.screens.pay import PayScreen

        return any(isinstance(s, PayScreen) and s.payment is not None for s in self.screen_stack)

    # ---- the idle lock -------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._lock_screen is not None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._last_key = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.idle_lock_seconds is None or self.me is None or self.locked:
            return
        if time.monotonic() - self._last_key >= self.idle_lock_seconds:
            self.lock("Locked after a spell without a key.")

    def lock(self, reason: str = "") -> None:
        """Cover every screen with the lock; the call's screens stay behind it, undrawn."""
        if self.me is None or self.locked:
            return
        from tui.screens.clerk.lock import LockScreen

        user = self.me.user
        self.clear_notifications()  # a toast may name the customer
        self._lock_screen = LockScreen(user.email, user.name, reason)
        self.push_screen(self._lock_screen)

    def unlocked(self, session: Session) -> None:
        """The same person signed in again: the new token replaces the old; the call goes on."""
        lock, self._lock_screen = self._lock_screen, None
        self.token_store.save(session.token)
        self._last_key = time.monotonic()
        if self.me is not None and session.user.id != self.me.user.id:
            self.call = Call()
        if lock is not None and self.screen is lock:
            self.pop_screen()
        sources, self._idle_sources = self._idle_sources, []
        for source in sources:
            if getattr(source, "is_attached", True):
                source.retry()

    def sign_in_as_someone_else(self) -> None:
        """From the lock: the call ends as New call ends it, and the session with it."""
        self.call = Call()
        self._lock_screen = None
        self.sign_out()

    # ---- the demo inbox ----------------------------------------------------------------------

    def watch_inbox_email(self, email: str | None) -> None:
        if self._inbox_poller is not None:
            self._inbox_poller.watch_address(email)

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def _idle_lock_seconds(*, clerk: bool) -> float:
    from tui.config import Config, ConfigError, idle_lock_seconds, load_config

    try:
        config = load_config()
    except ConfigError:
        config = Config()  # the CLI reports a broken config at start; the lock keeps its default
    try:
        return idle_lock_seconds(config, clerk=clerk)
    except ConfigError:
        return idle_lock_seconds(config, clerk=clerk, env={})


def _title_for(error: ApiError) -> str:
    return {
        "invalid_request": "Check what you entered",
        "permission": "Not allowed",
        "not_found": "Not found",
        "rate_limited": "Too many tries",
        "conflict": "Conflict",
        "payment": "Payment problem",
    }.get(error.type, "The server said")


def _default_store(server_url: str, demo: bool) -> TokenStoreLike:
    from tui import credentials

    if demo:
        return credentials.MemoryTokenStore()
    return credentials.TokenStore(server_url)
