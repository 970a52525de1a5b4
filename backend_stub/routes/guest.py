"""POST /v1/guest/lookup: a one-time payment without registering. The account number (exact) and the last
name (exact, any case) open a guest session of 30 minutes that can view the account's open invoices and make
one payment (see deps.py for what a guest may call). A wrong pair never says which part was wrong; lookups
are throttled per account number and client address, per client address and per account number in total
(throttles.py): guessing last names for one account is the attack, and someone guessing from elsewhere does
not keep the account's owner from paying."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from backend_stub import throttles
from backend_stub.client_address import client_address
from backend_stub.clock import utcnow
from backend_stub.deps import EngineDep, SettingsDep, token_hash
from backend_stub.errors import ApiError
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.common import errors
from backend_stub.schemas import GuestLookup, GuestSession
from backend_stub.settings import Settings
from backend_stub.store import guest as store
from backend_stub.store.db import writing

router = APIRouter(tags=["guest"], route_class=OneTripRoute)

GUEST_TTL = timedelta(minutes=30)


def lookup_limits(settings: Settings, number: str, client: str) -> list[throttles.Limit]:
    return throttles.three_limits(
        "guest",
        number,
        client,
        settings.guest_lookups_per_window,
        settings.guest_lookups_per_account,
        settings.guest_lookups_per_address,
        "for this account",
    )


@router.post(
    "/v1/guest/lookup",
    operation_id="guestLookup",
    response_model=GuestSession,
    responses=errors(400, 404, 429),
    summary="Find an account by number and last name for a one-time payment",
)
async def guest_lookup(
    body: GuestLookup, request: Request, engine: EngineDep, settings: SettingsDep
) -> GuestSession:
    number, last_name = body.account_number.strip(), body.last_name.strip()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "guest")
    return await run_in_threadpool(_lookup, engine, settings, number, last_name, client)


def _lookup(engine: Engine, settings: Settings, number: str, last_name: str, client: str) -> GuestSession:
    now = utcnow()
    window = timedelta(seconds=settings.throttle_window_seconds)
    with writing(engine) as conn:
        throttles.admit(
            conn, lookup_limits(settings, number, client), window, now, "lookups", "account_number", "guest"
        )
        account = store.find_account(conn, number, last_name)
        if account is not None:
            token = secrets.token_urlsafe(32)
            expires_at = now + GUEST_TTL
            store.create(conn, account["id"], token_hash(token), now, expires_at)
            return GuestSession(token=token, account_id=account["id"], expires_at=expires_at)
    # After the commit: the lookup is counted although the answer is an error.
    raise ApiError(
        404,
        "not_found",
        "account_not_found",
        "We could not find an account with that number and last name: check both and try again.",
    )
