"""What routes depend on, stated in their signatures as stacked `Annotated` dependencies: the engine, the
settings, the caller (a user or a guest), the signed-in user, a clerk, the request's one transaction, and an
account the caller may open (checked and, for a clerk, audited in that same transaction).

No `from __future__ import annotations` here: `account_access` builds its dependency inside a function, and
FastAPI reads a dependency's annotations as objects, which a closure's string annotations cannot be."""

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine, RowMapping

from backend_stub import identity_gate, session_idle, shared_read
from backend_stub.clock import utcnow
from backend_stub.errors import ApiError, guest_forbidden, not_authenticated, not_found
from backend_stub.one_trip import in_request_thread
from backend_stub.schemas import MAX_ID
from backend_stub.settings import Settings
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import auth as auth_store
from backend_stub.store import guest as guest_store
from backend_stub.store.auth import User
from backend_stub.store.db import writing

bearer = HTTPBearer(
    auto_error=False, scheme_name="bearerAuth", description="The token from POST /v1/auth/code/verify."
)

# An id in a path: a positive integer. Anything else (a word, 0, a huge number) answers 404, not 400.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


# The dependencies that do no I/O are `async def`: FastAPI runs a sync one on the thread pool, one hop each.
# Those that do I/O, and the checks that take their results, are `@in_request_thread`: on a OneTripRoute
# (backend_stub.one_trip) they run with the endpoint, in the request's one trip to the thread pool.
async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def current_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise not_authenticated()
    return credentials.credentials


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


_HASHED = "paydesk.token_hash"  # in the request's scope: (token, its hash, now), made once per request


def _hashed(token: str, request: Request) -> tuple[str, datetime]:
    """The token's hash and the time, as the caller's check on the event loop found them (once each)."""
    seen = request.scope.get(_HASHED)
    if seen is not None and seen[0] is token:
        return seen[1], seen[2]
    hashed, now = token_hash(token), utcnow()
    request.scope[_HASHED] = (token, hashed, now)
    return hashed, now


def _caller_on_loop(token: str, engine: Engine, request: Request) -> bool:
    # A short read, unless a clerk's session is due its activity write (session_idle.py).
    return session_idle.quiet(*_hashed(token, request))


@in_request_thread(on_loop=_caller_on_loop)
def current_caller(
    token: Annotated[str, Depends(current_token)], engine: EngineDep, request: Request
) -> User:
    """A signed-in user, or a guest (one-time payment session) as a User with role "guest". Only the
    routes a guest may call depend on this: summary, open invoices, one invoice, quote, one payment.

    Its own short read: the caller's role decides which transaction the request's work gets. A clerk's
    session idle too long is refused (401 session_idle); a request the user made marks it active."""
    hashed, now = _hashed(token, request)
    with shared_read.offered_reading(engine) as offer:
        conn = offer.conn
        found = auth_store.signed_in(conn, hashed, now)
        user = found[0] if found else None
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
        offer.keep = user is not None and not user.is_clerk  # the request's read transaction goes on in it
    if user is None:
        raise not_authenticated()
    if found and user.is_clerk:
        _keep_clerk_session(request, engine, hashed, found[1], found[2], now)
    else:
        session_idle.remember(hashed, datetime.max)
    return user


def _keep_clerk_session(
    request: Request, engine: Engine, hashed: str, session_id: int, last_active: datetime, now: datetime
) -> None:
    """Refuse an idle clerk session; mark a user's request as activity (at most once an interval)."""
    idle_seconds = request.app.state.settings.clerk_idle_seconds
    if session_idle.is_idle(last_active, now, idle_seconds):
        raise session_idle.session_idle()
    interval = session_idle.touch_interval(idle_seconds)
    if not session_idle.touch_due(last_active, now, idle_seconds):
        session_idle.remember(hashed, last_active + interval)
    elif session_idle.is_background(request.headers.get(session_idle.BACKGROUND_HEADER)):
        return  # an automatic refresh: not the user's activity
    elif not session_idle.may_write():
        session_idle.forget(hashed)  # on the event loop: the next request writes, in the thread pool
    else:
        with writing(engine) as conn:
            auth_store.touch_session(conn, session_id, now)
        session_idle.remember(hashed, now + interval)


