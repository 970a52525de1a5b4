"""argon2id password hashes (argon2-cffi's defaults), worked out on the thread pool, at most
`password_hashes_at_once` at a time per process, and never inside a write transaction: a flood of logins
waits its turn here, on the event loop, holding no thread and no database lock, while payments go on."""

from __future__ import annotations

import asyncio
import secrets
import weakref

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool

hasher = PasswordHasher()
# Verified against when the email is unknown (or has no password), so every login does one verify.
DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))

# One gate per event loop: an asyncio semaphore belongs to the loop it first waits on, and tests run
# several servers in one process, each on a loop of its own.
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _gate(at_once: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = asyncio.Semaphore(at_once)
    return gate


def _matches(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify(stored: str | None, password: str, at_once: int) -> bool:
    """Whether `password` matches `stored`; with no hash, a verify against a dummy one (same work), False."""
    async with _gate(at_once):
        matched = await run_in_threadpool(_matches, stored or DUMMY_HASH, password)
    return matched and stored is not None


async def hash_password(password: str, at_once: int) -> str:
    async with _gate(at_once):
        return await run_in_threadpool(hasher.hash, password)


def needs_rehash(stored: str) -> bool:
    return hasher.check_needs_rehash(stored)
