"""POST /v1/accounts/{account_id}/email/confirm: the code sent to the new billing email makes it the
account's email (email_change.py). The customer types it, or a clerk the customer reads it to on the
phone (with a passed identity check, like any profile change)."""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub import email_change, identity_gate
from backend_stub.clock import utcnow
from backend_stub.deps import EngineDep, PathId, SettingsDep, UserDep
from backend_stub.errors import ApiError, not_found
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.accounts import account_view
from backend_stub.routes.common import errors
from backend_stub.schemas import Account, ErrorBody
from backend_stub.schemas.email_change import EmailConfirm
from backend_stub.store import accounts as account_store
from backend_stub.store.db import writing

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)


@router.post(
    "/v1/accounts/{account_id}/email/confirm",
    operation_id="confirmEmailChange",
    response_model=Account,
    responses={
        **errors(400, 401, 403, 404),
        409: {"model": ErrorBody, "description": "No email change is waiting for a code."},
        429: {"model": ErrorBody, "description": "Five wrong codes: the change is dead, ask again."},
    },
    summary="Make the pending billing email the account's email with the code sent to it",
)
def confirm_email(
    account_id: PathId, body: EmailConfirm, user: UserDep, engine: EngineDep, settings: SettingsDep
) -> Account:
    outcome: ApiError | Account
    # A wrong code must be counted though the answer is an error: decide inside the transaction, raise
    # after it commits (the request's WriteConn would roll the count back).
    with writing(engine) as conn:
        row = account_store.visible_account(conn, user, account_id)
        if row is None:
            raise not_found("No such account.")
        identity_gate.require(conn, user, account_id)
        refused = email_change.confirm_change(conn, settings, user, row, body.code, utcnow())
        if refused is None:
            changed = account_store.visible_account(conn, user, account_id)
            assert changed is not None
            outcome = account_view(conn, changed)
        else:
            outcome = refused
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome
