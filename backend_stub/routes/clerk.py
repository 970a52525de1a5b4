"""GET /v1/clerk/accounts: a clerk finds an account by number + last name, or by email. Audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend_stub import cursor, views
from backend_stub.deps import Conn, clerk_only
from backend_stub.errors import invalid
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, errors
from backend_stub.schemas import MAX_LIMIT, ClerkAccountPage, PlainLine
from backend_stub.store import accounts as store
from backend_stub.store import audit
from backend_stub.store.auth import User

router = APIRouter(tags=["clerk"], route_class=OneTripRoute)

Searcher = Annotated[User, clerk_only("Only a clerk can search accounts.")]


@router.get(
    "/v1/clerk/accounts",
    operation_id="searchAccounts",
    response_model=ClerkAccountPage,
    responses=errors(400, 401, 403, rules=rules.SEARCH),
    summary="Find accounts (clerks only): account_number and last_name, or email",
)
def search_accounts(
    user: Searcher,
    conn: Conn,
    account_number: Annotated[PlainLine | None, Query(max_length=32)] = None,
    last_name: Annotated[PlainLine | None, Query(max_length=100)] = None,
    email: Annotated[PlainLine | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor_: CursorQuery = None,
) -> ClerkAccountPage:
    by_email = email is not None and email.strip() != ""
    by_number = bool(account_number and account_number.strip()) and bool(last_name and last_name.strip())
    if by_email == by_number:
        missing = "last_name" if account_number and not last_name else "account_number"
        raise invalid(
            "Search by account_number and last_name together, or by email alone.", missing, "invalid_search"
        )
    after_id = cursor.decode_id(cursor_)
    rows, total = store.search(
        conn,
        account_number=None if by_email else account_number,
        last_name=None if by_email else last_name,
        email=email if by_email else None,
        limit=limit,
        after_id=after_id,
    )
    criteria = {"email": email} if by_email else {"account_number": account_number, "last_name": last_name}
    audit.record(conn, user.id, "clerk.search", None, found=[r["id"] for r in rows[:limit]], **criteria)
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["id"],))
    return ClerkAccountPage(
        items=[views.clerk_account(r) for r in rows], next_cursor=next_cursor, total_count=total
    )
