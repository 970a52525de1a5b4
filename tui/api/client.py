"""PaydeskClient: the one place in the app that speaks to the Paydesk API, one method per endpoint.

How a request goes out and fails is `tui/api/transport.py`; reading answers, `answers.py`; every
retry (the GET's second try, a payment's same-key sends), `retries.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tui.api.answers import download, error_from_response, json_of, message_of, parse, unreadable
from tui.api.errors import ApiError, NotAuthenticated, ServerUnavailable
from tui.api.models import (
    Account,
    AccountMatch,
    AuditEntry,
    ContactMessage,
    Download,
    FeeTerms,
    GuestSession,
    IdentityCheck,
    InvoiceDetail,
    InvoiceRow,
    Me,
    Note,
    Notice,
    OutboxEmail,
    Page,
    Payment,
    PaymentMethod,
    Quote,
    Refund,
    ScheduledPayment,
    Session,
    Statement,
    Summary,
)
from tui.api.requests import (
    AmountTarget,
    BalanceTarget,
    InvoicesTarget,
    NewBankAccount,
    NewCard,
    PaymentRequest,
    RefundRequest,
    SavedMethodRef,
    VoidRequest,
)
from tui.api.transport import Transport, paydesk_version, query

# Importers of these names from here keep working: they moved to transport and answers.
__all__ = ["PaydeskClient", "error_from_response", "paydesk_version"]

_DATE = TypeAdapter(dt.date)


class PaydeskClient(Transport):
    """Async client for the Paydesk HTTP API (`/v1`). Methods return models from tui.api.models.

    Every failure is an ApiError: ServerUnavailable when there is no answer at all,
    NotAuthenticated when the token is dead, ApiError with the server's message otherwise.
    """

    # -- the API -------------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        response = await self._request("GET", "/v1/health")
        return json_of(response)

    async def request_code(self, email: str) -> None:
        await self._request("POST", "/v1/auth/code", json={"email": email})

    async def verify_code(self, email: str, code: str) -> Session:
        response = await self._request("POST", "/v1/auth/code/verify", json={"email": email, "code": code})
        session = parse(Session, response)
        self.token = session.token
        return session

    async def login(self, email: str, password: str) -> Session:
        """Sign in with a password; answers like `verify_code`."""
        response = await self._request("POST", "/v1/auth/login", json={"email": email, "password": password})
        session = parse(Session, response)
        self.token = session.token
        return session

    async def sign_up(self, email: str) -> str:
        """Ask for a set-password link by email; returns the server's sentence (the same for any email)."""
        response = await self._request("POST", "/v1/auth/signup", json={"email": email})
        return message_of(json_of(response))

    async def forgot_password(self, account_number: str, email: str) -> str:
        body = {"account_number": account_number, "email": email}
        response = await self._request("POST", "/v1/auth/password/forgot", json=body)
        return message_of(json_of(response))

    async def set_password(self, token: str, password: str) -> None:
        await self._request("POST", "/v1/auth/password/set", json={"token": token, "password": password})

    async def guest_lookup(self, account_number: str, last_name: str) -> GuestSession:
        """Pay without an account: the number and last name open a short guest session (its token)."""
        body = {"account_number": account_number, "last_name": last_name}
        session = parse(GuestSession, await self._request("POST", "/v1/guest/lookup", json=body))
        self.token = session.token
        return session

    async def logout(self) -> None:
        """Revoke the token on the server when it can be reached; forget it locally in any case."""
        if self._token is None:
            return
        try:
            await self._request("POST", "/v1/auth/logout")
        except (ServerUnavailable, NotAuthenticated):
            pass  # away or already logged out: nothing more we can do, and nothing the user must fix
        finally:
            self._token = None

    async def me(self) -> Me:
        return parse(Me, await self._request("GET", "/v1/me"))

    async def account(self, account_id: int) -> Account:
        return parse(Account, await self._request("GET", f"/v1/accounts/{int(account_id)}"))

    async def summary(self, account_id: int) -> Summary:
        return parse(Summary, await self._request("GET", f"/v1/accounts/{int(account_id)}/summary"))

    async def invoices(
        self,
        account_id: int,
        status: str = "all",
        kind: str = "all",
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[InvoiceRow]:
        params = query(status=status, kind=kind, limit=limit, cursor=cursor)
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/invoices", params=params)
        return parse(Page[InvoiceRow], response)

    async def invoice(self, invoice_id: int) -> InvoiceDetail:
        return parse(InvoiceDetail, await self._request("GET", f"/v1/invoices/{int(invoice_id)}"))

    async def search_accounts(
        self,
        *,
        account_number: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
    ) -> Page[AccountMatch]:
        """Clerks only: by account number and last name together, or by email."""
        params = query(account_number=account_number, last_name=last_name, email=email)
        response = await self._request("GET", "/v1/clerk/accounts", params=params)
        return parse(Page[AccountMatch], response)

    async def outbox(self, email: str, *, background: bool = False) -> Page[OutboxEmail]:
        """`--dev` servers only: the emails sent to `email`, newest first (the demo inbox, which polls
        with `background=True`: the poll is not the person being active)."""
        response = await self._request("GET", "/v1/dev/outbox", params={"to": email}, background=background)
        return parse(Page[OutboxEmail], response)

    async def clock(self, advance_days: int = 0, *, today: dt.date | None = None) -> dt.date:
        """`--dev` servers only: move the backend's clock forward; `clock()` just reads it."""
        body: dict[str, Any] = {"today": today.isoformat()} if today else {"advance_days": advance_days}
        response = await self._request("POST", "/v1/dev/clock", json=body)
        data = json_of(response)
        try:
            return _DATE.validate_python(data["today"])
        except (KeyError, TypeError, ValidationError) as exc:
            raise unreadable(response) from exc

    # -- payments ------------------------------------------------------------------------------

    async def quote(self, account_id: int, body: PaymentRequest) -> Quote:
        """What paying would do (allocations, fees, total, problems), with nothing changed."""
        path = f"/v1/accounts/{int(account_id)}/payments/quote"
        return parse(Quote, await self._request("POST", path, json=body.wire()))

    async def pay(self, account_id: int, body: PaymentRequest, idempotency_key: str) -> Payment:
        """Make the payment, sent once: a PaymentAttempt (retries.py) sends it again, same key, if need be."""
        path = f"/v1/accounts/{int(account_id)}/payments"
        headers = {"Idempotency-Key": idempotency_key}
        return parse(Payment, await self._request("POST", path, json=body.wire(), headers=headers))

    async def payments(self, account_id: int, limit: int = 50, cursor: str | None = None) -> Page[Payment]:
        params = query(limit=limit, cursor=cursor)
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/payments", params=params)
        return parse(Page[Payment], response)

    async def payment(self, payment_id: int) -> Payment:
        return parse(Payment, await self._request("GET", f"/v1/payments/{int(payment_id)}"))

    async def payment_methods(self, account_id: int) -> Page[PaymentMethod]:
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/payment-methods")
        return parse(Page[PaymentMethod], response)

    async def add_payment_method(self, account_id: int, method: NewCard | NewBankAccount) -> PaymentMethod:
        path = f"/v1/accounts/{int(account_id)}/payment-methods"
        body = method.wire(exclude={"save"})
        return parse(PaymentMethod, await self._request("POST", path, json=body))

    async def delete_payment_method(self, method_id: int) -> None:
        await self._request("DELETE", f"/v1/payment-methods/{int(method_id)}")

    async def set_default_payment_method(self, method_id: int) -> PaymentMethod:
        path = f"/v1/payment-methods/{int(method_id)}"
        return parse(PaymentMethod, await self._request("PATCH", path, json={"is_default": True}))

    # -- account self-service ------------------------------------------------------------------

    async def update_account(self, account_id: int, changes: dict[str, Any]) -> Account:
        """PATCH only the fields given (paperless, sms_opt_in, phone, email, service_address).

        A new email is not the email yet: the answer (202) holds it as `pending_email` and a code goes
        to it. The same new email again sends a new code; the current email cancels the change."""
        path = f"/v1/accounts/{int(account_id)}"
        return parse(Account, await self._request("PATCH", path, json=changes))

    async def confirm_email(self, account_id: int, code: str) -> Account:
        """The code sent to the pending email: the answer is the account with that email as its email."""
        path = f"/v1/accounts/{int(account_id)}/email/confirm"
        return parse(Account, await self._request("POST", path, json={"code": code}))

    async def set_autopay(
        self,
        account_id: int,
        enabled: bool,
        payment_method_id: int | None = None,
        accepted_fee_terms: FeeTerms | None = None,
    ) -> Account:
        """Turn autopay on with a saved method (or change the method), accepting its fee terms (the
        method's `autopay_fee`, shown to the payer first), or off; answers the account."""
        body: dict[str, Any] = {"enabled": enabled}
        if enabled:
            body["payment_method_id"] = payment_method_id
            body["accepted_fee_terms"] = accepted_fee_terms.wire() if accepted_fee_terms else None
        path = f"/v1/accounts/{int(account_id)}/autopay"
        return parse(Account, await self._request("PUT", path, json=body))

    async def scheduled_payments(
        self, account_id: int, status: str = "all", limit: int = 50, cursor: str | None = None
    ) -> Page[ScheduledPayment]:
        params = query(status=status, limit=limit, cursor=cursor)
        path = f"/v1/accounts/{int(account_id)}/scheduled-payments"
        return parse(Page[ScheduledPayment], await self._request("GET", path, params=params))

    async def schedule_payment(
        self,
        account_id: int,
        target: InvoicesTarget | AmountTarget | BalanceTarget,
        payment_method_id: int,
        pay_on: dt.date,
        receipt_email: str,
        accepted_fees_cents: int = 0,
    ) -> ScheduledPayment:
        """Schedule it, accepting the fees of the quote the payer was shown (409 fees_changed otherwise)."""
        body = {
            "target": target.wire(),
            "method": SavedMethodRef(payment_method_id=payment_method_id).wire(),
            "pay_on": pay_on.isoformat(),
            "receipt_email": receipt_email,
            "accepted_fees_cents": accepted_fees_cents,
        }
        path = f"/v1/accounts/{int(account_id)}/scheduled-payments"
        return parse(ScheduledPayment, await self._request("POST", path, json=body))

    async def change_scheduled(
        self, scheduled_id: int, *, pay_on: dt.date | None = None, amount_cents: int | None = None
    ) -> ScheduledPayment:
        body = query(pay_on=pay_on.isoformat() if pay_on else None, amount_cents=amount_cents)
        path = f"/v1/scheduled-payments/{int(scheduled_id)}"
        return parse(ScheduledPayment, await self._request("PATCH", path, json=body))

    async def cancel_scheduled(self, scheduled_id: int) -> None:
        await self._request("DELETE", f"/v1/scheduled-payments/{int(scheduled_id)}")

    async def send_message(self, account_id: int, subject: str, body: str) -> ContactMessage:
        """Contact us: the message goes to the business; the answer carries its thank-you sentence."""
        path = f"/v1/accounts/{int(account_id)}/messages"
        payload = {"subject": subject, "body": body}
        return parse(ContactMessage, await self._request("POST", path, json=payload))

    async def statement(
        self,
        account_id: int,
        start: dt.date,
        end: dt.date,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Statement:
        """One page of the account's history from `start` to `end` (oldest first), with its balances."""
        params = query(limit=limit, cursor=cursor, **{"from": start.isoformat(), "to": end.isoformat()})
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/statement", params=params)
        return parse(Statement, response)

    async def statement_csv(self, account_id: int, start: dt.date, end: dt.date) -> Download:
        """The whole range as the server's CSV file."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": "csv"}
        path = f"/v1/accounts/{int(account_id)}/statement"
        response = await self._request("GET", path, params=params, headers={"Accept": "text/csv"})
        return download(response, f"statement-{int(account_id)}-{start}-{end}.csv")

    async def invoice_pdf(self, invoice_id: int) -> Download:
        path = f"/v1/invoices/{int(invoice_id)}/pdf"
        response = await self._request("GET", path, headers={"Accept": "application/pdf"})
        return download(response, f"invoice-{int(invoice_id)}.pdf")

    # -- clerk console (identity checks, notes, audit, notices, the unlock's revoke) -------------

    async def identity_check(self, account_id: int, checked: list[str], passed: bool) -> IdentityCheck:
        """Record the clerk's check of the caller (`checked`: "name", "service_address", "phone_last4")."""
        path = f"/v1/accounts/{int(account_id)}/identity-checks"
        body = {"checked": list(checked), "passed": passed}
        return parse(IdentityCheck, await self._request("POST", path, json=body))

    async def notes(self, account_id: int, limit: int = 50, cursor: str | None = None) -> Page[Note]:
        """The earlier calls' notes, newest first."""
        params = query(limit=limit, cursor=cursor)
        path = f"/v1/accounts/{int(account_id)}/notes"
        return parse(Page[Note], await self._request("GET", path, params=params))

    async def add_note(self, account_id: int, body: str, disposition: str) -> Note:
        path = f"/v1/accounts/{int(account_id)}/notes"
        payload = {"body": body, "disposition": disposition}
        return parse(Note, await self._request("POST", path, json=payload))

    async def account_audit(
        self, account_id: int, *, date: dt.date | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[AuditEntry]:
        """The account's audit trail, newest first; `date` filters on the business date."""
        params = query(date=date.isoformat() if date else None, limit=limit, cursor=cursor)
        path = f"/v1/accounts/{int(account_id)}/audit"
        return parse(Page[AuditEntry], await self._request("GET", path, params=params))

    async def clerk_audit(
        self, *, date: dt.date | None = None, limit: int = 50, cursor: str | None = None
    ) -> Page[AuditEntry]:
        """The calling clerk's own actions on `date` (the backend's today when not given)."""
        params = query(date=date.isoformat() if date else None, limit=limit, cursor=cursor)
        return parse(Page[AuditEntry], await self._request("GET", "/v1/clerk/audit", params=params))

    async def notices(
        self, account_id: int, limit: int = 50, cursor: str | None = None, *, background: bool = False
    ) -> Page[Notice]:
        """Returns, failed and skipped autopay or scheduled runs, in the server's words, newest first."""
        params = query(limit=limit, cursor=cursor)
        path = f"/v1/accounts/{int(account_id)}/notices"
        return parse(Page[Notice], await self._request("GET", path, params=params, background=background))

    async def mark_notice_seen(self, notice_id: int) -> Notice:
        return parse(Notice, await self._request("POST", f"/v1/notices/{int(notice_id)}/seen"))

    async def revoke(self, token: str) -> None:
        """Revoke another session than the client's own (the one an unlock replaced); quiet when it
        is already gone or the server is away: nothing the person could fix."""
        with contextlib.suppress(ApiError):
            await self._request("POST", "/v1/auth/logout", token=token)

    # -- issue 9 (i9-wizard): void and refund, clerks only (docs/WIRE.md) ---------------------------
    # Each is sent once; an UndoAttempt (retries.py) sends it again, same key, when its answer is lost.

    async def void_payment(self, payment_id: int, reason: str, idempotency_key: str) -> Payment:
        """Void a card payment of today or a pending bank payment: the payment, status `voided`."""
        path = f"/v1/payments/{int(payment_id)}/void"
        body = VoidRequest(reason=reason).wire()
        headers = {"Idempotency-Key": idempotency_key}
        return parse(Payment, await self._request("POST", path, json=body, headers=headers))

    async def refund_payment(
        self, payment_id: int, amount_cents: int | None, reason: str, idempotency_key: str
    ) -> Refund:
        """Refund a settled card payment, `amount_cents` or (None) all that is left."""
        path = f"/v1/payments/{int(payment_id)}/refund"
        body = RefundRequest(amount_cents=amount_cents, reason=reason).wire()
        headers = {"Idempotency-Key": idempotency_key}
        return parse(Refund, await self._request("POST", path, json=body, headers=headers))

    # -- issue 12 (cli): the scriptable commands' calls -------------------------------------------------

    async def invoice_by_number(self, account_id: int, number: str) -> InvoiceRow | None:
        """The account's invoice with this number (exact, `?number=`), or None when it has none."""
        path = f"/v1/accounts/{int(account_id)}/invoices"
        page = parse(Page[InvoiceRow], await self._request("GET", path, params={"number": number}))
        return page.items[0] if page.items else None

    async def statement_between(
        self,
        account_id: int,
        start: dt.date | None,
        end: dt.date | None,
        limit: int = 200,
        cursor: str | None = None,
    ) -> Statement:
        """Like `statement`, with the server's own default for a day not given (a year back, today)."""
        params = query(
            limit=limit,
            cursor=cursor,
            **{"from": start.isoformat() if start else None, "to": end.isoformat() if end else None},
        )
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/statement", params=params)
        return parse(Statement, response)

    async def statement_csv_between(
        self, account_id: int, start: dt.date | None, end: dt.date | None
    ) -> Download:
        """Like `statement_csv`, with the server's own default for a day not given."""
        params = query(
            format="csv",
            **{"from": start.isoformat() if start else None, "to": end.isoformat() if end else None},
        )
        path = f"/v1/accounts/{int(account_id)}/statement"
        response = await self._request("GET", path, params=params, headers={"Accept": "text/csv"})
        return download(response, f"statement-{int(account_id)}.csv")
