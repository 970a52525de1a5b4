"""Sign-up by email on file, set-password links, password login and forgotten passwords.

Links carry a 32-byte token from `secrets`, stored as sha256, single use, 1 hour of life. Passwords are
hashed with argon2id (password_hashing.py: on the thread pool, a few at a time, outside any write
transaction). Every flow is throttled per email and client address, per client address and per email in
total (throttles.py), known email or not, and no answer tells whether an email is on file: sign-up and
reset always answer 202, a wrong password and an unknown email the same 401. Nor does the time they
take: an unknown email's request does the same statements as a known one's (a decoy link and a decoy
email written where nothing is delivered, store/throttles.py) and its login the same argon2 verify."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from sqlalchemy import Connection, Engine, RowMapping
from starlette.concurrency import run_in_threadpool

from backend_stub import mail, password_hashing, throttles, views
from backend_stub.client_address import client_address
from backend_stub.clock import utcnow
from backend_stub.deps import EngineDep, SettingsDep, token_hash
from backend_stub.errors import ApiError, invalid
from backend_stub.one_trip import OneTripRoute
from backend_stub.password_rules import password_problem
from backend_stub.routes import rules
from backend_stub.routes.common import errors
from backend_stub.schemas import (
    ForgotRequest,
    LinkSent,
    Login,
    PasswordLogin,
    PasswordSet,
    PasswordSetDone,
    SignupRequest,
    User,
)
from backend_stub.settings import Settings
from backend_stub.store import auth as auth_store
from backend_stub.store import passwords as store
from backend_stub.store import throttles as throttle_store
from backend_stub.store.db import reading, writing

router = APIRouter(tags=["auth"], route_class=OneTripRoute)

SIGNUP_SENT = LinkSent(
    status="sent", message="If that email is on an account, a link to set your password is on its way."
)
RESET_SENT = LinkSent(
    status="sent", message="If those match an account, a link to reset your password is on its way."
)


def limit_requests(
    conn: Connection,
    kind: str,
    key: str,
    allowed: int,
    now: datetime,
    param: str = "email",
    window: timedelta = timedelta(minutes=15),
) -> ApiError | None:
    """Count this request against one key's allowance; the 429 to answer when `key` is over it (nothing
    counted then). The routes here hold requests against three limits each (throttles.py)."""
    limit = throttles.Limit(kind, key, allowed, "")
    refused = throttles.refusal(conn, [limit], window, now, "tries", param)
    if refused is None:
        throttles.count(conn, [limit], now)
    return refused


def _limits(flow: str, settings: Settings, email: str, client: str) -> list[throttles.Limit]:
    if flow == "login":
        per = (
            settings.login_tries_per_window,
            settings.login_tries_per_email,
            settings.login_tries_per_address,
        )
    else:
        per = (
            settings.password_requests_per_window,
            settings.password_requests_per_email,
            settings.password_requests_per_address,
        )
    return throttles.three_limits(flow, email, client, *per, "for this email")


def _admit(conn: Connection, flow: str, settings: Settings, email: str, client: str, now: datetime) -> None:
    window = timedelta(seconds=settings.throttle_window_seconds)
    throttles.admit(conn, _limits(flow, settings, email, client), window, now, "tries", "email", flow)


def _send_link(
    conn: Connection,
    settings: Settings,
    user: auth_store.User | None,
    email: str,
    purpose: str,
    now: datetime,
) -> None:
    """Issue a link and email it to `user`; with no user, the same work on decoy rows, and no email."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.password_token_ttl_seconds)
    if user is None:
        throttle_store.decoy_token(conn, throttle_store.decoy_key(email), now)
    else:
        store.issue_token(conn, user.id, token_hash(token), purpose, now, expires_at)
    minutes = max(1, settings.password_token_ttl_seconds // 60)
    link = f"paydesk://set-password?token={token}"
    if purpose == "signup":
        subject, why, kind = "Set your Paydesk password", "finish signing up for Paydesk", "signup"
    else:
        subject, why, kind = "Reset your Paydesk password", "choose a new Paydesk password", "password_reset"
    text = (
        f"Hello {user.name if user else email},\n\nTo {why}, open this link in the Paydesk app:\n\n{link}\n\n"
        f"or paste this code into it: {token}\n\nIt works once and expires in {minutes} minutes. "
        "If you did not ask for it, you can ignore this email.\n"
    )
    if user is None:
        throttle_store.decoy_mail(conn, kind, now)
    else:
        mail.send(conn, user.email, subject, text, kind=kind)


def _lookup(conn: Connection, email: str) -> tuple[auth_store.User | None, list[RowMapping]]:
    """The user with that email and the accounts that carry it: two statements, whoever it is."""
    return auth_store.user_by_email(conn, email), store.accounts_with_email(conn, email)


def _user_for_email(
    conn: Connection, email: str, now: datetime, found: tuple[auth_store.User | None, list[RowMapping]]
) -> auth_store.User | None:
    """The user with that email; one is made (a customer linked to those accounts) when the email is on
    accounts but nobody has signed up with it yet (once per email: that first sign-up writes the user)."""
    user, accounts = found
    if user is not None or not accounts:
        return user
    name = views.full_name(accounts[0]["first_name"], accounts[0]["last_name"])
    store.create_customer(conn, email, name, [a["id"] for a in accounts], now)
    return auth_store.user_by_email(conn, email)


@router.post(
    "/v1/auth/signup",
    operation_id="signup",
    status_code=202,
    response_model=LinkSent,
    responses=errors(400, 429),
    summary="Email a link to set a password, for an email on file",
)
async def signup(body: SignupRequest, request: Request, engine: EngineDep, settings: SettingsDep) -> LinkSent:
    email = body.email.strip().lower()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "signup")
    await run_in_threadpool(_signup, engine, settings, email, client)
    return SIGNUP_SENT


