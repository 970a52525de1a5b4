"""The yardstick for cold start: the smallest Textual app, showing one line."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Static("Hello from a bare Textual app")


if __name__ == "__main__":
    Bare().run()
