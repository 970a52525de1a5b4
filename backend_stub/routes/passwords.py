"""Sign-up by email on file, set-password links, password login and forgotten passwords.

Links carry a 32-byte token from `secrets`, stored as sha256, single use, 1 hour of life. Passwords are
hashed with argon2id (argon2-cffi's defaults). Every flow is rate limited per email, known or not, and no
answer tells whether an email is on file: sign-up and reset always answer 202, a wrong password and an
unknown email the same 401."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter
from sqlalchemy import Connection

from backend_stub import mail, views
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
from backend_stub.store.db import writing

router = APIRouter(tags=["auth"], route_class=OneTripRoute)

hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take as long.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
WINDOW = timedelta(minutes=15)
SIGNUP_SENT = LinkSent(
    status="sent", message="If that email is on an account, a link to set your password is on its way."
)
RESET_SENT = LinkSent(
    status="sent", message="If those match an account, a link to reset your password is on its way."
)


def limit_requests(
    conn: Connection, kind: str, key: str, allowed: int, now: datetime, param: str = "email"
) -> ApiError | None:
    """Count this request; the 429 to answer when `key` is over its allowance (nothing counted then)."""
    auth_store.lock_email(conn, f"{kind}:{key}")
    recent = store.requests_since(conn, kind, key, now - WINDOW)
    if len(recent) >= allowed:
        wait = max(1, math.ceil((recent[0] + WINDOW - now).total_seconds()))
        return ApiError(
            429,
            "rate_limited",
            "too_many_requests",
            f"Too many tries: wait {wait} seconds and try again.",
            param,
            headers={"Retry-After": str(wait)},
        )
    store.record_request(conn, kind, key, now)
    return None


def _send_link(
    conn: Connection, settings: Settings, user: auth_store.User, purpose: str, now: datetime
) -> None:
    token = secrets.token_urlsafe(32)
    store.issue_token(
        conn,
        user.id,
        token_hash(token),
        purpose,
        now,
        now + timedelta(seconds=settings.password_token_ttl_seconds),
    )
    minutes = max(1, settings.password_token_ttl_seconds // 60)
    link = f"paydesk://set-password?token={token}"
    if purpose == "signup":
        subject, why, kind = "Set your Paydesk password", "finish signing up for Paydesk", "signup"
    else:
        subject, why, kind = "Reset your Paydesk password", "choose a new Paydesk password", "password_reset"
    mail.send(
        conn,
        user.email,
        subject,
        f"Hello {user.name},\n\nTo {why}, open this link in the Paydesk app:\n\n{link}\n\n"
        f"or paste this code into it: {token}\n\nIt works once and expires in {minutes} minutes. "
        "If you did not ask for it, you can ignore this email.\n",
        kind=kind,
    )


def _user_for_email(conn: Connection, email: str, now: datetime) -> auth_store.User | None:
    """The user with that email; one is made (a customer linked to those accounts) when the email is on
    accounts but nobody has signed up with it yet."""
    user = auth_store.user_by_email(conn, email)
    if user is not None:
        return user
    accounts = store.accounts_with_email(conn, email)
    if not accounts:
        return None
    name = views.full_name(accounts[0]["first_name"], accounts[0]["last_name"])
    store.create_customer(conn, email, name, [a["id"] for a in accounts], now)
    return auth_store.user_by_email(conn, email)


def _raise_after(outcome: ApiError | None) -> None:
    if outcome is not None:
        raise outcome


@router.post(
    "/v1/auth/signup",
    operation_id="signup",
    status_code=202,
    response_model=LinkSent,
    responses=errors(400, 429),
    summary="Email a link to set a password, for an email on file",
)
def signup(body: SignupRequest, engine: EngineDep, settings: SettingsDep) -> LinkSent:
    email, now = body.email.strip().lower(), utcnow()
    with writing(engine) as conn:
        limited = limit_requests(conn, "signup", email, settings.password_requests_per_window, now)
        if limited is None and (user := _user_for_email(conn, email, now)) is not None:
            _send_link(conn, settings, user, "signup", now)
    _raise_after(limited)
    return SIGNUP_SENT


@router.post(
    "/v1/auth/password/forgot",
    operation_id="forgotPassword",
    status_code=202,
    response_model=LinkSent,
    responses=errors(400, 429),
    summary="Email a reset link when the account number and the email match",
)
def forgot_password(body: ForgotRequest, engine: EngineDep, settings: SettingsDep) -> LinkSent:
    email, now = body.email.strip().lower(), utcnow()
    with writing(engine) as conn:
        limited = limit_requests(conn, "reset", email, settings.password_requests_per_window, now)
        if limited is None and store.account_matches(conn, body.account_number.strip(), email):
            user = _user_for_email(conn, email, now)
            if user is not None:
                _send_link(conn, settings, user, "reset", now)
    _raise_after(limited)
    return RESET_SENT


def _token_error(code: str, message: str) -> ApiError:
    return invalid(message, "token", code)


@router.post(
    "/v1/auth/password/set",
    operation_id="setPassword",
    response_model=PasswordSetDone,
    responses=errors(400, rules=rules.PASSWORD_SET),
    summary="Set a password with the token from a sign-up or reset email",
)
def set_password(body: PasswordSet, engine: EngineDep) -> PasswordSetDone:
    raw = body.token.strip()
    if "token=" in raw:  # the whole link pasted
        raw = raw.split("token=", 1)[1].split("&", 1)[0]
    now = utcnow()
    with writing(engine) as conn:
        row = store.token(conn, token_hash(raw))
        if row is None:
            raise _token_error("invalid_token", "That link is not valid: ask for a new one.")
        if row["used_at"] is not None:
            raise _token_error(
                "token_used", "That link was already used or replaced by a newer one: ask for a new one."
            )
        if row["expires_at"] <= now:
            raise _token_error("token_expired", "That link has expired: ask for a new one.")
        problem = password_problem(body.password, row["email"])
        if problem is not None:
            raise invalid(problem, "password", "weak_password")
        if not store.use_token(conn, row["id"], now):
            raise _token_error("token_used", "That link was already used: ask for a new one.")
        store.set_password(conn, row["user_id"], hasher.hash(body.password), now)
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
def login(body: PasswordLogin, engine: EngineDep, settings: SettingsDep) -> Login:
    email, now = body.email.strip().lower(), utcnow()
    outcome: ApiError | Login
    # The try is counted even when the answer is an error: decide inside the transaction, raise after.
    with writing(engine) as conn:
        outcome = limit_requests(
            conn, "login", email, settings.login_tries_per_window, now
        ) or _check_password(conn, settings, email, body.password, now)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def _check_password(
    conn: Connection, settings: Settings, email: str, password: str, now: datetime
) -> ApiError | Login:
    user = auth_store.user_by_email(conn, email)
    stored = store.password_hash(conn, user.id) if user is not None else None
    try:
        hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return _invalid_credentials()
    if user is None or stored is None:
        return _invalid_credentials()
    if hasher.check_needs_rehash(stored):
        store.rehash(conn, user.id, hasher.hash(password))
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=settings.token_ttl_seconds)
    auth_store.create_session(conn, user.id, token_hash(token), now, expires_at)
    return Login(
        token=token,
        expires_at=expires_at,
        user=User(id=user.id, email=user.email, name=user.name, role=user.role),  # type: ignore[arg-type]
    )
