"""Deterministic seeds: `demo` (the contract's demo table) and `large` (demo plus 10,000 invoices).

A seed fills an empty database only: seeding a database that already has accounts does nothing.
"""

from __future__ import annotations

import random

from sqlalchemy import Connection, func, select

from backend_stub import clock
from backend_stub.seed.builder import DEMO_TODAY, Seeder
from backend_stub.seed.demo import build_demo
from backend_stub.seed.large import build_large
from backend_stub.store.tables import accounts, users

SEEDS = ("demo", "large", "none")


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 0 and (
        conn.execute(select(func.count()).select_from(users)).scalar_one() == 0
    )


def seed(conn: Connection, which: str) -> bool:
    """Fill an empty database with the `which` seed; returns False (and does nothing) otherwise."""
    if which not in SEEDS:
        raise ValueError(f"unknown seed {which!r}: choose one of {', '.join(SEEDS)}")
    if which == "none" or not is_empty(conn):
        return False
    seeder = Seeder(conn, random.Random(20261115))
    clock.set_today(conn, DEMO_TODAY)
    build_demo(seeder)
    if which == "large":
        build_large(seeder)
    return True