def _signup(engine: Engine, settings: Settings, email: str, client: str) -> None:
    now = utcnow()
    with writing(engine) as conn:
        _admit(conn, "signup", settings, email, client, now)
        user = _user_for_email(conn, email, now, _lookup(conn, email))
        _send_link(conn, settings, user, email, "signup", now)


@router.post(
    "/v1/auth/password/forgot",
    operation_id="forgotPassword",
    status_code=202,
    response_model=LinkSent,
    responses=errors(400, 429),
    summary="Email a reset link when the account number and the email match",
)
async def forgot_password(
    body: ForgotRequest, request: Request, engine: EngineDep, settings: SettingsDep
) -> LinkSent:
    email = body.email.strip().lower()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "reset")
    await run_in_threadpool(_forgot, engine, settings, body.account_number.strip(), email, client)
    return RESET_SENT


def _forgot(engine: Engine, settings: Settings, account_number: str, email: str, client: str) -> None:
    now = utcnow()
    with writing(engine) as conn:
        _admit(conn, "reset", settings, email, client, now)
        matched = store.account_matches(conn, account_number, email)
        found = _lookup(conn, email)  # looked up either way: a match and none do the same work
        user = _user_for_email(conn, email, now, found) if matched else None
        _send_link(conn, settings, user, email, "reset", now)


def _token_error(code: str, message: str) -> ApiError:
    return invalid(message, "token", code)


def _token_problem(row: RowMapping | None, now: datetime) -> ApiError | None:
    if row is None:
        return _token_error("invalid_token", "That link is not valid: ask for a new one.")
    if row["used_at"] is not None:
        return _token_error(
            "token_used", "That link was already used or replaced by a newer one: ask for a new one."
        )
    if row["expires_at"] <= now:
        return _token_error("token_expired", "That link has expired: ask for a new one.")
    return None


def _usable_token(engine: Engine, hashed: str) -> RowMapping:
    with reading(engine) as conn:
        row = store.token(conn, hashed)
    problem = _token_problem(row, utcnow())
    if problem is not None:
        raise problem
    assert row is not None
    return row


def _store_password(engine: Engine, hashed: str, password_hash: str) -> None:
    now = utcnow()
    with writing(engine) as conn:
        row = store.token(conn, hashed)
        problem = _token_problem(row, now)
        if problem is not None:
            raise problem
        assert row is not None
        if not store.use_token(conn, row["id"], now):
            raise _token_error("token_used", "That link was already used: ask for a new one.")
        store.set_password(conn, row["user_id"], password_hash, now)


@router.post(
    "/v1/auth/password/set",
    operation_id="setPassword",
    response_model=PasswordSetDone,
    responses=errors(400, rules=rules.PASSWORD_SET),
    summary="Set a password with the token from a sign-up or reset email",
)
async def set_password(body: PasswordSet, engine: EngineDep, settings: SettingsDep) -> PasswordSetDone:
    raw = body.token.strip()
    if "token=" in raw:  # the whole link pasted
        raw = raw.split("token=", 1)[1].split("&", 1)[0]
    hashed = token_hash(raw)
    row = await run_in_threadpool(_usable_token, engine, hashed)
    problem = password_problem(body.password, row["email"])
    if problem is not None:
        raise invalid(problem, "password", "weak_password")
    # Hashed before the write transaction, which checks the link again (it may have been used meanwhile).
    password_hash = await password_hashing.hash_password(body.password, settings.password_hashes_at_once)
    await run_in_threadpool(_store_password, engine, hashed, password_hash)
    return PasswordSetDone(status="password_set")


def _invalid_credentials() -> ApiError:
    return ApiError(401, "authentication", "invalid_credentials", "That email and password do not match.")


@router.post(
    "/v1/auth/login",
    operation_id="loginWithPassword",
    response_model=Login,
    responses=errors(400, 401, 429),
    summary="Trade an email and password for a session token",
)
async def login(body: PasswordLogin, request: Request, engine: EngineDep, settings: SettingsDep) -> Login:
    email = body.email.strip().lower()
    client = client_address(request, settings.trusted_proxies)
    await throttles.pace(engine, settings, "login")
    # The try is counted (and committed) before the password is checked, outside that transaction.
    found = await run_in_threadpool(_login_try, engine, settings, email, client)
    user, stored = found if found is not None else (None, None)
    at_once = settings.password_hashes_at_once
    if not await password_hashing.verify(stored, body.password, at_once) or user is None:
        raise _invalid_credentials()
    assert stored is not None
    rehashed = (
        await password_hashing.hash_password(body.password, at_once)
        if password_hashing.needs_rehash(stored)
        else None
    )
    return await run_in_threadpool(_start_session, engine, settings, user, rehashed)


def _login_try(
    engine: Engine, settings: Settings, email: str, client: str
) -> tuple[auth_store.User, str | None] | None:
    with writing(engine) as conn:
        _admit(conn, "login", settings, email, client, utcnow())
        return store.login_identity(conn, email)


def _start_session(engine: Engine, settings: Settings, user: auth_store.User, rehashed: str | None) -> Login:
    now = utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    with writing(engine) as conn:
        if rehashed is not None:
            store.rehash(conn, user.id, rehashed)
        auth_store.create_session(conn, user.id, token_hash(token), now, expires_at)
    return Login(
        token=token,
        expires_at=expires_at,
        user=User(id=user.id, email=user.email, name=user.name, role=user.role),  # type: ignore[arg-type]
    )
