"""The garbage collector's full passes run between keys, while the person reads, not inside a frame.

CPython's collector runs a full pass (every generation) by itself once enough objects survived into the
oldest one. In the app that came every few seconds of moving around and took 55-135 ms (more under
load): the slowest PageDowns in the 10,000-invoice table and the slow openings of a screen were exactly
those passes. `paydesk` (which owns the process's collector: tui/cli.py starts it off) keeps the young
generations automatic, which are short, and runs the full pass itself: after `IDLE_AFTER` seconds
without a key, or at the latest `MAX_WAIT` seconds after the last one (a key held for a long time still
gets its memory back). What lives as long as the app (the modules and screens loaded by then) is
frozen out of the passes after the first one, as the start's are before the first frame.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_AFTER = 0.5  # seconds without a key before a full pass may run
MAX_WAIT = 20.0  # seconds a full pass may wait for a pause
CHECK_EVERY = 0.5
# The oldest generation's threshold (CPython's is 10 collections of the middle one): out of reach, so
# its passes are only ours.
NO_AUTOMATIC_FULL_PASS = 1_000_000


class FullPasses:
    """Runs the collector's full passes when `tick()` finds the person idle (see the module docstring).
    `last_key()` is the monotonic time of the last key; `clock` is time.monotonic (tests pass another)."""

    def __init__(self, last_key: Callable[[], float], clock: Callable[[], float] = time.monotonic) -> None:
        self._last_key = last_key
        self._clock = clock
        self._last_pass = clock()
        self._frozen_again = False
        self.passes = 0

    def start(self) -> None:
        """Take over the oldest generation's passes (the young ones stay automatic)."""
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NO_AUTOMATIC_FULL_PASS)

    def tick(self) -> bool:
        """Run a full pass if one is due and the moment is right; whether it ran."""
        if gc.get_count()[2] == 0:  # nothing reached the middle generation's passes since the last one
            return False
        now = self._clock()
        if now - self._last_key() < IDLE_AFTER and now - self._last_pass < MAX_WAIT:
            return False
        gc.collect()
        self._last_pass = self._clock()
        self.passes += 1
        if not self._frozen_again:
            # What survived the first full pass after the start (the client, its models, the screens
            # opened) lives as long as the app: out of the later passes, as the start's modules are.
            self._frozen_again = True
            gc.freeze()
        return True
