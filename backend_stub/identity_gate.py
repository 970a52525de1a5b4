"""The identity gate: a clerk changes an account (pays, voids, refunds, schedules, sets autopay, adds,
removes or chooses the default method, edits the profile) only with a passed identity check of their own
on that account that has not expired. Customers are not gated: they signed in as themselves. The one place
the rule lives; `deps.account_access(..., identity_checked=True)` and the routes that find their account
later call it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from backend_stub.clock import utcnow
from backend_stub.errors import ApiError
from backend_stub.store import identity_checks
from backend_stub.store.auth import User

# Real time, not the business clock: the check is about this phone call.
CHECK_LASTS = timedelta(minutes=30)


def identity_check_required(param: str | None = None) -> ApiError:
    return ApiError(
        403,
        "permission",
        "identity_check_required",
        "Verify the caller's identity before acting on this account.",
        param,
    )


def require(conn: Connection, user: User, account_id: int, check_id: int | None = None) -> int | None:
    """The id of the clerk's live passed check on the account (with `check_id`: that one must be it);
    None for a customer. Raises 403 `identity_check_required` when a clerk has none."""
    if not user.is_clerk:
        return None
    row = identity_checks.live(conn, account_id, user.id, utcnow(), check_id)
    if row is None:
        raise identity_check_required("authorization.identity_check_id" if check_id is not None else None)
    return int(row["id"])
