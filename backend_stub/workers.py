"""`paydesk-stub serve --workers N`: N uvicorn worker processes accepting on the one socket the CLI bound.

uvicorn's own supervisor (`Multiprocess`): it spawns the workers (each imports the app factory it is
given and builds the same app from the same settings), restarts one that dies, and on SIGTERM or SIGINT
stops them all, each finishing its in-flight requests. What is added here: the caller hears once that
every worker accepts (for the one listen line), and a worker that cannot start is a failure, not a
silent exit 0. Each worker gets the config pickled, a `http_protocol.ServerConfig`: the same header
deadline, connection cap (per worker) and HTTP protocol as a single process; the body limits are the app's.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from uvicorn.supervisors.multiprocess import Multiprocess

if TYPE_CHECKING:
    import uvicorn

STARTUP_TIMEOUT_SECONDS = 60.0  # a spawned worker imports the whole backend before it answers


class _Supervisor(Multiprocess):
    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], on_started: Callable[[], None]):
        super().__init__(config, sockets)
        self._on_started = on_started
        self.failed_to_start = False

    def init_processes(self) -> None:
        super().init_processes()
        for process in self.processes:
            if not process.wait_until_ready(STARTUP_TIMEOUT_SECONDS, self.should_exit):
                self.failed_to_start = True
                self.should_exit.set()  # run() then stops the others
                return
        self._on_started()


def serve_workers(config: uvicorn.Config, sock: socket.socket, on_started: Callable[[], None]) -> bool:
    """Run `config.workers` workers on `sock` until a signal stops them; False if one could not start."""
    supervisor = _Supervisor(config, [sock], on_started)
    supervisor.run()
    return not supervisor.failed_to_start


__all__ = ["STARTUP_TIMEOUT_SECONDS", "serve_workers"]
