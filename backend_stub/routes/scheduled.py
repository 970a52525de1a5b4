"""Scheduled payments: list, create, change and cancel (until their date). Customers on their own accounts,
clerks on any (audited)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import Connection, Engine, RowMapping

from backend_stub import clock, cursor, identity_gate
from backend_stub.clock import utcnow
from backend_stub.deps import Conn, EngineDep, PathId, SettingsDep, UserDep, WriteConn, account_access
from backend_stub.errors import ApiError, invalid, not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.payments import scheduling
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas import ScheduledChange, ScheduledCreate, ScheduledPage, ScheduledPayment
from backend_stub.settings import Settings
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import scheduled as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

router = APIRouter(tags=["scheduled payments"], route_class=OneTripRoute)

ListedAccount = Annotated[RowMapping, account_access("scheduled.list")]


def _run_if_today(engine: Engine, request: Request, settings: Settings, scheduled_id: int) -> None:
    """A payment scheduled for today runs at once (the clock's run for today has already happened): after
    the request's own transaction committed, as the due jobs run it (no transaction held while the
    processor is asked)."""
    with reading(engine) as conn:
        row = store.one(conn, scheduled_id)
        today = clock.today(conn)
    assert row is not None
    if row["status"] == "scheduled" and row["pay_on"] <= today:
        scheduling.run_one(engine, request.app.state.processor, settings, scheduled_id, today)


def _view(engine: Engine, scheduled_id: int) -> ScheduledPayment:
    with reading(engine) as conn:
        row = store.one(conn, scheduled_id)
        assert row is not None
        return scheduling.view(conn, row)


@router.get(
    "/v1/accounts/{account_id}/scheduled-payments",
    operation_id="listScheduledPayments",
    response_model=ScheduledPage,
    responses=errors(400, 401, 404, rules=rules.CURSOR),
    summary="Scheduled payments, by date",
)
def list_scheduled(
    account_id: PathId,
    _account: ListedAccount,
    conn: Conn,
    status: Annotated[Literal["all", "scheduled"], Query()] = "all",
    limit: Limit = 50,
    cursor_: CursorQuery = None,
) -> ScheduledPage:
    after = cursor.decode_date_id(cursor_)
    rows, total = store.page(conn, account_id, status == "scheduled", limit, after)
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["pay_on"], r["id"]))
    return ScheduledPage(
        items=[scheduling.view(conn, r) for r in rows], next_cursor=next_cursor, total_count=total
    )


@router.post(
    "/v1/accounts/{account_id}/scheduled-payments",
    operation_id="createScheduledPayment",
    status_code=201,
    response_model=ScheduledPayment,
    responses=errors(400, 401, 403, 404, 409, rules=rules.SCHEDULE),
    summary="Schedule a payment for a date on or before the due date",
)
def create_scheduled(
    account_id: PathId,
    body: ScheduledCreate,
    user: UserDep,
    engine: EngineDep,
    settings: SettingsDep,
    request: Request,
) -> ScheduledPayment:
    target = body.target.model_dump(exclude_none=True)
    method_id = body.method.payment_method_id
    with writing(engine) as conn:
        if account_store.visible_account(conn, user, account_id) is None:
            raise not_found("No such account.")
        identity_gate.require(conn, user, account_id)
        priced = scheduling.check(
            conn,
            settings,
            account_id,
            target,
            method_id,
            body.pay_on,
            body.receipt_email,
            clock.today(conn),
            body.accepted_fees_cents,
        )
        scheduled_id = store.create(
            conn,
            account_id=account_id,
            target=json.dumps(target, sort_keys=True),
            method_id=method_id,
            pay_on=body.pay_on,
            **priced.columns(),
            receipt_email=body.receipt_email.strip(),
            status="scheduled",
            created_at=utcnow(),
            created_by=user.id,
        )
        if user.is_clerk:
            audit.record(conn, user.id, "scheduled.create", account_id, scheduled_id=scheduled_id)
    _run_if_today(engine, request, settings, scheduled_id)
    return _view(engine, scheduled_id)


def _open_scheduled(conn: Connection, user: User, scheduled_id: int) -> RowMapping:
    row = store.one(conn, scheduled_id)
    if row is None or account_store.visible_account(conn, user, row["account_id"]) is None:
        raise not_found("No such scheduled payment.")
    identity_gate.require(conn, user, row["account_id"])  # change and cancel open it: both are gated
    if row["status"] != "scheduled" or row["pay_on"] <= clock.today(conn):
        raise ApiError(
            409,
            "conflict",
            "already_run",
            f"This scheduled payment is {row['status'] if row['status'] != 'scheduled' else 'running'}: "
            "it can no longer be changed or cancelled.",
        )
    return row


@router.patch(
    "/v1/scheduled-payments/{scheduled_id}",
    operation_id="changeScheduledPayment",
    response_model=ScheduledPayment,
    responses=errors(400, 401, 403, 404, 409, rules=rules.SCHEDULE_CHANGE),
    summary="Change the date, amount or method of a scheduled payment before its date",
)
def change_scheduled(
    scheduled_id: PathId,
    body: ScheduledChange,
    user: UserDep,
    engine: EngineDep,
    settings: SettingsDep,
    request: Request,
) -> ScheduledPayment:
    sent = body.model_fields_set
    with writing(engine) as conn:
        row = _open_scheduled(conn, user, scheduled_id)
        target = json.loads(row["target"])
        if "amount_cents" in sent:
            if target["type"] != "amount":
                raise invalid(
                    "Only a payment of an amount can change its amount: choose the invoices again instead.",
                    "amount_cents",
                    "invalid_amount",
                )
            target["amount_cents"] = body.amount_cents
        if "pay_on" in sent and body.pay_on is None:
            raise invalid("Choose a date.", "pay_on")
        pay_on = body.pay_on or row["pay_on"]
        method_id = body.method.payment_method_id if body.method else row["method_id"]
        if method_id is None:
            raise invalid("Choose a saved payment method.", "method", "method_required")
        # Unsent, the fees accepted stay the ones accepted before: a change that prices others must
        # accept them anew.
        accepted = body.accepted_fees_cents if "accepted_fees_cents" in sent else (row["fees_cents"] or 0)
        priced = scheduling.check(
            conn,
            settings,
            row["account_id"],
            target,
            method_id,
            pay_on,
            row["receipt_email"],
            clock.today(conn),
            accepted,
        )
        store.update_one(
            conn,
            scheduled_id,
            target=json.dumps(target, sort_keys=True),
            pay_on=pay_on,
            method_id=method_id,
            **priced.columns(),
        )
        if user.is_clerk:
            audit.record(conn, user.id, "scheduled.change", row["account_id"], scheduled_id=scheduled_id)
    _run_if_today(engine, request, settings, scheduled_id)
    return _view(engine, scheduled_id)


@router.delete(
    "/v1/scheduled-payments/{scheduled_id}",
    operation_id="cancelScheduledPayment",
    status_code=204,
    response_class=Response,
    responses=errors(401, 403, 404, 409),
    summary="Cancel a scheduled payment before its date",
)
def cancel_scheduled(scheduled_id: PathId, user: UserDep, conn: WriteConn) -> Response:
    row = _open_scheduled(conn, user, scheduled_id)
    store.update_one(conn, scheduled_id, status="cancelled")
    if user.is_clerk:
        audit.record(conn, user.id, "scheduled.cancel", row["account_id"], scheduled_id=scheduled_id)
    return Response(status_code=204)
