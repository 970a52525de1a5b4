"""POST /v1/payments/{payment_id}/void and /refund: a clerk undoes a payment (payments.undo), with an
Idempotency-Key as payments have, so a retry answers the first answer and never refunds twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, Engine

from backend_stub import idempotency, identity_gate
from backend_stub.deps import EngineDep, PathId, SettingsDep, clerk_only
from backend_stub.errors import not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.payments import recovery, undo
from backend_stub.processor import Processor
from backend_stub.routes import rules
from backend_stub.routes.common import IdempotencyKey, errors
from backend_stub.routes.payments import JSON, request_secret
from backend_stub.schemas import Payment
from backend_stub.schemas.undo import Refund, RefundRequest, VoidRequest
from backend_stub.store import audit
from backend_stub.store import payments as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

router = APIRouter(tags=["payments"], route_class=OneTripRoute)

Clerk = Annotated[User, clerk_only("Only a clerk can void or refund a payment.")]
Key = IdempotencyKey

_DOCUMENTED = errors(400, 401, 403, 404, 409, 422)
_REFUND_DOCUMENTED = errors(400, 401, 403, 404, 409, 422, rules=rules.REFUND)


def _open(engine: EngineDep, clerk: User, payment_id: int) -> int:
    """The payment's account, with the clerk's identity check on it; 404 for a payment that is not there."""
    with reading(engine) as conn:
        row = store.payment(conn, payment_id)
        if row is None:
            raise not_found("No such payment.")
        identity_gate.require(conn, clerk, row["account_id"])
        return int(row["account_id"])


def _answer(
    engine: EngineDep, clerk: User, account_id: int, action: str, status: int, text: str, replayed: bool
) -> Response:
    """The answer; a refusal (not a replay of one) is audited, as a clerk's refused payment is."""
    if status >= 400 and not replayed:
        with writing(engine) as conn:
            audit.record(conn, clerk.id, action, account_id, code=json.loads(text)["error"]["code"])
    return Response(
        text, status, media_type=JSON, headers={"Idempotent-Replayed": "true"} if replayed else None
    )


def _undo(
    request: Request,
    clerk: User,
    engine: EngineDep,
    settings: SettingsDep,
    payment_id: int,
    idempotency_key: str | None,
    what: str,
    body: VoidRequest | RefundRequest,
    decide: Callable[[Connection], tuple[int, dict]],
    tell: Callable[[Engine, Processor, int], None],
) -> Response:
    """A void or a refund under its Idempotency-Key: decided once, the processor told after (`tell` with
    the answer's id), a refusal audited as `payment.<what>_refused`."""
    key = idempotency.check_key(idempotency_key)
    account_id = _open(engine, clerk, payment_id)
    processor = request.app.state.processor
    print_ = idempotency.fingerprint(
        request_secret(request, engine, settings), payment_id, {what: body.model_dump(mode="json")}
    )
    answer = undo.keyed(
        engine,
        request.app.state.owner,
        clerk,
        key,
        print_,
        lambda record_id: recovery.recover(engine, processor, settings, record_id),
        decide,
        lambda payload: tell(engine, processor, payload["id"]),
    )
    return _answer(engine, clerk, account_id, f"payment.{what}_refused", *answer)


@router.post(
    "/v1/payments/{payment_id}/void",
    operation_id="voidPayment",
    response_model=Payment,
    responses=_DOCUMENTED,
    summary="Void a card payment of today or a pending bank payment (all its parts together)",
)
def void_payment(
    payment_id: PathId,
    body: VoidRequest,
    request: Request,
    clerk: Clerk,
    engine: EngineDep,
    settings: SettingsDep,
    idempotency_key: Key = None,
) -> Response:
    return _undo(
        request,
        clerk,
        engine,
        settings,
        payment_id,
        idempotency_key,
        "void",
        body,
        lambda conn: undo.void(conn, clerk, payment_id, body.reason),
        undo.void_at_processor,
    )


@router.post(
    "/v1/payments/{payment_id}/refund",
    operation_id="refundPayment",
    status_code=201,
    response_model=Refund,
    responses=_REFUND_DOCUMENTED,
    summary="Refund (part of) a settled card payment; never a fee that is not refundable",
)
def refund_payment(
    payment_id: PathId,
    body: RefundRequest,
    request: Request,
    clerk: Clerk,
    engine: EngineDep,
    settings: SettingsDep,
    idempotency_key: Key = None,
) -> Response:
    return _undo(
        request,
        clerk,
        engine,
        settings,
        payment_id,
        idempotency_key,
        "refund",
        body,
        lambda conn: undo.refund(conn, clerk, payment_id, body.amount_cents, body.reason),
        undo.refund_at_processor,
    )
