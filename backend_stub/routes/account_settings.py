"""PATCH /v1/accounts/{account_id}: paperless, SMS, phone, billing email and service address.

Customers change their own accounts, clerks any; every changed field goes to the audit log with the
caller as actor (old and new values), whoever the caller is. A new billing email is not written: it waits
for the code sent to it (email_change.py), and the answer is 202 with it in `pending_email`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from sqlalchemy import RowMapping

from backend_stub import email_change
from backend_stub.clock import utcnow
from backend_stub.contact_info import clean_address, normalise_phone
from backend_stub.deps import PathId, SettingsDep, UserDep, WriteConn, account_access
from backend_stub.errors import invalid
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.accounts import account_view
from backend_stub.routes.common import errors
from backend_stub.schemas import Account, AccountUpdate, ErrorBody
from backend_stub.store import accounts as account_store
from backend_stub.store import audit

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

ChangedAccount = Annotated[
    RowMapping, account_access(None, write=True, identity_checked=True)
]  # audited per changed field


def _changes(body: AccountUpdate, row: RowMapping) -> dict[str, object]:
    """The columns to write, validated; raises a 400 before anything is written."""
    sent = body.model_fields_set
    if not sent & {"paperless", "sms_opt_in", "phone", "email", "service_address"}:
        raise invalid(
            "Send at least one of paperless, sms_opt_in, phone, email, service_address.", None, "empty_update"
        )
    wanted: dict[str, object] = {}
    for flag in ("paperless", "sms_opt_in"):
        if flag in sent:
            if getattr(body, flag) is None:
                raise invalid(f"{flag} must be true or false.", flag)
            wanted[flag] = getattr(body, flag)
    if "phone" in sent:
        if body.phone is None or body.phone.strip() == "":
            wanted["phone"] = None
            wanted.setdefault("sms_opt_in", False)  # no number, no texts
        else:
            phone = normalise_phone(body.phone)
            if phone is None:
                raise invalid(
                    "Enter a US phone number with 10 digits, like (541) 555-0142.", "phone", "invalid_phone"
                )
            wanted["phone"] = phone
    if "email" in sent:
        if body.email is None:
            raise invalid("Enter a valid email address, like name@example.com", "email", "invalid_email")
        wanted["email"] = body.email.strip().lower()
    if "service_address" in sent:
        address = clean_address(body.service_address or "")
        if address is None:
            raise invalid(
                "Enter the service address on one line, 1 to 300 characters.",
                "service_address",
                "invalid_address",
            )
        wanted["service_address"] = address
    phone_after = wanted["phone"] if "phone" in wanted else row["phone"]
    if wanted.get("sms_opt_in") is True and not phone_after:
        raise invalid("Add a phone number before turning on text messages.", "sms_opt_in", "phone_required")
    return {column: value for column, value in wanted.items() if row[column] != value}


@router.patch(
    "/v1/accounts/{account_id}",
    operation_id="updateAccount",
    response_model=Account,
    responses={
        202: {
            "model": Account,
            "description": "A new email waits for its code (`pending_email`); the other fields are changed.",
        },
        **errors(400, 401, 403, 404),
        429: {"model": ErrorBody, "description": "Too many email change requests for this account."},
    },
    summary="Change paperless, SMS, phone, service address; ask to change the billing email",
)
def update_account(
    account_id: PathId,
    body: AccountUpdate,
    user: UserDep,
    row: ChangedAccount,
    conn: WriteConn,
    settings: SettingsDep,
) -> Account | Response:
    changes = _changes(body, row)
    new_email = changes.pop("email", None)
    now = utcnow()
    if new_email is not None:
        email_change.request_change(conn, settings, user, row, str(new_email), now)  # 429 before writing
    elif "email" in body.model_fields_set:
        email_change.cancel_change(conn, user, account_id, now)  # the current email again: keep it
    if changes:
        account_store.update_account(conn, account_id, changes)
        audit.record(
            conn,
            user.id,
            "account.update",
            account_id,
            **{column: {"old": row[column], "new": value} for column, value in changes.items()},
        )
        row = account_store.visible_account(conn, user, account_id)
        assert row is not None
    view = account_view(conn, row)
    if new_email is None:
        return view
    # 202: accepted, the email itself waits for its code (OneTripRoute answers a model with the route's
    # status, so the other status is an answer of its own).
    return Response(view.model_dump_json(), status_code=202, media_type="application/json")
