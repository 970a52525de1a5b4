"""PUT /v1/accounts/{account_id}/autopay: enrol with a saved method of the account, change it, or cancel.
Audited with the caller as actor; the answer is the account (with autopay's next run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub.deps import PathId, UserDep, WriteConn, account_access
from backend_stub.errors import invalid, not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes import rules
from backend_stub.routes.accounts import account_view
from backend_stub.routes.common import errors
from backend_stub.schemas import Account, AutopayRequest
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import autopay as store
from backend_stub.store import methods as method_store

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

EnrolledAccount = Annotated[
    RowMapping, account_access(None, write=True, identity_checked=True)
]  # audited with the change


@router.put(
    "/v1/accounts/{account_id}/autopay",
    operation_id="setAutopay",
    response_model=Account,
    responses=errors(400, 401, 403, 404, rules=rules.AUTOPAY),
    summary="Turn autopay on with a saved method, change the method, or turn it off",
)
def set_autopay(
    account_id: PathId, body: AutopayRequest, user: UserDep, row: EnrolledAccount, conn: WriteConn
) -> Account:
    method_id = None
    if body.enabled:
        if body.payment_method_id is None:
            raise invalid(
                "Choose the saved payment method autopay should use.", "payment_method_id", "method_required"
            )
        method = method_store.one(conn, body.payment_method_id)
        if method is None or method["account_id"] != account_id:
            raise not_found("No such payment method on this account.").with_param("payment_method_id")
        method_id = method["id"]
    store.enrol(conn, account_id, method_id)
    audit.record(
        conn,
        user.id,
        "autopay.update",
        account_id,
        enabled={"old": row["autopay_enabled"], "new": body.enabled},
        payment_method_id={"old": row["autopay_method_id"], "new": method_id},
    )
    row = account_store.visible_account(conn, user, account_id)
    assert row is not None
    return account_view(conn, row)
