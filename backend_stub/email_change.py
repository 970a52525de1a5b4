"""A billing email change, verified (issue 10): the new address gets a 6-digit code and becomes the
account's email only when that code is typed back (by the customer, or by a clerk the customer reads it
to). The old address is told when the change is asked for and again when it is made.

Codes: 6 digits from `secrets`, kept only as a peppered HMAC-SHA256 (the login codes' pepper), 30 minutes
of real time, single use; a new request supersedes the older code; the 5th wrong code kills the change.
At most 5 requests per account per 15 minutes, counted in `auth_requests` so it holds across workers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping

from backend_stub import mail, throttles
from backend_stub.errors import ApiError, invalid
from backend_stub.receipts import BUSINESS_PHONE
from backend_stub.settings import Settings
from backend_stub.store import audit, meta
from backend_stub.store import email_changes as store
from backend_stub.store.accounts import update_account
from backend_stub.store.auth import User

CODE_LASTS = timedelta(minutes=30)  # real time, like the login codes
MAX_TRIES = 5
REQUESTS_PER_WINDOW = 5
WINDOW = timedelta(minutes=15)
THROTTLE_KIND = "email_change"  # auth_requests.kind, keyed by the account id


def _code_hash(pepper: str, account_id: int, new_email: str, code: str) -> str:
    # Bound to the account and the address: a code never confirms another change than the one it was for.
    message = f"email_change:{account_id}:{new_email}:{code}".encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()


def _throttle(conn: Connection, account_id: int, now: datetime) -> None:
    """Count this request; 429 `too_many_requests` (nothing counted) over 5 per 15 minutes."""
    limits = [throttles.Limit(THROTTLE_KIND, str(account_id), REQUESTS_PER_WINDOW, "for this account")]
    # The keys are locked first: on PostgreSQL the requests of one account take turns.
    refused = throttles.refusal(conn, limits, WINDOW, now, "email change requests", "email")
    if refused is not None:
        raise refused
    throttles.count(conn, limits, now)


def _name(row: RowMapping) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def request_change(
    conn: Connection, settings: Settings, user: User, row: RowMapping, new_email: str, now: datetime
) -> None:
    """Start (or restart: a resend) the change of `row`'s email to `new_email`: the code to the new
    address, a warning to the old one, an audit row. Raises 429 before writing when over the limit."""
    account_id = int(row["id"])
    _throttle(conn, account_id, now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    change_id = store.start(
        conn,
        account_id=account_id,
        old_email=row["email"],
        new_email=new_email,
        code_hash=_code_hash(meta.code_pepper(conn, settings.pepper), account_id, new_email, code),
        requested_by=user.id,
        now=now,
        expires_at=now + CODE_LASTS,
    )
    minutes = int(CODE_LASTS.total_seconds() // 60)
    mail.send(
        conn,
        new_email,
        "Confirm your new Paydesk billing email",
        # To an address nobody has confirmed (a typo reaches a stranger): no name, no account number.
        f"Hello,\n\nSomeone asked to make {new_email} the billing email of the Paydesk account ending "
        f"{row['account_number'][-4:]}. To confirm it, enter this code in Paydesk, or read it to the clerk "
        f"if you are on the phone with us:\n\n{code}\n\nIt expires in {minutes} minutes and works once. "
        "If you did not ask for it, ignore this email: nothing changes without the code.\n",
        kind="email_change_code",
    )
    mail.send(
        conn,
        row["email"],
        "A change of your Paydesk billing email was requested",
        f"Hello {_name(row)},\n\nSomeone asked to change the billing email of Paydesk account "
        f"{row['account_number']} to {new_email}. The change is made only when the code sent to that "
        f"address is entered; until then bills and notices still come here.\n\n"
        f"If it was not you, call us at {BUSINESS_PHONE}.\n",
        kind="email_change_requested",
    )
    audit.record(
        conn,
        user.id,
        "account.email_change_requested",
        account_id,
        email={"old": row["email"], "new": new_email},
        email_change_id=change_id,
    )


def cancel_change(conn: Connection, user: User, account_id: int, now: datetime) -> None:
    """The PATCH sent the current email: a pending change (if any) is cancelled, and audited."""
    if store.close_pending(conn, account_id, "cancelled", now):
        audit.record(conn, user.id, "account.email_change_cancelled", account_id)


def no_pending_email() -> ApiError:
    return ApiError(
        409,
        "conflict",
        "no_pending_email",
        "No email change is waiting for a code: change the email first.",
        "code",
    )


def code_expired() -> ApiError:
    return invalid("That code has expired: change the email again to get a new one.", "code", "code_expired")


def code_dead() -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "code_dead",
        "Too many wrong codes: this one no longer works. Change the email again to get a new one.",
        "code",
    )


def wrong_code(new_email: str) -> ApiError:
    return invalid(f"That code is not right: check the email sent to {new_email}.", "code", "wrong_code")


def confirm_change(
    conn: Connection, settings: Settings, user: User, row: RowMapping, code: str, now: datetime
) -> ApiError | None:
    """Check `code` against the account's pending change and, when right, make the new address the
    account's email. A wrong code is counted: the caller commits and then raises what this returns."""
    account_id = int(row["id"])
    change = store.latest(conn, account_id)
    if change is None or change["status"] in ("confirmed", "cancelled", "superseded"):
        return no_pending_email()
    if change["status"] == "dead":
        return code_dead()
    if change["expires_at"] <= now:
        return code_expired()
    expected = _code_hash(meta.code_pepper(conn, settings.pepper), account_id, change["new_email"], code)
    if not hmac.compare_digest(expected, change["code_hash"]):
        dead = store.record_wrong_code(conn, int(change["id"]), MAX_TRIES, now)
        # Every try is someone's action on the account (a clerk's above all): audited, the code never.
        audit.record(
            conn,
            user.id,
            "account.email_change_dead" if dead else "account.email_change_wrong_code",
            account_id,
            email_change_id=change["id"],
        )
        return code_dead() if dead else wrong_code(change["new_email"])
    if not store.confirm(conn, int(change["id"]), now):
        return no_pending_email()
    old_email, new_email = row["email"], change["new_email"]
    update_account(conn, account_id, {"email": new_email})
    mail.send(
        conn,
        old_email,
        "Your Paydesk billing email was changed",
        f"Hello {_name(row)},\n\nThe billing email of Paydesk account {row['account_number']} is now "
        f"{new_email}: bills and notices go there from now on, and no longer to this address.\n\n"
        f"If it was not you, call us at {BUSINESS_PHONE}.\n",
        kind="email_changed",
    )
    audit.record(
        conn,
        user.id,
        "account.email_change_confirmed",
        account_id,
        email={"old": old_email, "new": new_email},
        email_change_id=change["id"],
    )
    return None
