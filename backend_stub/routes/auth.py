"""Login by emailed code, and logout.

Codes: 6 digits from `secrets`, stored as a peppered sha256, 10 minutes of life, single use; a new
request supersedes older codes; the 5th wrong try kills the code. Code requests and wrong codes are
throttled per email and client address, per client address and (requests) per email in total
(throttles.py), whether or not the email is known, and the answer never tells which it was: an unknown
email gets a code too, written like any other and never sent (a decoy row stands for its email).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from backend_stub import mail, throttles
from backend_stub.client_address import client_address
from backend_stub.clock import utcnow
from backend_stub.deps import EngineDep, SettingsDep, current_token, token_hash
from backend_stub.errors import ApiError, not_authenticated
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.common import errors
from backend_stub.schemas import CodeRequest, CodeSent, Login, User, VerifyRequest
from backend_stub.settings import Settings
from backend_stub.store import auth as store
from backend_stub.store import guest as guest_store
from backend_stub.store import meta
from backend_stub.store import throttles as throttle_store
from backend_stub.store.db import writing

router = APIRouter(tags=["auth"], route_class=OneTripRoute)

SENT = CodeSent(status="sent", message="If that email has an account, a code is on its way.")


def _code_hash(pepper: str, email: str, code: str) -> str:
    return hmac.new(pepper.encode(), f"{email}:{code}".encode(), hashlib.sha256).hexdigest()


def code_request_limits(settings: Settings, email: str, client: str) -> list[throttles.Limit]:
    return throttles.three_limits(
        "code",
        email,
        client,
        settings.code_requests_per_window,
        settings.code_requests_per_email,
        settings.code_requests_per_address,
        "for this email",
    )


def code_check_limits(settings: Settings, email: str, client: str) -> list[throttles.Limit]:
    """Wrong codes per email and address, and per address (each code dies at its 5th wrong try, and
    codes per email are limited: that bounds the guesses per email without a wall the owner could meet)."""
    return [
        throttles.Limit(
            "verify_pair",
            throttles.pair_key(email, client),
            settings.code_checks_per_window,
            "for this email",
        ),
        throttles.Limit("verify_ip", client, settings.code_checks_per_address, "from your network"),
    ]


@router.post(
    "/v1/auth/code",
    operation_id="requestLoginCode",
    status_code=202,
    response_model=CodeSent,
    responses=errors(400, 429),
    summary="Email a 6-digit sign-in code",
)
async def request_code(
    body: CodeRequest, request: Request, engine: EngineDep, settings: SettingsDep
) -> CodeSent:
    email = body.email.strip().lower()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "code")
    await run_in_threadpool(_request_code, engine, settings, email, client)
    return SENT


def _request_code(engine: Engine, settings: Settings, email: str, client: str) -> None:
    now = utcnow()
    window = timedelta(seconds=settings.code_request_window_seconds)
    with writing(engine) as conn:
        throttles.admit(
            conn,
            code_request_limits(settings, email, client),
            window,
            now,
            "code requests",
            "email",
            "code",
            again="ask again",
        )
        user = store.user_by_email(conn, email)
        # Known or not, the same work: a code is made and stored; only a known email is sent it.
        code = f"{secrets.randbelow(1_000_000):06d}"
        store.create_code(
            conn,
            email,
            _code_hash(meta.code_pepper(conn, settings.pepper), email, code),
            now,
            now + timedelta(seconds=settings.code_ttl_seconds),
        )
        minutes = max(1, settings.code_ttl_seconds // 60)
        text = (
            f"Hello {user.name if user else email},\n\nYour Paydesk sign-in code is {code}. It expires in "
            f"{minutes} minutes and works once.\n\nIf you did not ask for it, you can ignore this email.\n"
        )
        if user is None:  # no email to an address we do not know: a decoy where its email would be
            throttle_store.decoy_mail(conn, "login_code", now)
        else:
            mail.send(conn, user.email, "Your Paydesk sign-in code", text, kind="login_code")


def _invalid_code() -> ApiError:
    return ApiError(401, "authentication", "invalid_code", "That code is not right: check the email.", "code")


def _dead_code() -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "code_dead",
        "Too many wrong tries: this code no longer works. Ask for a new one.",
        "code",
    )


@router.post(
    "/v1/auth/code/verify",
    operation_id="verifyLoginCode",
    response_model=Login,
    responses=errors(400, 401, 429),
    summary="Trade a sign-in code for a session token",
)
async def verify_code(
    body: VerifyRequest, request: Request, engine: EngineDep, settings: SettingsDep
) -> Login:
    email = body.email.strip().lower()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "verify")
    outcome = await run_in_threadpool(_verify, engine, settings, email, body.code.strip(), client)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def _verify(engine: Engine, settings: Settings, email: str, code: str, client: str) -> ApiError | Login:
    now = utcnow()
    limits = code_check_limits(settings, email, client)
    window = timedelta(seconds=settings.code_request_window_seconds)
    # A wrong try must be counted even though the answer is an error: decide inside the transaction and
    # raise after it commits.
    with writing(engine) as conn:
        refused = throttles.refusal(conn, limits, window, now, "wrong codes", "code", "ask for a new code")
        if refused is not None:
            return refused
        outcome = _check_code(conn, settings, email, code, now)
        throttles.count(conn, limits if isinstance(outcome, ApiError) else [], now, "verify")
    return outcome


def _check_code(
    conn: Connection, settings: Settings, email: str, code: str, now: datetime
) -> ApiError | Login:
    row = store.latest_code(conn, email)
    if row is None or row.used_at is not None:
        return _invalid_code()
    if row.dead:
        return _dead_code()
    if row.expires_at <= now:
        return ApiError(
            401, "authentication", "code_expired", "That code has expired: ask for a new one.", "code"
        )
    expected = _code_hash(meta.code_pepper(conn, settings.pepper), email, code)
    if not hmac.compare_digest(expected, row.code_hash):
        return (
            _dead_code()
            if store.record_wrong_code(conn, row.id, settings.code_max_attempts)
            else _invalid_code()
        )
    user = store.user_by_email(conn, email)
    if user is None or not store.use_code(conn, row.id, now):
        return _invalid_code()
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    store.create_session(conn, user.id, token_hash(token), now, expires_at)
    return Login(
        token=token,
        expires_at=expires_at,
        user=User(id=user.id, email=user.email, name=user.name, role=user.role),  # type: ignore[arg-type]
    )


@router.post(
    "/v1/auth/logout",
    operation_id="logout",
    status_code=204,
    response_class=Response,
    responses=errors(401),
    summary="Revoke the session token",
)
def logout(token: Annotated[str, Depends(current_token)], engine: EngineDep) -> Response:
    with writing(engine) as conn:
        hashed = token_hash(token)
        if store.user_by_token_hash(conn, hashed, utcnow()) is None and (
            guest_store.live_session(conn, hashed, utcnow()) is None
        ):
            raise not_authenticated()
        store.revoke_session(conn, token_hash(token), utcnow())
    return Response(status_code=204)
