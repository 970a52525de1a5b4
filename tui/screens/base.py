"""The frame every Paydesk screen shares: header, body, the demo inbox (demo only), footer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Header

from tui.widgets.footer import PaydeskFooter
from tui.widgets.status_line import StatusLine
from tui.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from tui.api import PaydeskClient
    from tui.app import PaydeskApp

Command = tuple[str, str, Callable[[], Any]]


class StyledOnce(Screen[Any]):
    """A screen whose first showing does not style again what its registering styled moments ago."""

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # The app's count of stylesheet changes when this screen's nodes were styled (None: not yet).
        self._styled_at: int | None = None

    def _post_register(self, app: App[Any]) -> None:
        super()._post_register(app)
        self._styled_at = app._css_update_count  # registered: styled now, and its children as they mount

    async def on_event(self, event: events.Event) -> None:
        # Textual styles every node of a screen again when it is shown. Shown the first time, its nodes
        # were styled moments ago as they were registered, and nothing changed the stylesheet since:
        # that second pass was a tenth of the sign-in screen's first frame. Every later showing (a
        # screen above closed, the theme changed meanwhile) styles them again as Textual does.
        if isinstance(event, events.ScreenResume) and self._styled_at is not None:
            if self._styled_at == self.app._css_update_count and event.refresh_styles:
                event.refresh_styles = False
            self._styled_at = None
        await super().on_event(event)


class PaydeskScreen(ReportsWorkerErrors, StyledOnce, Screen[None]):
    """Subclasses write `compose_body`; workers' errors go to the app's one handler."""

    app: PaydeskApp  # type: ignore[assignment]
    # The clerk console's screens carry more keys than 80 columns hold with the footer's usual spacing.
    COMPACT_FOOTER: ClassVar[bool] = False
    _held_layout_size: Size | None = None  # the size of a layout held inside the start batch

    def _compositor_refresh(self) -> None:
        # Inside a batch (the app's start runs in one, from its Compose to its Ready) Textual renders
        # the top screen's frame and then drops it in App._display, clearing what was dirty: the sign-in
        # screen's first full frame was drawn for nothing, and the frame after the batch painted only
        # what changed since (no border, no input, no footer keys). Held instead, with what is dirty
        # kept: the app asks for the frame when the batch ends (PaydeskApp._end_batch).
        app = self.app
        if app._batch_count and self is app.screen and not app.is_inline:
            app.hold_frame(self)
            return
        super()._compositor_refresh()

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        # Inside the app's start batch its frame is held (above), so its layout can wait for the
        # batch's end too: the first screen was laid out twice (shown, then resized to the same size).
        # Only then: inside a later batch (a widget recomposing) a screen shown is laid out at once.
        app = self.app
        if (
            app._batch_count
            and self is app.screen
            and getattr(app, "in_start_batch", False)
            and not app.is_inline
        ):
            if size is not None:
                self._held_layout_size = size
            self._layout_required = True
            app.hold_frame(self)
            return
        if size is None and self._held_layout_size is not None:
            size = self._held_layout_size
        self._held_layout_size = None
        super()._refresh_layout(size, scroll)

    @property
    def client(self) -> PaydeskClient:
        """The server, for this screen's workers and for the widgets it gives a source to."""
        return self.app.client

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="body"):
            yield from self.compose_body()
        if self.app.demo:
            from tui.widgets.demo_inbox import DemoInbox

            yield DemoInbox()
        yield PaydeskFooter(compact=self.COMPACT_FOOTER)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def say(self, text: str, *, error: bool = False) -> None:
        """Speak through the screen's StatusLine (the first one; a screen with two names the one)."""
        self.query_one(StatusLine).say(text, error=error)

    def extra_commands(self) -> Iterable[Command]:
        """Commands for the palette beyond this screen's keys (which are commands already)."""
        return ()
