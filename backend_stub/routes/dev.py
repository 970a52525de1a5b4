"""`--dev` only: the demo inbox, the backend clock, the audit log. Without --dev these routes do not
exist (404 like any unknown route)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request

from backend_stub import clock, cursor, jobs
from backend_stub.deps import EngineDep, PathId, SettingsDep
from backend_stub.errors import invalid, not_found
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, errors
from backend_stub.schemas import (
    MAX_ID,
    MAX_LIMIT,
    AuditEntry,
    AuditPage,
    Clock,
    ClockRequest,
    MethodBehaviour,
    OutboxItem,
    OutboxPage,
    PlainLine,
)
from backend_stub.store import audit
from backend_stub.store import methods as method_store
from backend_stub.store import outbox as outbox_store
from backend_stub.store.db import reading, writing

router = APIRouter(tags=["dev"])


@router.get(
    "/v1/dev/outbox",
    operation_id="devListOutbox",
    response_model=OutboxPage,
    responses=errors(400, rules=rules.CURSOR),
    summary="Every email sent to an address, newest first",
)
def list_outbox(
    engine: EngineDep,
    to: Annotated[PlainLine, Query(min_length=1, max_length=254)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor_: CursorQuery = None,
) -> OutboxPage:
    before_id = cursor.decode_id(cursor_)
    with reading(engine) as conn:
        rows, total = outbox_store.for_recipient(conn, to, limit=limit, before_id=before_id)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursor.encode(rows[-1]["id"])
    return OutboxPage(items=[OutboxItem(**r) for r in rows], next_cursor=next_cursor, total_count=total)


@router.post(
    "/v1/dev/clock",
    operation_id="devMoveClock",
    response_model=Clock,
    responses=errors(400, rules=rules.CLOCK),
    summary="Move the backend clock forward (advance_days 0 reads it)",
)
def move_clock(body: ClockRequest, engine: EngineDep, settings: SettingsDep, request: Request) -> Clock:
    if (body.advance_days is None) == (body.today is None):
        raise invalid("Send exactly one of advance_days and today.", "advance_days", "exactly_one_of")
    with reading(engine) as conn:
        current = clock.today(conn)
    if body.today is not None:
        target = body.today
        if target < current:
            raise invalid(
                f"The clock only moves forward: today is {current.isoformat()}.", "today", "clock_backwards"
            )
    else:
        try:
            target = current + timedelta(days=body.advance_days or 0)
        except OverflowError as exc:
            raise invalid(
                "That moves the clock past the year 9999.", "advance_days", "clock_overflow"
            ) from exc
    if target != current:
        try:  # the due jobs run after the clock's move commits, each unit in its own transaction
            jobs.advance_to(engine, target, request.app.state.processor, settings)
        except jobs.ClockBackwards as exc:  # another move went further meanwhile
            raise invalid(
                "The clock only moves forward: it was moved past that meanwhile.", "today", "clock_backwards"
            ) from exc
    return Clock(today=target)


@router.get(
    "/v1/dev/audit",
    operation_id="devListAudit",
    response_model=AuditPage,
    responses=errors(400, rules=rules.CURSOR),
    summary="The audit log, newest first (optionally for one account)",
)
def list_audit(
    engine: EngineDep,
    account_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor_: CursorQuery = None,
) -> AuditPage:
    before_id = cursor.decode_id(cursor_)
    with reading(engine) as conn:
        rows = audit.entries(conn, account_id=account_id, limit=limit, before_id=before_id)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursor.encode(rows[-1]["id"])
    items = [AuditEntry(**{**r, "detail": json.loads(r["detail"] or "{}")}) for r in rows]
    return AuditPage(items=items, next_cursor=next_cursor)


@router.post(
    "/v1/dev/payment-methods/{method_id}/behaviour",
    operation_id="devSetMethodBehaviour",
    response_model=MethodBehaviour,
    responses=errors(400, 404),
    summary="Make a saved method decline (or succeed) from now on, to test autopay and scheduled failures",
)
def set_method_behaviour(method_id: PathId, body: MethodBehaviour, engine: EngineDep) -> MethodBehaviour:
    # Saving a decline test card is refused (402), so a saved method can only be made to decline here.
    with writing(engine) as conn:
        if not method_store.set_behaviour(conn, method_id, body.behaviour):
            raise not_found("No such payment method.")
    return body
