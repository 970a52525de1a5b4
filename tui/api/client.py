"""PaydeskClient: the one place in the app that speaks HTTP.

One long-lived `httpx.AsyncClient` per PaydeskClient (a new one per request costs ~35 ms, see
DESIGN.md). httpx is imported when the first request is made, not when this module is imported,
so the app's first frame does not wait for it.
"""

from __future__ import annotations

import datetime as dt
import functools
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from tui.api.errors import ApiError, NotAuthenticated, ServerUnavailable
from tui.api.models import (
    Account,
    AccountMatch,
    ContactMessage,
    Download,
    GuestSession,
    InvoiceDetail,
    InvoiceRow,
    Me,
    OutboxEmail,
    Page,
    Payment,
    PaymentMethod,
    Quote,
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
    SavedMethodRef,
)

if TYPE_CHECKING:
    import httpx

M = TypeVar("M", bound=BaseModel)

CONNECT_TIMEOUT = 3.0
_DATE = TypeAdapter(dt.date)

# Status -> error type, for error answers that do not carry the contract's error shape.
_TYPE_BY_STATUS = {
    400: "invalid_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    409: "conflict",
    422: "invalid_request",
    429: "rate_limited",
    402: "payment",
}


@functools.cache
def paydesk_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paydesk")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


class PaydeskClient:
    """Async client for the Paydesk HTTP API (`/v1`). Methods return models from tui.api.models.

    Every failure is an ApiError: ServerUnavailable when there is no answer at all,
    NotAuthenticated when the token is dead, ApiError with the server's message otherwise.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._http: httpx.AsyncClient | None = None

    # -- session -------------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value or None

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def __aenter__(self) -> PaydeskClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the API -------------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        response = await self._request("GET", "/v1/health")
        return self._json(response)

    async def request_code(self, email: str) -> None:
        await self._request("POST", "/v1/auth/code", json={"email": email})

    async def verify_code(self, email: str, code: str) -> Session:
        response = await self._request("POST", "/v1/auth/code/verify", json={"email": email, "code": code})
        session = self._parse(Session, response)
        self.token = session.token
        return session

    async def login(self, email: str, password: str) -> Session:
        """Sign in with a password; answers like `verify_code`."""
        response = await self._request("POST", "/v1/auth/login", json={"email": email, "password": password})
        session = self._parse(Session, response)
        self.token = session.token
        return session

    async def sign_up(self, email: str) -> str:
        """Ask for a set-password link by email; returns the server's sentence (the same for any email)."""
        response = await self._request("POST", "/v1/auth/signup", json={"email": email})
        return _message(self._json(response))

    async def forgot_password(self, account_number: str, email: str) -> str:
        body = {"account_number": account_number, "email": email}
        response = await self._request("POST", "/v1/auth/password/forgot", json=body)
        return _message(self._json(response))

    async def set_password(self, token: str, password: str) -> None:
        await self._request("POST", "/v1/auth/password/set", json={"token": token, "password": password})

    async def guest_lookup(self, account_number: str, last_name: str) -> GuestSession:
        """Pay without an account: the number and last name open a short guest session (its token)."""
        body = {"account_number": account_number, "last_name": last_name}
        session = self._parse(GuestSession, await self._request("POST", "/v1/guest/lookup", json=body))
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
        return self._parse(Me, await self._request("GET", "/v1/me"))

    async def account(self, account_id: int) -> Account:
        return self._parse(Account, await self._request("GET", f"/v1/accounts/{int(account_id)}"))

    async def summary(self, account_id: int) -> Summary:
        return self._parse(Summary, await self._request("GET", f"/v1/accounts/{int(account_id)}/summary"))

    async def invoices(
        self,
        account_id: int,
        status: str = "all",
        kind: str = "all",
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[InvoiceRow]:
        params = _params(status=status, kind=kind, limit=limit, cursor=cursor)
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/invoices", params=params)
        return self._parse(Page[InvoiceRow], response)

    async def invoice(self, invoice_id: int) -> InvoiceDetail:
        return self._parse(InvoiceDetail, await self._request("GET", f"/v1/invoices/{int(invoice_id)}"))

    async def search_accounts(
        self,
        *,
        account_number: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
    ) -> Page[AccountMatch]:
        """Clerks only: by account number and last name together, or by email."""
        params = _params(account_number=account_number, last_name=last_name, email=email)
        response = await self._request("GET", "/v1/clerk/accounts", params=params)
        return self._parse(Page[AccountMatch], response)

    async def outbox(self, email: str) -> Page[OutboxEmail]:
        """`--dev` servers only: the emails sent to `email`, newest first (the demo inbox)."""
        response = await self._request("GET", "/v1/dev/outbox", params={"to": email})
        return self._parse(Page[OutboxEmail], response)

    async def clock(self, advance_days: int = 0, *, today: dt.date | None = None) -> dt.date:
        """`--dev` servers only: move the backend's clock forward; `clock()` just reads it."""
        body: dict[str, Any] = {"today": today.isoformat()} if today else {"advance_days": advance_days}
        response = await self._request("POST", "/v1/dev/clock", json=body)
        data = self._json(response)
        try:
            return _DATE.validate_python(data["today"])
        except (KeyError, TypeError, ValidationError) as exc:
            raise _unreadable(response) from exc

    # -- payments ------------------------------------------------------------------------------

    async def quote(self, account_id: int, body: PaymentRequest) -> Quote:
        """What paying would do (allocations, fees, total, problems), with nothing changed."""
        path = f"/v1/accounts/{int(account_id)}/payments/quote"
        return self._parse(Quote, await self._request("POST", path, json=body.wire()))

    async def pay(self, account_id: int, body: PaymentRequest, idempotency_key: str) -> Payment:
        """Make the payment. Sent once: the caller retries, with the same key, when it must."""
        path = f"/v1/accounts/{int(account_id)}/payments"
        headers = {"Idempotency-Key": idempotency_key}
        return self._parse(Payment, await self._request("POST", path, json=body.wire(), headers=headers))

    async def payments(
        self, account_id: int, limit: int = 50, cursor: str | None = None
    ) -> Page[Payment]:
        params = _params(limit=limit, cursor=cursor)
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/payments", params=params)
        return self._parse(Page[Payment], response)

    async def payment(self, payment_id: int) -> Payment:
        return self._parse(Payment, await self._request("GET", f"/v1/payments/{int(payment_id)}"))

    async def payment_methods(self, account_id: int) -> Page[PaymentMethod]:
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/payment-methods")
        return self._parse(Page[PaymentMethod], response)

    async def add_payment_method(self, account_id: int, method: NewCard | NewBankAccount) -> PaymentMethod:
        path = f"/v1/accounts/{int(account_id)}/payment-methods"
        body = method.wire(exclude={"save"})
        return self._parse(PaymentMethod, await self._request("POST", path, json=body))

    async def delete_payment_method(self, method_id: int) -> None:
        await self._request("DELETE", f"/v1/payment-methods/{int(method_id)}")

    async def set_default_payment_method(self, method_id: int) -> PaymentMethod:
        path = f"/v1/payment-methods/{int(method_id)}"
        return self._parse(PaymentMethod, await self._request("PATCH", path, json={"is_default": True}))

    # -- account self-service ------------------------------------------------------------------

    async def update_account(self, account_id: int, changes: dict[str, Any]) -> Account:
        """PATCH only the fields given (paperless, sms_opt_in, phone, email, service_address)."""
        path = f"/v1/accounts/{int(account_id)}"
        return self._parse(Account, await self._request("PATCH", path, json=changes))

    async def set_autopay(
        self, account_id: int, enabled: bool, payment_method_id: int | None = None
    ) -> Account:
        """Turn autopay on with a saved method (or change the method), or off; answers the account."""
        body: dict[str, Any] = {"enabled": enabled}
        if enabled:
            body["payment_method_id"] = payment_method_id
        path = f"/v1/accounts/{int(account_id)}/autopay"
        return self._parse(Account, await self._request("PUT", path, json=body))

    async def scheduled_payments(
        self, account_id: int, status: str = "all", limit: int = 50, cursor: str | None = None
    ) -> Page[ScheduledPayment]:
        params = _params(status=status, limit=limit, cursor=cursor)
        path = f"/v1/accounts/{int(account_id)}/scheduled-payments"
        return self._parse(Page[ScheduledPayment], await self._request("GET", path, params=params))

    async def schedule_payment(
        self,
        account_id: int,
        target: InvoicesTarget | AmountTarget | BalanceTarget,
        payment_method_id: int,
        pay_on: dt.date,
        receipt_email: str,
    ) -> ScheduledPayment:
        body = {
            "target": target.wire(),
            "method": SavedMethodRef(payment_method_id=payment_method_id).wire(),
            "pay_on": pay_on.isoformat(),
            "receipt_email": receipt_email,
        }
        path = f"/v1/accounts/{int(account_id)}/scheduled-payments"
        return self._parse(ScheduledPayment, await self._request("POST", path, json=body))

    async def change_scheduled(
        self, scheduled_id: int, *, pay_on: dt.date | None = None, amount_cents: int | None = None
    ) -> ScheduledPayment:
        body = _params(pay_on=pay_on.isoformat() if pay_on else None, amount_cents=amount_cents)
        path = f"/v1/scheduled-payments/{int(scheduled_id)}"
        return self._parse(ScheduledPayment, await self._request("PATCH", path, json=body))

    async def cancel_scheduled(self, scheduled_id: int) -> None:
        await self._request("DELETE", f"/v1/scheduled-payments/{int(scheduled_id)}")

    async def send_message(self, account_id: int, subject: str, body: str) -> ContactMessage:
        """Contact us: the message goes to the business; the answer carries its thank-you sentence."""
        path = f"/v1/accounts/{int(account_id)}/messages"
        payload = {"subject": subject, "body": body}
        return self._parse(ContactMessage, await self._request("POST", path, json=payload))

    async def statement(
        self,
        account_id: int,
        start: dt.date,
        end: dt.date,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Statement:
        """One page of the account's history from `start` to `end` (oldest first), with its balances."""
        params = _params(limit=limit, cursor=cursor, **{"from": start.isoformat(), "to": end.isoformat()})
        response = await self._request("GET", f"/v1/accounts/{int(account_id)}/statement", params=params)
        return self._parse(Statement, response)

    async def statement_csv(self, account_id: int, start: dt.date, end: dt.date) -> Download:
        """The whole range as the server's CSV file."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": "csv"}
        path = f"/v1/accounts/{int(account_id)}/statement"
        response = await self._request("GET", path, params=params, headers={"Accept": "text/csv"})
        return _download(response, f"statement-{int(account_id)}-{start}-{end}.csv")

    async def invoice_pdf(self, invoice_id: int) -> Download:
        path = f"/v1/invoices/{int(invoice_id)}/pdf"
        response = await self._request("GET", path, headers={"Accept": "application/pdf"})
        return _download(response, f"invoice-{int(invoice_id)}.pdf")

    # -- plumbing ------------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                headers={"User-Agent": f"paydesk/{paydesk_version()}", "Accept": "application/json"},
            )
        return self._http

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        import httpx

        http = self._client()
        headers = dict(headers or {})
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        # A GET is safe to send twice; a POST is not (it might have reached the server), so only
        # GETs get a second try, and only when the connection failed rather than timed out.
        attempts = 2 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                response = await http.request(method, path, params=params, json=json, headers=headers)
                break
            except httpx.TimeoutException as exc:
                raise ServerUnavailable(
                    f"The Paydesk server at {self.base_url} did not answer in time. "
                    "Check your connection and try again.",
                    code="timeout",
                ) from exc
            except httpx.TransportError as exc:
                if attempt < attempts:
                    continue
                raise ServerUnavailable(
                    f"Cannot reach the Paydesk server at {self.base_url}. "
                    "Check your connection and try again."
                ) from exc
        if response.is_error:
            raise error_from_response(response)
        return response

    @staticmethod
    def _parse(model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise _unreadable(response) from exc

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise _unreadable(response) from exc


def _params(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _message(body: Any) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def _download(response: httpx.Response, fallback: str) -> Download:
    """The body as a file, named as the server's Content-Disposition says (else `fallback`)."""
    from email.message import Message

    header = Message()
    header["content-disposition"] = response.headers.get("Content-Disposition", "")
    filename = header.get_filename() or fallback
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return Download(filename=filename, content=response.content, media_type=media_type)


def _unreadable(response: httpx.Response) -> ApiError:
    return ApiError(
        f"The server sent an answer Paydesk could not read ({response.request.method} "
        f"{response.request.url.path}). The server may be a different version; try again later.",
        status=response.status_code,
        type="server",
        code="invalid_response",
    )


def error_from_response(response: httpx.Response) -> ApiError:
    """Turn an error answer into an ApiError, with the server's own message when it sent one."""
    status = response.status_code
    retry_after = _retry_after(response.headers.get("Retry-After"))
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"].strip():
        code = str(error.get("code") or "unknown_error")
        cls = NotAuthenticated if status == 401 and code == "not_authenticated" else ApiError
        param = error.get("param")
        return cls(
            error["message"],
            status=status,
            type=str(error.get("type") or _default_type(status)),
            code=code,
            param=str(param) if param is not None else None,
            retry_after=retry_after,
            decline_code=str(error["decline_code"]) if error.get("decline_code") else None,
        )
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase or "Error"
    return ApiError(
        f"The server answered {status} {phrase}.",
        status=status,
        type=_default_type(status),
        code="unexpected_response",
        retry_after=retry_after,
    )


def _default_type(status: int) -> str:
    return _TYPE_BY_STATUS.get(status, "server" if status >= 500 else "invalid_request")


def _retry_after(value: str | None) -> float | None:
    # Only the delay-seconds form; an HTTP-date Retry-After is rare enough to ignore.
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
