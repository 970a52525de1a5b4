"""PUT /v1/accounts/{account_id}/autopay: enrol with a saved method of the account, change it, or cancel.
Audited with the caller as actor; the answer is the account (with autopay's next run).

A method whose payments take a fee (its `autopay_fee`) is enrolled only with those terms accepted
(`accepted_fee_terms`), and the account keeps them: a run under other terms is skipped, never charged."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub.billing.fees import StandingTerms, standing_terms
from backend_stub.billing.labels import method_label
from backend_stub.deps import PathId, SettingsDep, UserDep, WriteConn, account_access
from backend_stub.errors import ApiError, invalid, not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.payments.plan import policy_of
from backend_stub.routes import rules
from backend_stub.routes.accounts import account_view
from backend_stub.routes.common import errors
from backend_stub.schemas import Account, AutopayRequest, FeeTermsIn
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
    responses=errors(400, 401, 403, 404, 409, rules=rules.AUTOPAY),
    summary="Turn autopay on with a saved method, change the method, or turn it off",
)
def set_autopay(
    account_id: PathId,
    body: AutopayRequest,
    user: UserDep,
    row: EnrolledAccount,
    conn: WriteConn,
    settings: SettingsDep,
) -> Account:
    method_id = None
    terms: StandingTerms | None = None
    if body.enabled:
        if body.payment_method_id is None:
            raise invalid(
                "Choose the saved payment method autopay should use.", "payment_method_id", "method_required"
            )
        method = method_store.one(conn, body.payment_method_id)
        if method is None or method["account_id"] != account_id:
            raise not_found("No such payment method on this account.").with_param("payment_method_id")
        method_id = method["id"]
        terms = standing_terms(method["type"], method["funding"], policy_of(settings))
        if _accepted(body.accepted_fee_terms) != terms:
            raise _terms_not_accepted(method, terms)
    store.enrol(conn, account_id, method_id, json.dumps(terms.as_dict()) if terms else None)
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


def _accepted(sent: FeeTermsIn | None) -> StandingTerms | None:
    if sent is None:
        return None
    return StandingTerms(sent.kind, sent.amount_cents, sent.basis_points)


def _terms_not_accepted(method: RowMapping, terms: StandingTerms | None) -> ApiError:
    label = method_label(method["type"], method["brand"], method["last4"], method["bank_name"])
    if terms is None:
        message = f"Autopay with {label} takes no fee: send no accepted_fee_terms."
    else:
        message = f"Autopay with {label} takes a {terms.description[0].lower()}{terms.description[1:]}: "
        message += "show it and send it as accepted_fee_terms to turn autopay on."
    return ApiError(409, "conflict", "fees_changed", message, "accepted_fee_terms")
