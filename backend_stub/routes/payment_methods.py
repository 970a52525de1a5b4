"""Saved payment methods: list, add (tokenised by the processor), make default, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from sqlalchemy import RowMapping

from backend_stub import clock, identity_gate, views
from backend_stub.billing.instruments import BankInput, CardInput, check_bank, check_card
from backend_stub.deps import Conn, EngineDep, PathId, SettingsDep, UserDep, WriteConn, account_access
from backend_stub.errors import ApiError, not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.payments.plan import policy_of
from backend_stub.payments.record import save_method
from backend_stub.payments.refusals import to_error
from backend_stub.routes import rules
from backend_stub.routes.common import errors
from backend_stub.schemas import (
    NewMethodIn,
    PaymentMethod,
    PaymentMethodPage,
    PaymentMethodPatch,
)
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import methods as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

router = APIRouter(tags=["payment methods"], route_class=OneTripRoute)

ListedAccount = Annotated[RowMapping, account_access("payment_methods.list")]


@router.get(
    "/v1/accounts/{account_id}/payment-methods",
    operation_id="listPaymentMethods",
    response_model=PaymentMethodPage,
    responses=errors(401, 404),
)
def list_methods(
    account_id: PathId, _account: ListedAccount, conn: Conn, settings: SettingsDep
) -> PaymentMethodPage:
    rows = store.of_account(conn, account_id)
    policy = policy_of(settings)
    return PaymentMethodPage(
        items=[views.payment_method(r, policy) for r in rows], next_cursor=None, total_count=len(rows)
    )


@router.post(
    "/v1/accounts/{account_id}/payment-methods",
    operation_id="addPaymentMethod",
    status_code=201,
    response_model=PaymentMethod,
    responses=errors(400, 401, 402, 403, 404, rules=rules.INSTRUMENTS),
)
def add_method(
    account_id: PathId,
    body: NewMethodIn,
    request: Request,
    user: UserDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> PaymentMethod:
    processor = request.app.state.processor
    with reading(engine) as conn:
        if account_store.visible_account(conn, user, account_id) is None:
            raise not_found("No such account.")
        identity_gate.require(conn, user, account_id)
        today = clock.today(conn)
    if body.type == "card":
        card = CardInput(body.number, body.exp_month, body.exp_year, body.cvc)
        problems = check_card(card, today, "method")
        if problems:
            raise to_error(problems[0])
        token = processor.tokenize_card(card)
        decline = processor.verify(token.token)
        if decline is not None:
            raise ApiError(
                402,
                "payment",
                "card_declined",
                decline.message,
                "method",
                extra={"decline_code": decline.decline_code},
            )
    else:
        bank = BankInput(body.routing_number, body.account_number, body.account_type)
        problems = check_bank(bank, "method")
        if problems:
            raise to_error(problems[0])
        token = processor.tokenize_bank(bank)
    with writing(engine) as conn:
        method_id = save_method(conn, account_id, token)
        _audit(conn, user, account_id, "payment_method.add", method_id)
        row = store.one(conn, method_id)
    assert row is not None
    return views.payment_method(row, policy_of(settings))


def _own_method(conn, user: User, method_id: int):  # type: ignore[no-untyped-def]
    row = store.one(conn, method_id)
    if row is None or account_store.visible_account(conn, user, row["account_id"]) is None:
        raise not_found("No such payment method.")
    return row


def _audit(conn, user: User, account_id: int, action: str, method_id: int) -> None:  # type: ignore[no-untyped-def]
    if user.is_clerk:
        audit.record(conn, user.id, action, account_id, payment_method_id=method_id)


@router.patch(
    "/v1/payment-methods/{method_id}",
    operation_id="updatePaymentMethod",
    response_model=PaymentMethod,
    responses=errors(400, 401, 403, 404),
    summary="Make a saved method the account's default",
)
def update_method(
    method_id: PathId, body: PaymentMethodPatch, user: UserDep, conn: WriteConn, settings: SettingsDep
) -> PaymentMethod:
    row = _own_method(conn, user, method_id)
    identity_gate.require(conn, user, row["account_id"])  # the default is a change to the account
    store.make_default(conn, row["account_id"], method_id)
    _audit(conn, user, row["account_id"], "payment_method.default", method_id)
    return views.payment_method(store.one(conn, method_id), policy_of(settings))


@router.delete(
    "/v1/payment-methods/{method_id}",
    operation_id="deletePaymentMethod",
    status_code=204,
    responses=errors(401, 403, 404, 409),
)
def delete_method(method_id: PathId, user: UserDep, conn: WriteConn) -> Response:
    row = _own_method(conn, user, method_id)
    identity_gate.require(conn, user, row["account_id"])
    if store.used_by_autopay(conn, method_id):
        raise ApiError(
            409,
            "conflict",
            "method_in_use",
            "Autopay pays with this method: turn autopay off or choose another method first.",
            "id",
        )
    store.delete(conn, method_id)
    if row["is_default"]:
        rest = store.of_account(conn, row["account_id"])
        if rest:
            store.make_default(conn, row["account_id"], rest[0]["id"])
    _audit(conn, user, row["account_id"], "payment_method.delete", method_id)
    return Response(status_code=204)
