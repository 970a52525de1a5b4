"""Textual's Footer, its keys given their compact state before they mount, composed only when they change.

Textual's FooterKey starts compact and is then bound to the footer's (not compact) state: each key
mounts with the "-compact" class added and removed again, and every change of a class restyles the
node at once. The footer is composed again whenever the screen's bindings may have changed (a screen
shown, a field focused, a key's action enabled), so those two restylings of every key were a fifth of
the work of opening a screen (py-spy). Here each key starts in the state the binding would give it,
which leaves nothing for it to change.

Textual's footer also composes nothing at first and its keys on the next refresh, then again on every
change of focus, whether or not the keys shown change (a field's own bindings are not shown): a sign-in
screen composed its footer three times, one of them before its first frame. This one composes its keys
with the screen, and again only when what it would show differs from what it shows, once however many
changes come before the next refresh.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class PaydeskFooter(Footer):
    """A Footer drawn exactly as Textual's, composed with fewer restylings and only when its keys change."""

    def __init__(self, *, compact: bool = False, **kwargs: Any) -> None:
        super().__init__(compact=compact, **kwargs)
        # Textual waits for the first bindings change before it shows any key; the keys composed
        # with the screen are compared with the bindings at each change instead.
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: tuple[Any, ...] | None = None
        self._recompose_waiting = False

    def _keys(self) -> tuple[Any, ...]:
        """What compose would show now: the first shown binding of each action (as Footer.compose
        shows them), and the command palette's key."""
        app = self.app
        active = self.screen.active_bindings
        first: dict[str, tuple[Any, ...]] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = (
                    binding.key, app.get_key_display(binding), binding.description, enabled, tooltip,
                    binding.group,
                )  # fmt: skip
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = (found.binding.key, found.enabled, found.binding.tooltip, found.binding.description)
        return (*first.items(), palette, self.compact)

    def compose(self) -> ComposeResult:
        self._shown = self._keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # The command palette's key is not bound to the footer: it keeps FooterKey's default.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        same_screen = self.is_attached and screen is self.screen
        if same_screen and self._shown is not None and self._shown == self._keys():
            return  # the same keys: composing them again would only mount and style them again
        if not (same_screen and screen.app.app_focus):
            super().bindings_changed(screen)  # Textual's rule: nothing to compose now
        elif not self._recompose_waiting:
            # As Textual's footer, after the next refresh; but once for every change until then (a screen
            # shown and its first field focused are two), as the one waiting reads the bindings of then.
            self._recompose_waiting = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_waiting = False
        await self.recompose()