CallerDep = Annotated[User, Depends(current_caller)]


@in_request_thread(io=False)
def current_user(caller: CallerDep) -> User:
    """A signed-in user; a guest token is refused (403) on every route but the few it may call."""
    if caller.is_guest:
        raise guest_forbidden()
    return caller


UserDep = Annotated[User, Depends(current_user)]


def clerk_only(message: str) -> Any:
    """A dependency on a signed-in clerk; anyone else is refused with 403 `clerk_only` and `message`."""

    @in_request_thread(io=False)
    def current_clerk(user: UserDep) -> User:
        if not user.is_clerk:
            raise ApiError(403, "permission", "clerk_only", message)
        return user

    return Depends(current_clerk)


def _reads_only(caller: User, engine: Engine) -> bool:
    return not caller.is_clerk


@shared_read.claims
@in_request_thread(on_loop=_reads_only)  # a clerk's transaction writes, so it may wait for the lock
def _transaction(caller: CallerDep, engine: EngineDep) -> Iterator[Connection]:
    """The request's one transaction. A clerk's reads are audited (they write a row), so a clerk gets a
    write transaction; anyone else a read transaction, the one the caller was read in where offered."""
    transaction = writing(engine) if caller.is_clerk else shared_read.claimed_or_reading(engine)
    with transaction as conn:
        yield conn


@shared_read.claims
@in_request_thread(on_loop=True)
def _read_transaction(engine: EngineDep) -> Iterator[Connection]:
    """The request's one transaction, for a route that only reads whoever calls it (a clerk too): the one
    the caller was read in, where it was offered."""
    with shared_read.claimed_or_reading(engine) as conn:
        yield conn


@in_request_thread
def _write_transaction(engine: EngineDep) -> Iterator[Connection]:
    """The request's one transaction, for a route that writes whoever calls it."""
    with writing(engine) as conn:
        yield conn


# scope="function": the transaction ends when the route function returns, before the answer is sent, so a
# failed commit is answered as an error (never a 200 for data that was not kept); an error raised by the
# route rolls it back. A route takes one of them, never two.
Conn = Annotated[Connection, Depends(_transaction, scope="function")]
WriteConn = Annotated[Connection, Depends(_write_transaction, scope="function")]
ReadConn = Annotated[Connection, Depends(_read_transaction, scope="function")]


async def no_detail() -> dict[str, Any]:
    return {}


def account_access(
    action: str | None,
    *,
    guests: bool = False,
    write: bool = False,
    detail: Callable[..., Any] = no_detail,
    identity_checked: bool = False,
) -> Any:
    """A dependency on the path's account as the caller may see it, in the request's transaction: 404 for a
    foreign account exactly as for a missing one; a clerk's access is audited as `action` (None: the route
    audits what it changes), with what the `detail` dependency returns (its inputs are checked before the
    account is). `guests`: a guest may open its own account here. `write`: the route takes `WriteConn`.
    `identity_checked`: the route changes the account, so a clerk needs a live identity check on it."""
    who = CallerDep if guests else UserDep
    tx = WriteConn if write else Conn

    @in_request_thread(on_loop=True)  # it writes only in a clerk's transaction, which never runs there
    def open_account(
        account_id: PathId,
        user: who,  # type: ignore[valid-type]
        conn: tx,  # type: ignore[valid-type]
        audited: Annotated[dict[str, Any], Depends(detail)],
    ) -> RowMapping:
        row = account_store.visible_account(conn, user, account_id)
        if row is None:
            raise not_found("No such account.")
        if identity_checked:
            identity_gate.require(conn, user, account_id)
        if user.is_clerk and action is not None:
            audit.record(conn, user.id, action, account_id, **audited)
        return row

    return Depends(open_account)
