"""tui.collector: the collector's full passes wait for a pause between keys, or at most MAX_WAIT."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tui.collector import IDLE_AFTER, MAX_WAIT, NO_AUTOMATIC_FULL_PASS, FullPasses


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def full_passes_seen() -> Iterator[list[int]]:
    """The full passes the collector runs during the test; its thresholds and frozen objects restored."""
    thresholds = gc.get_threshold()
    seen: list[int] = []

    def callback(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(callback)
    try:
        yield seen
    finally:
        gc.callbacks.remove(callback)
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def garbage_waiting() -> weakref.ref[Cycle]:
    """A cycle only a full pass frees, past the young generations' passes (which count one for it)."""
    cycle = Cycle()
    kept = weakref.ref(cycle)
    gc.collect(1)  # still in use: moved on into the oldest generation, as a long-lived one gets there
    del cycle  # then let go of: garbage only a full pass looks at
    return kept


def test_no_full_pass_while_keys_come_then_one_in_the_pause(full_passes_seen: list[int]) -> None:
    clock = Clock()
    last_key = clock.now
    passes = FullPasses(lambda: last_key, clock)
    passes.start()
    assert gc.get_threshold()[2] == NO_AUTOMATIC_FULL_PASS
    kept = garbage_waiting()

    clock.now += IDLE_AFTER / 2  # a key a moment ago
    assert passes.tick() is False
    assert full_passes_seen == [] and kept() is not None

    clock.now = last_key + IDLE_AFTER  # the person reads
    assert passes.tick() is True
    assert full_passes_seen == [1] and kept() is None
    assert passes.tick() is False  # nothing new waits: no second pass


def test_a_held_key_still_gets_a_full_pass_after_max_wait(full_passes_seen: list[int]) -> None:
    clock = Clock()
    passes = FullPasses(clock, clock)  # a key at every moment: never a pause
    kept = garbage_waiting()
    clock.now += MAX_WAIT / 2
    assert passes.tick() is False and kept() is not None
    clock.now += MAX_WAIT / 2
    assert passes.tick() is True
    assert full_passes_seen == [1] and kept() is None
