"""One path for failed workers: every screen and widget that asks the server routes errors here.

`Worker.StateChanged` does not bubble, so each node that starts workers mixes this in; the mixin hands
the error to `PaydeskApp.report_error`, which decides what the person sees (a message, the login screen,
or the "server unavailable" dialog with a retry).
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mix into a Screen or Widget whose workers ask the server."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error, source=self)  # type: ignore[attr-defined]

    def show_api_error(self, error: Exception) -> bool:
        """Show an error inline; return False to let the app show it as a notification."""
        return False

    def retry(self) -> None:
        """Ask the server again for what this node shows (after the server was unreachable)."""
