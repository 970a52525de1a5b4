"""Shown for the moment the app checks a remembered session with the server."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from tui.screens.base import PaydeskScreen


class StartingScreen(PaydeskScreen):
    def compose_body(self) -> ComposeResult:
        with Vertical(id="starting", classes="form"):
            yield Static("Checking your saved session…", classes="hint")
            yield LoadingIndicator()
