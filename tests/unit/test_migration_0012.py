"""Migration 0012 (void, refund, identity checks) goes down to 0011 and up again on a seeded database,
keeping every payment; a voided or refunded payment going down becomes one 0011 can hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate


@pytest.fixture
def engine(demo_db: str) -> Iterator[Engine]:
    engine = create_db_engine(demo_db)
    yield engine
    engine.dispose()


def _statuses(engine: Engine) -> dict[int, str]:
    with reading(engine) as conn:
        return dict(conn.execute(text("SELECT id, status FROM payments")).all())  # type: ignore[arg-type]


def test_down_to_0011_and_up_again_keeps_every_payment(engine: Engine) -> None:
    upgrade(engine)
    before = _statuses(engine)
    voided, refunded = sorted(before)[:2]
    with writing(engine) as conn:
        conn.execute(text("UPDATE payments SET status = 'voided' WHERE id = :id"), {"id": voided})
        conn.execute(
            text("UPDATE payments SET status = 'partially_refunded' WHERE id = :id"), {"id": refunded}
        )
    migrate(engine, "downgrade", "0011")
    down = _statuses(engine)
    assert set(down) == set(before)
    assert (down[voided], down[refunded]) == ("failed", "succeeded")
    with reading(engine) as conn:
        tables = {"identity_checks", "payment_refunds"}
        found = conn.dialect.get_table_names(conn)  # type: ignore[attr-defined]
        assert not tables & set(found)
    upgrade(engine)
    assert set(_statuses(engine)) == set(before)
    with writing(engine) as conn:  # the new statuses are allowed again
        conn.execute(text("UPDATE payments SET status = 'refunded' WHERE id = :id"), {"id": refunded})
