"""The serialised JSON of invoice pages, kept per process and per engine, bounded (least recently used).

A page's key holds everything its bytes are made of: the account, the account's data version (raised by
triggers in the database on every change of its invoices or their sites, migration 0017: every process
on the database sees a change at once), the business date (`past_due` moves with it: the dev clock and
midnight change pages without a write), and the query (status, kind, limit, cursor). A key that matches
is the page the query would build now, so nothing is ever invalidated: an old version's pages just age
out. Who may read the page is decided before, on every request (the token, the account check).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable

from sqlalchemy import Engine

MAX_PAGES = 512  # per engine: at ~10 KiB a page of 50, about 5 MiB


class PageCache:
    """A bounded map of page keys to JSON bytes, safe to share between the pool's threads."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._max_pages = max_pages
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


# One cache per engine (per app): two servers in one process on different databases never share keys.
_CACHES: weakref.WeakKeyDictionary[Engine, PageCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def for_engine(engine: Engine) -> PageCache:
    cache = _CACHES.get(engine)
    if cache is None:
        with _CACHES_LOCK:
            cache = _CACHES.setdefault(engine, PageCache())
    return cache
