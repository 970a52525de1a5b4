"""Payments: the quote, the payment (Idempotency-Key required), one payment, the history.

A customer pays online on a linked account; a clerk takes a phone payment on any account (audited)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Connection, RowMapping

from backend_stub import clock, cursor, idempotency, identity_gate, shared_read, views
from backend_stub.billing.dates import history_start
from backend_stub.clock import utcnow
from backend_stub.deps import CallerDep, Conn, EngineDep, PathId, SettingsDep, UserDep, account_access
from backend_stub.errors import ApiError, guest_forbidden, not_authenticated, not_found
from backend_stub.one_trip import BodyOneTripRoute, in_request_thread
from backend_stub.owners import Owner
from backend_stub.payments import make, read_aloud, recovery
from backend_stub.payments.command import from_request
from backend_stub.payments.plan import plan, quote_view
from backend_stub.payments.record import payment_payload
from backend_stub.processor import Processor
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, IdempotencyKey, errors
from backend_stub.schemas import (
    MAX_LIMIT,
    Payment,
    PaymentPage,
    PaymentRequest,
    Quote,
    QuoteRequest,
)
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import guest as guest_store
from backend_stub.store import payments as store
from backend_stub.store import refunds as refund_store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

# A payment's and a quote's JSON body is validated without FastAPI's solver (see BodyOneTripRoute).
router = APIRouter(tags=["payments"], route_class=BodyOneTripRoute)

QuotedAccount = Annotated[RowMapping, account_access("payment.quote", guests=True)]
ListedAccount = Annotated[RowMapping, account_access("payments.list")]

JSON = "application/json"


@router.post(
    "/v1/accounts/{account_id}/payments/quote",
    operation_id="quotePayment",
    response_model=Quote,
    responses=errors(400, 401, 404),
    summary="What a payment would do, with the problems standing in its way; changes nothing",
)
def quote_payment(
    account_id: PathId,
    body: QuoteRequest,
    user: CallerDep,
    account: QuotedAccount,
    conn: Conn,
    settings: SettingsDep,
) -> Quote:
    today = clock.today(conn)
    result, _ = plan(conn, settings, user, account_id, from_request(body), today)
    # The words a clerk reads aloud (none for a customer): the same the TEL email writes.
    script = read_aloud.script_for(result, account, today) if user.is_clerk else None
    return Quote.model_validate({**quote_view(result, settings), "script": script})


class _FirstRead:
    """The payment's first read: the read transaction the caller was looked up in, where it was offered
    (one BEGIN and COMMIT and one pool checkout less), else one of its own. Ended when its block ends,
    before any write; if the request never opens it, the offer is closed with the request."""

    def __init__(self, engine: EngineDep, offer: shared_read.Offer | None) -> None:
        self._engine, self._offer = engine, offer

    @contextmanager
    def open(self) -> Iterator[Connection]:
        offer, self._offer = self._offer, None
        with offer.held() if offer is not None else reading(self._engine) as conn:
            yield conn

    def close(self) -> None:
        offer, self._offer = self._offer, None
        if offer is not None:
            offer.close()


@shared_read.claims
@in_request_thread(on_loop=True)  # only takes over what the caller's lookup began
def _first_read(caller: CallerDep, engine: EngineDep) -> Iterator[_FirstRead]:
    first = _FirstRead(engine, shared_read.claim(engine))
    try:
        yield first
    finally:
        first.close()


FirstRead = Annotated[_FirstRead, Depends(_first_read, scope="function")]


@router.post(
    "/v1/accounts/{account_id}/payments",
    operation_id="createPayment",
    status_code=201,
    response_model=Payment,
    responses=errors(400, 401, 402, 403, 404, 409, 422, rules=rules.PAYMENT),
    summary="Pay (all parts or none); the Idempotency-Key header makes retries safe",
)
def create_payment(
    account_id: PathId,
    body: PaymentRequest,
    request: Request,
    user: CallerDep,
    engine: EngineDep,
    settings: SettingsDep,
    first_read: FirstRead,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    key = idempotency.check_key(idempotency_key)
    request_key = idempotency.RequestKey(
        f"guest:{user.session_id}" if user.is_guest else f"user:{user.id}",
        key,
        idempotency.fingerprint(
            request_secret(request, engine, settings), account_id, body.model_dump(mode="json")
        ),
    )
    with first_read.open() as conn:  # the caller's read goes on here, and ends before any write
        if account_store.visible_account(conn, user, account_id) is None:
            raise not_found("No such account.")
        identity_gate.require(conn, user, account_id, _check_id(body))
        # The key's record, read here rather than in a read of its own (a guest's after its spend, below).
        found = idempotency.UNREAD if user.is_guest else idempotency.find(conn, request_key)
        # A free key: the payment's first plan from this same snapshot (one read transaction less). A key
        # with a record is replayed, refused or recovered first, and the payment then plans afresh.
        planned = None
        if found is None:
            planned = make.first_plan(conn, settings, user, account_id, from_request(body))
    if user.is_guest:
        _check_guest_methods(body)
        with writing(engine) as conn:  # the session's one payment: claimed before the processor is asked
            if not guest_store.spend(conn, user.session_id or 0, utcnow()):
                raise not_authenticated()
    try:
        return _pay(account_id, body, request, user, engine, settings, request_key, found, planned)
    except BaseException:
        if user.is_guest:
            _unspend(engine, user)
        raise


def _check_id(body: PaymentRequest) -> int | None:
    return body.authorization.identity_check_id if body.authorization else None


def _check_guest_methods(body: PaymentRequest) -> None:
    """A guest pays with a new card or bank account and saves nothing."""
    for index, part in enumerate(body.parts):
        method = part.method
        if method.type == "saved":
            raise guest_forbidden(f"parts[{index}].method")
        if getattr(method, "save", False):
            raise guest_forbidden(f"parts[{index}].method.save")


def _unspend(engine: EngineDep, user: User) -> None:
    with writing(engine) as conn:
        guest_store.unspend(conn, user.session_id or 0)


def _pay(
    account_id: int,
    body: PaymentRequest,
    request: Request,
    user: User,
    engine: EngineDep,
    settings: SettingsDep,
    request_key: idempotency.RequestKey,
    found: object,
    planned: make.Planned | None = None,
) -> Response:
    processor = request.app.state.processor
    owner = request.app.state.owner

    def recover(record_id: int) -> object:
        return recovery.recover(engine, processor, settings, record_id)

    # The key is only read here; the payment claims it with its intent, in one write.
    replay = idempotency.check(engine, request_key, owner, recover, found)
    if replay is None:
        try:
            return _paid(
                account_id, body, user, engine, processor, settings, owner, request_key, recover, planned
            )
        except idempotency.KeyTaken:  # the same key, sent twice at once: what the first one decided
            replay = idempotency.check(engine, request_key, owner, recover)
            if replay is None:
                raise idempotency.in_use() from None
    if user.is_guest and replay.status != 201:
        _unspend(engine, user)  # a refusal replayed: still nothing paid
    return _replayed(replay)


def _replayed(replay: idempotency.Replay) -> Response:
    return Response(replay.body, replay.status, media_type=JSON, headers={"Idempotent-Replayed": "true"})


def _paid(
    account_id: int,
    body: PaymentRequest,
    user: User,
    engine: EngineDep,
    processor: Processor,
    settings: SettingsDep,
    owner: Owner,
    request_key: idempotency.RequestKey,
    recover: Callable[[int], object],
    planned: make.Planned | None = None,
) -> Response:
    try:
        command = from_request(body)
        status, text = make.pay(
            engine, processor, settings, owner, user, account_id, command, request_key, planned
        )
    except ApiError as exc:
        answer = idempotency.refused(engine, request_key, owner, exc.status, exc.body(), recover)
        if isinstance(answer, idempotency.Replay):  # another request with the key claimed it meanwhile
            return _replayed(answer)
        if user.is_guest:
            _unspend(engine, user)  # refused: nothing was paid, the guest may try again
        if user.is_clerk:
            with writing(engine) as conn:
                audit.record(conn, user.id, "payment.refused", account_id, code=exc.code)
        return Response(answer, exc.status, media_type=JSON, headers=exc.headers)
    except BaseException:
        if request_key.record_id is not None:
            idempotency.release(engine, idempotency.Claimed(request_key.record_id), owner)
        raise
    finally:
        if request_key.record_id is not None:
            idempotency.let_go(owner, idempotency.Claimed(request_key.record_id))
    # The text stored for replays, made from the Payment view (see payments.record): not validated again.
    return Response(text, status, media_type=JSON)


def request_secret(request: Request, engine: EngineDep, settings: SettingsDep) -> str:
    secret = getattr(request.app.state, "idempotency_secret", None)
    if secret is None:
        secret = idempotency.secret_of(engine, settings)
        request.app.state.idempotency_secret = secret
    return secret


@router.get(
    "/v1/payments/{payment_id}",
    operation_id="getPayment",
    response_model=Payment,
    responses=errors(401, 404),
)
def get_payment(payment_id: PathId, user: UserDep, conn: Conn) -> Payment:
    row = store.payment(conn, payment_id)
    if row is None or account_store.visible_account(conn, user, row["account_id"]) is None:
        raise not_found("No such payment.")
    if user.is_clerk:
        audit.record(conn, user.id, "payment.view", row["account_id"], payment_id=payment_id)
    payload = payment_payload(conn, payment_id)
    return Payment.model_validate(payload)


@router.get(
    "/v1/accounts/{account_id}/payments",
    operation_id="listPayments",
    response_model=PaymentPage,
    responses=errors(400, 401, 404, rules=rules.CURSOR),
    summary="Payment history, newest first, the last 36 months",
)
def list_payments(
    account_id: PathId,
    _account: ListedAccount,
    conn: Conn,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor_: CursorQuery = None,
) -> PaymentPage:
    after = cursor.decode_datetime_id(cursor_)
    since = datetime.combine(history_start(clock.today(conn)), datetime.min.time())
    rows, total = store.history_page(conn, account_id, since, limit, after)
    page, next_cursor = cursor.page(rows, limit, lambda r: (r["created_at"].isoformat(), r["id"]))
    ids = [r["id"] for r in page]
    parts = store.parts(conn, ids)
    allocations = store.allocations_of(conn, ids)
    refunds = refund_store.of_payments(conn, ids)
    return PaymentPage(
        items=[
            views.payment(r, parts.get(r["id"], []), allocations.get(r["id"], []), refunds.get(r["id"], []))
            for r in page
        ],
        next_cursor=next_cursor,
        total_count=total,
    )
