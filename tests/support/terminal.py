"""A real program in a pseudo-terminal, rendered by pyte: keys in, screen text out.

Used by the end-to-end tests and the benchmarks, so both meet the program exactly as a person does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pexpect
import pyte

T = TypeVar("T")


class Terminal:
    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 30) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(rows, cols), timeout=1)

    def pump(self) -> None:
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.01)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self.stream.feed(data)

    def text(self) -> str:
        self.pump()
        return "\n".join(self.screen.display)

    def wait_for(self, predicate: Callable[[str], T], what: str, timeout: float = 30.0) -> T:
        """Poll the screen until `predicate` returns something truthy; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate(self.text())
            if result:
                return result
            if not self.child.isalive():
                break
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.text()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
