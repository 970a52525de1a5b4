"""POST /v1/guest/lookup: a one-time payment without registering. The account number (exact) and the last
name (exact, any case) open a guest session of 30 minutes that can view the account's open invoices and make
one payment (see deps.py for what a guest may call). A wrong pair never says which part was wrong; lookups
are rate limited per client address and per account number."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request

from backend_stub.clock import utcnow
from backend_stub.deps import EngineDep, SettingsDep, token_hash
from backend_stub.errors import ApiError
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.common import errors
from backend_stub.routes.passwords import limit_requests
from backend_stub.schemas import GuestLookup, GuestSession
from backend_stub.store import guest as store
from backend_stub.store.db import writing

router = APIRouter(tags=["guest"], route_class=OneTripRoute)

GUEST_TTL = timedelta(minutes=30)
# Per account number: guessing last names for one account is the attack. Per client address: more room,
# since many people may share one address (an office, a carrier's NAT).
LOOKUPS_PER_ACCOUNT = 10
LOOKUPS_PER_CLIENT = 30


@router.post(
    "/v1/guest/lookup",
    operation_id="guestLookup",
    response_model=GuestSession,
    responses=errors(400, 404, 429),
    summary="Find an account by number and last name for a one-time payment",
)
def guest_lookup(
    body: GuestLookup, request: Request, engine: EngineDep, settings: SettingsDep
) -> GuestSession:
    number, last_name = body.account_number.strip(), body.last_name.strip()
    client = request.client.host if request.client else "unknown"
    now = utcnow()
    outcome: ApiError | GuestSession
    with writing(engine) as conn:
        limited = limit_requests(conn, "guest_ip", client, LOOKUPS_PER_CLIENT, now, "account_number") or (
            limit_requests(conn, "guest_account", number, LOOKUPS_PER_ACCOUNT, now, "account_number")
        )
        account = None if limited else store.find_account(conn, number, last_name)
        if limited:
            outcome = limited
        elif account is None:
            outcome = ApiError(
                404,
                "not_found",
                "account_not_found",
                "We could not find an account with that number and last name: check both and try again.",
            )
        else:
            token = secrets.token_urlsafe(32)
            expires_at = now + GUEST_TTL
            store.create(conn, account["id"], token_hash(token), now, expires_at)
            outcome = GuestSession(token=token, account_id=account["id"], expires_at=expires_at)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome
