"""A screen's first requests, sent the moment the screen is made rather than after its first frame.

A screen used to ask the server from `on_mount`: the round trip waited for the compose, the styling and
the first frame (50-150 ms on our machines), then the data needed a second frame. Sent from the
screen's `__init__`, the answer comes back while the screen is being built, and is usually there by the
time its loader runs: the loader shows it at once, with no loading state and no extra frame.

Only the first load takes the early answer; every later one (a retry, `r`, a return to the screen)
asks the server again, so nothing already shown is ever reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def _seen(task: asyncio.Task[object]) -> None:
    """A screen closed before it read its answer: the failure is dropped, not logged as unretrieved."""
    if not task.cancelled():
        task.exception()


class EarlyAnswer(Generic[T]):
    """`ask()` sent now (when an event loop runs); `take()` is its answer once, then a new `ask()`.

    `ask` returns an awaitable: `asyncio.gather(client.a(), client.b())` puts each request on the loop
    at once (a coroutine of its own would wait one turn of the loop, and the screen's compose takes it).
    """

    def __init__(self, ask: Callable[[], Awaitable[T]]) -> None:
        self._ask = ask
        self._task: asyncio.Future[T] | None = None
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # made outside the app's loop (a unit test): the first take asks
            return
        self._task = asyncio.ensure_future(ask())
        self._task.add_done_callback(_seen)

    @property
    def ready(self) -> bool:
        """The early answer (or its error) is in: the loader needs no loading state."""
        return self._task is not None and self._task.done()

    async def take(self) -> T:
        task, self._task = self._task, None
        if task is None:
            return await self._ask()
        return await task

    def drop(self) -> None:
        """The screen closed: an answer nobody will read is not waited for."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
