"""A clerk's notes on an account: the wrap-up of a call (a note and a disposition), read by the next clerk.
Clerks only; a note needs no identity check (a failed check still lets the clerk write what happened)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub import cursor
from backend_stub.clock import utcnow
from backend_stub.deps import Conn, PathId, WriteConn, account_access, clerk_only
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas.console import Author, Note, NoteIn, NotePage
from backend_stub.store import audit
from backend_stub.store import notes as store
from backend_stub.store.auth import User

router = APIRouter(tags=["clerk"], route_class=OneTripRoute)

NoteTaker = Annotated[User, clerk_only("Only a clerk can read or write notes on an account.")]
NotedAccount = Annotated[RowMapping, account_access(None, write=True)]  # audited with the note's id
ListedAccount = Annotated[RowMapping, account_access("notes.list")]


def note_view(row: RowMapping) -> Note:
    author = Author(id=row["created_by"], name=row["author_name"]) if row["created_by"] is not None else None
    return Note(
        id=row["id"],
        account_id=row["account_id"],
        body=row["body"],
        disposition=row["disposition"],
        created_by=author,
        created_at=row["created_at"],
    )


@router.post(
    "/v1/accounts/{account_id}/notes",
    operation_id="createNote",
    status_code=201,
    response_model=Note,
    responses=errors(400, 401, 403, 404),
    summary="Write a note and a disposition on the account (clerks only)",
)
def create_note(
    account_id: PathId, body: NoteIn, clerk: NoteTaker, _account: NotedAccount, conn: WriteConn
) -> Note:
    row = store.create(conn, account_id, clerk.id, body.body, body.disposition, utcnow())
    audit.record(conn, clerk.id, "note.added", account_id, note_id=row["id"], disposition=body.disposition)
    return note_view(row)


@router.get(
    "/v1/accounts/{account_id}/notes",
    operation_id="listNotes",
    response_model=NotePage,
    responses=errors(400, 401, 403, 404, rules=rules.CURSOR),
    summary="The account's notes, newest first (clerks only)",
)
def list_notes(
    account_id: PathId,
    _clerk: NoteTaker,
    _account: ListedAccount,
    conn: Conn,
    limit: Limit = 50,
    cursor_: CursorQuery = None,
) -> NotePage:
    rows, total = store.page(conn, account_id, limit=limit, before_id=cursor.decode_id(cursor_))
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["id"],))
    return NotePage(items=[note_view(r) for r in rows], next_cursor=next_cursor, total_count=total)
