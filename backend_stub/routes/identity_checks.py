"""POST /v1/accounts/{account_id}/identity-checks: a clerk records checking the caller's identity (what
was checked, passed or not). Audited as identity_check.passed / identity_check.failed."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub.clock import utcnow
from backend_stub.deps import PathId, WriteConn, account_access, clerk_only
from backend_stub.identity_gate import CHECK_LASTS
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.common import errors
from backend_stub.schemas.identity_checks import IdentityCheck, IdentityCheckIn
from backend_stub.store import audit
from backend_stub.store import identity_checks as store
from backend_stub.store.auth import User

router = APIRouter(tags=["clerk"], route_class=OneTripRoute)

Clerk = Annotated[User, clerk_only("Only clerks record identity checks.")]
CheckedAccount = Annotated[RowMapping, account_access(None, write=True)]  # audited with the check


@router.post(
    "/v1/accounts/{account_id}/identity-checks",
    operation_id="createIdentityCheck",
    status_code=201,
    response_model=IdentityCheck,
    responses=errors(400, 401, 403, 404),
    summary="Record a clerk's identity check of the caller (passed for 30 minutes of real time)",
)
def create_identity_check(
    account_id: PathId, body: IdentityCheckIn, clerk: Clerk, _account: CheckedAccount, conn: WriteConn
) -> IdentityCheck:
    now = utcnow().replace(microsecond=0)
    row = store.create(
        conn,
        account_id=account_id,
        clerk_id=clerk.id,
        checked=body.checked,
        passed=body.passed,
        now=now,
        expires_at=now + CHECK_LASTS,
    )
    action = "identity_check.passed" if body.passed else "identity_check.failed"
    audit.record(conn, clerk.id, action, account_id, identity_check_id=row["id"], checked=body.checked)
    return IdentityCheck(
        id=row["id"],
        account_id=account_id,
        checked=json.loads(row["checked"]),
        passed=row["passed"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )
