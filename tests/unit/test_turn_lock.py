"""The SQLite writers' lock (store/db.py TurnLock): turns in the order asked, release from any thread,
a wait that runs out."""

from __future__ import annotations

import threading

from backend_stub.store.db import TurnLock


def _wait_until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    done = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if condition():
            return
        done.wait(0.005)
    raise AssertionError("condition never held")


def test_turns_are_given_in_the_order_they_were_asked_for() -> None:
    lock = TurnLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []
    threads = []
    for n in range(5):
        thread = threading.Thread(
            target=lambda n=n: (lock.acquire(timeout=5), order.append(n), lock.release())
        )
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: len(lock._waiters) == n + 1)  # each one queued before the next asks
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]
    assert lock.acquire(timeout=0.1)  # free again at the end


def test_another_thread_may_release_it() -> None:
    lock = TurnLock()
    assert lock.acquire(timeout=1) and lock.locked()
    releaser = threading.Thread(target=lock.release)
    releaser.start()
    releaser.join(5)
    assert not lock.locked()
    assert lock.acquire(timeout=1)


def test_a_wait_that_runs_out_leaves_the_line() -> None:
    lock = TurnLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    assert not lock._waiters
    lock.release()
    assert lock.acquire(timeout=0.1)
