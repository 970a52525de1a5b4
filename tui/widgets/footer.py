"""Textual's Footer, its keys given their compact state before they mount.

Textual's FooterKey starts compact and is then bound to the footer's (not compact) state: each key
mounts with the "-compact" class added and removed again, and every change of a class restyles the
node at once. The footer is composed again whenever the keys change (a screen shown, a field
focused), so those two restylings of every key were a fifth of the work of opening a screen (py-spy).
Here each key starts in the state the binding would give it, which leaves nothing for it to change.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class PaydeskFooter(Footer):
    """A Footer drawn exactly as Textual's, composed with fewer restylings."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # The command palette's key is not bound to the footer: it keeps FooterKey's default.
                compact = True if widget.has_class("-command-palette") else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
