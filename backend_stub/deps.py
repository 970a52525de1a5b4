"""What routes depend on: the engine, the settings, the signed-in user, transactions by role."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from backend_stub.clock import utcnow
from backend_stub.errors import guest_forbidden, not_authenticated
from backend_stub.schemas import MAX_ID
from backend_stub.settings import Settings
from backend_stub.store import auth as auth_store
from backend_stub.store import guest as guest_store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", description="The token from POST /v1/auth/code/verify."
)

# An id in a path: a positive integer. Anything else (a word, 0, a huge number) answers 404, not 400.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise not_authenticated()
    return credentials.credentials


def current_caller(
    token: Annotated[str, Depends(current_token)], engine: Annotated[Engine, Depends(get_engine)]
) -> User:
    """A signed-in user, or a guest (one-time payment session) as a User with role "guest". Only the
    routes a guest may call depend on this: summary, open invoices, one invoice, quote, one payment."""
    hashed, now = token_hash(token), utcnow()
    with reading(engine) as conn:
        user = auth_store.user_by_token_hash(conn, hashed, now)
        if user is None:
            session = guest_store.live_session(conn, hashed, now)
            if session is not None:
                user = User(
                    id=0,
                    email="",
                    name="Guest",
                    role="guest",
                    account_id=session["account_id"],
                    session_id=session["id"],
                )
    if user is None:
        raise not_authenticated()
    return user


def current_user(caller: Annotated[User, Depends(current_caller)]) -> User:
    """A signed-in user; a guest token is refused (403) on every route but the few it may call."""
    if caller.is_guest:
        raise guest_forbidden()
    return caller


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UserDep = Annotated[User, Depends(current_user)]
CallerDep = Annotated[User, Depends(current_caller)]


@contextmanager
def transaction_for(engine: Engine, user: User) -> Iterator[Connection]:
    """A clerk's reads are audited (they write a row), so a clerk gets a write transaction."""
    with (writing if user.is_clerk else reading)(engine) as conn:
        yield conn
