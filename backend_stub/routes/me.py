"""GET /v1/me: who is signed in, and their accounts (a clerk has none)."""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub.deps import ReadConn, UserDep
from backend_stub.one_trip import OneTripRoute, short_read
from backend_stub.routes.common import errors
from backend_stub.schemas import AccountRef, Me, User
from backend_stub.store import accounts as store
from backend_stub.views import full_name

router = APIRouter(tags=["me"], route_class=OneTripRoute)


@router.get("/v1/me", operation_id="getMe", response_model=Me, responses=errors(401))
@short_read
def me(user: UserDep, conn: ReadConn) -> Me:
    rows = [] if user.is_clerk else store.linked_accounts(conn, user.id)
    return Me(
        user=User(id=user.id, email=user.email, name=user.name, role=user.role),  # type: ignore[arg-type]
        accounts=[
            AccountRef(
                id=r["id"],
                account_number=r["account_number"],
                name=full_name(r["first_name"], r["last_name"]),
            )
            for r in rows
        ],
    )
