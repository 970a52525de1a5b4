"""PaydeskClient over real HTTP on loopback.

Two kinds of server: a tiny canned one (asyncio, in this process) for the answers a healthy backend
never gives (502 pages, garbage, hangs, dropped connections), and the real reference backend
(`live_server`) for everything the contract promises.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import login
from tests.support.stub import StubServer
from tui.api import (
    Account,
    AccountMatch,
    ApiError,
    InvoiceDetail,
    InvoiceRow,
    Me,
    NotAuthenticated,
    OutboxEmail,
    Page,
    PaydeskClient,
    ServerUnavailable,
    Session,
    Summary,
)
from tui.api.client import paydesk_version

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# A canned HTTP server: each request gets the next answer from a list.
# ---------------------------------------------------------------------------------------------

HANG = "hang"  # accept the request and never answer
DROP = "drop"  # close the connection without answering


def http_answer(
    status: int, reason: str, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> bytes:
    body = body.encode() if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def json_answer(status: int, reason: str, payload: object, headers: dict[str, str] | None = None) -> bytes:
    return http_answer(
        status, reason, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})}
    )


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CannedServer:
    answers: list[bytes | str]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)  # ends a HANG at teardown

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        method, path, _ = request_line.split(" ", 2)
        self.seen.append(Seen(method, path, headers, body))
        answer = self.answers.pop(0) if self.answers else http_answer(500, "Internal Server Error")
        if answer == HANG:
            await self.release.wait()
        elif answer != DROP:
            writer.write(answer)  # type: ignore[arg-type]
            await writer.drain()
        writer.close()


@pytest.fixture
async def canned() -> AsyncIterator[Callable[..., CannedServer]]:
    servers: list[tuple[asyncio.Server, CannedServer]] = []

    async def start(*answers: bytes | str) -> CannedServer:
        canned = CannedServer(list(answers))
        server = await asyncio.start_server(canned.handle, "127.0.0.1", 0)
        servers.append((server, canned))
        canned.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return canned

    yield start
    for server, canned_server in servers:
        canned_server.release.set()
        server.close()
        await server.wait_closed()


def error_body(status_type: str, code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"type": status_type, "code": code, "message": message, "param": param}}


# ---------------------------------------------------------------------------------------------
# Errors, headers and connection handling (canned server, no backend needed)
# ---------------------------------------------------------------------------------------------


async def test_an_html_502_is_a_clear_api_error(canned) -> None:
    server = await canned(
        http_answer(502, "Bad Gateway", "<html>nginx</html>", {"Content-Type": "text/html"})
    )
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.me()
    err = info.value
    assert type(err) is ApiError
    assert str(err) == "The server answered 502 Bad Gateway."
    assert (err.status, err.type, err.code) == (502, "server", "unexpected_response")


async def test_an_unexpected_json_error_still_names_the_status(canned) -> None:
    server = await canned(json_answer(404, "Not Found", {"detail": "Not Found"}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError, match=r"^The server answered 404 Not Found\.$") as info:
            await client.invoice(1)
    assert info.value.type == "not_found"


async def test_the_error_shape_becomes_api_error_fields(canned) -> None:
    server = await canned(
        json_answer(
            429,
            "Too Many Requests",
            error_body(
                "rate_limited", "too_many_requests", "Too many codes; try again in 15 minutes.", "email"
            ),
            {"Retry-After": "900"},
        )
    )
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.request_code("dana@example.com")
    err = info.value
    assert str(err) == "Too many codes; try again in 15 minutes."
    assert (err.status, err.type, err.code, err.param, err.retry_after) == (
        429,
        "rate_limited",
        "too_many_requests",
        "email",
        900.0,
    )


async def test_not_authenticated_is_its_own_error(canned) -> None:
    server = await canned(
        json_answer(401, "Unauthorized", error_body("authentication", "not_authenticated", "Log in again."))
    )
    async with PaydeskClient(server.url, token="dead") as client:
        with pytest.raises(NotAuthenticated, match=r"^Log in again\.$"):
            await client.me()


async def test_an_unreadable_success_is_an_api_error(canned) -> None:
    server = await canned(json_answer(200, "OK", {"user": "not a user"}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.me()
    assert info.value.code == "invalid_response"
    assert "could not read" in str(info.value)


async def test_headers_user_agent_and_bearer_token(canned) -> None:
    server = await canned(json_answer(200, "OK", {"status": "ok", "version": "x"}))
    async with PaydeskClient(server.url + "/", token="tok-123") as client:
        assert await client.health() == {"status": "ok", "version": "x"}
    [request] = server.seen
    assert (request.method, request.path) == ("GET", "/v1/health")
    assert request.headers["user-agent"] == f"paydesk/{paydesk_version()}"
    assert request.headers["authorization"] == "Bearer tok-123"


async def test_no_token_no_authorization_header(canned) -> None:
    server = await canned(http_answer(202, "Accepted", "{}", {"Content-Type": "application/json"}))
    async with PaydeskClient(server.url) as client:
        assert await client.request_code("a@example.com") is None
    [request] = server.seen
    assert "authorization" not in request.headers
    assert json.loads(request.body) == {"email": "a@example.com"}


async def test_a_get_is_retried_once_after_a_dropped_connection(canned) -> None:
    server = await canned(DROP, json_answer(200, "OK", {"status": "ok"}))
    async with PaydeskClient(server.url) as client:
        assert await client.health() == {"status": "ok"}
    assert len(server.seen) == 2


async def test_a_post_is_never_retried(canned) -> None:
    server = await canned(DROP, json_answer(202, "Accepted", {}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ServerUnavailable):
            await client.request_code("a@example.com")
    assert len(server.seen) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_dead_port_is_server_unavailable_naming_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with PaydeskClient(url) as client:
        with pytest.raises(ServerUnavailable) as info:
            await client.me()
    err = info.value
    assert str(err) == f"Cannot reach the Paydesk server at {url}. Check your connection and try again."
    assert (err.status, err.type, err.code) == (0, "unavailable", "unavailable")
    assert isinstance(err, ApiError)


async def test_a_server_that_never_answers_times_out(canned) -> None:
    server = await canned(HANG)
    async with PaydeskClient(server.url, timeout=0.3) as client:
        with pytest.raises(ServerUnavailable, match="did not answer in time") as info:
            await client.me()
    assert info.value.code == "timeout"
    assert server.url in str(info.value)
    assert len(server.seen) == 1  # a timeout is not retried: the user already waited


async def test_logout_forgets_the_token_even_when_the_server_is_away() -> None:
    client = PaydeskClient(f"http://127.0.0.1:{closed_port()}", token="tok")
    await client.logout()
    assert client.token is None
    await client.aclose()


async def test_one_http_client_for_the_life_of_the_client(canned) -> None:
    server = await canned(json_answer(200, "OK", {}), json_answer(200, "OK", {}))
    client = PaydeskClient(server.url)
    assert client._http is None  # nothing is built before the first request
    await client.health()
    first = client._http
    await client.health()
    assert client._http is first
    assert isinstance(first, httpx.AsyncClient)
    await client.aclose()
    assert first.is_closed


def test_importing_the_models_and_errors_does_not_import_httpx() -> None:
    script = "import sys, tui.api; print('httpx' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_models_ignore_unknown_fields() -> None:
    row = InvoiceRow.model_validate(
        {
            "id": 1,
            "number": "INV-1",
            "issued_on": "2026-10-01",
            "due_on": "2026-11-01",
            "amount_cents": 1000,
            "balance_cents": 250,
            "status": "open",
            "past_due": True,
            "site": None,
            "parent_id": None,
            "children_count": 0,
            "brand_new_field": {"x": 1},
        }
    )
    assert row.due_on == dt.date(2026, 11, 1)
    assert row.balance_cents == 250
    page = Page[InvoiceRow].model_validate(
        {"items": [row.model_dump()], "next_cursor": None, "total_count": 1}
    )
    assert page.items == [row]


# ---------------------------------------------------------------------------------------------
# Against the real reference backend (seeded demo data, --dev)
# ---------------------------------------------------------------------------------------------

DEMO_TODAY = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def tokens(live_server: StubServer) -> dict[str, str]:
    """One login per person for the whole module (code requests are rate limited per email)."""
    return {who: login(live_server.base_url, f"{who}@example.com") for who in ("dana", "lee", "clerk")}


@pytest.fixture
async def as_(
    live_server: StubServer, tokens: dict[str, str]
) -> AsyncIterator[Callable[[str], PaydeskClient]]:
    clients: list[PaydeskClient] = []

    def make(who: str) -> PaydeskClient:
        client = PaydeskClient(live_server.base_url, token=tokens[who])
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def dana_account(as_) -> int:
    me = await as_("dana").me()
    return next(a.id for a in me.accounts if a.account_number == "4100012345")


def code_in(email: OutboxEmail) -> str:
    import re

    match = re.search(r"\b(\d{6})\b", email.body)
    assert match, email.body
    return match.group(1)


async def test_health(live_server: StubServer) -> None:
    async with PaydeskClient(live_server.base_url) as client:
        health = await client.health()
    assert health["status"] == "ok"
    assert health["version"]


async def test_log_in_with_a_code_from_the_outbox_then_log_out(live_server: StubServer) -> None:
    async with PaydeskClient(live_server.base_url) as client:
        await client.request_code("sam@example.com")
        inbox = await client.outbox("sam@example.com")
        assert isinstance(inbox, Page)
        newest = inbox.items[0]
        assert isinstance(newest, OutboxEmail)
        assert (newest.to, newest.kind) == ("sam@example.com", "login_code")
        code = code_in(newest)

        wrong = "000000" if code != "000000" else "111111"
        with pytest.raises(ApiError) as info:
            await client.verify_code("sam@example.com", wrong)
        err = info.value
        assert (err.status, err.type, err.code) == (401, "authentication", "invalid_code")
        assert not isinstance(err, NotAuthenticated)
        assert str(err) and not str(err).startswith("The server answered")  # the server's own sentence
        assert client.token is None

        session = await client.verify_code("sam@example.com", code)
        assert isinstance(session, Session)
        assert client.token == session.token
        assert session.user.email == "sam@example.com"
        assert session.user.role == "customer"
        assert session.expires_at.tzinfo is not None
        assert session.expires_at > dt.datetime.now(dt.UTC)

        me = await client.me()
        assert [a.account_number for a in me.accounts] == ["4100099999"]

        await client.logout()
        assert client.token is None
        client.token = session.token  # the old token is revoked on the server
        with pytest.raises(NotAuthenticated):
            await client.me()


async def test_no_token_or_a_bogus_one_is_not_authenticated(live_server: StubServer) -> None:
    async with PaydeskClient(live_server.base_url) as client:
        with pytest.raises(NotAuthenticated) as info:
            await client.me()
        assert info.value.status == 401
        client.token = "not-a-real-token"
        with pytest.raises(NotAuthenticated):
            await client.me()


async def test_me_and_account(as_, dana_account: int) -> None:
    dana = as_("dana")
    me = await dana.me()
    assert isinstance(me, Me)
    assert (me.user.email, me.user.role, me.user.is_clerk) == ("dana@example.com", "customer", False)
    assert [a.account_number for a in me.accounts] == ["4100012345"]

    account = await dana.account(dana_account)
    assert isinstance(account, Account)
    assert (account.account_number, account.last_name) == ("4100012345", "Whitfield")
    assert account.name == f"{account.first_name} {account.last_name}"
    assert account.email == "dana@example.com"
    assert account.paperless is False
    assert account.autopay.enabled is False


async def test_lee_has_autopay_with_a_saved_visa(as_) -> None:
    lee = as_("lee")
    [ref] = (await lee.me()).accounts
    account = await lee.account(ref.id)
    assert account.account_number == "4100067890"
    assert account.paperless is True
    assert account.autopay.enabled is True
    assert account.autopay.payment_method_id is not None
    assert "4242" in (account.autopay.method_label or "")


async def test_summary(as_, dana_account: int) -> None:
    summary = await as_("dana").summary(dana_account)
    assert isinstance(summary, Summary)
    assert summary.today is not None and summary.today >= DEMO_TODAY
    assert summary.balance_due_cents > summary.past_due_cents > 0
    assert summary.in_progress_cents > 0
    assert summary.past_due_count >= 1
    assert summary.open_count >= 4  # 3 single-site and the multi-site parent
    assert summary.next_due_on is None or summary.next_due_on >= summary.today


async def test_invoice_tabs(as_, dana_account: int) -> None:
    dana = as_("dana")
    pages = {
        status: await dana.invoices(dana_account, status=status)
        for status in ("all", "open", "in_progress", "paid")
    }
    for status, page in pages.items():
        assert page.next_cursor is None
        assert page.total_count == len(page.items)
        assert all(isinstance(row, InvoiceRow) for row in page.items)
        if status != "all":
            assert {row.status for row in page.items} == {status}
    assert (pages["open"].total_count, pages["in_progress"].total_count, pages["paid"].total_count) == (
        4,
        1,
        6,
    )
    assert pages["all"].total_count == 11  # the unsent invoice never shows
    assert sum(row.past_due for row in pages["open"].items) >= 1
    newest_first = [(row.issued_on, row.id) for row in pages["all"].items]
    assert newest_first == sorted(newest_first, reverse=True)

    [parent] = (await dana.invoices(dana_account, kind="multi")).items
    assert parent.is_multi_site and parent.children_count == 3 and parent.site is None
    singles = await dana.invoices(dana_account, kind="single")
    assert singles.total_count == 10
    assert all(row.children_count == 0 and row.parent_id is None for row in singles.items)


async def test_invoices_page_with_a_cursor(as_, dana_account: int) -> None:
    dana = as_("dana")
    everything = await dana.invoices(dana_account)
    seen: list[int] = []
    cursor = None
    while True:
        page = await dana.invoices(dana_account, limit=4, cursor=cursor)
        assert len(page.items) <= 4
        assert page.total_count == everything.total_count
        seen += [row.id for row in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [row.id for row in everything.items]

    with pytest.raises(ApiError) as info:
        await dana.invoices(dana_account, cursor="not-a-cursor")
    assert (info.value.status, info.value.type, info.value.param) == (400, "invalid_request", "cursor")


async def test_invoice_detail_with_line_items(as_, dana_account: int) -> None:
    dana = as_("dana")
    opened = await dana.invoices(dana_account, status="open", kind="single")
    detail = await dana.invoice(opened.items[0].id)
    assert isinstance(detail, InvoiceDetail)
    assert detail.account_id == dana_account
    assert detail.line_items
    assert sum(item.amount_cents for item in detail.line_items) == detail.amount_cents
    assert detail.children == []


async def test_multi_site_detail_has_its_children(as_, dana_account: int) -> None:
    dana = as_("dana")
    [parent] = (await dana.invoices(dana_account, kind="multi")).items
    detail = await dana.invoice(parent.id)
    assert len(detail.children) == 3
    assert all(child.parent_id == parent.id and child.site is not None for child in detail.children)
    assert sum(child.amount_cents for child in detail.children) == detail.amount_cents
    assert sum(child.balance_cents for child in detail.children) == detail.balance_cents


async def test_in_progress_invoice_shows_its_pending_payment(as_, dana_account: int) -> None:
    dana = as_("dana")
    [row] = (await dana.invoices(dana_account, status="in_progress")).items
    detail = await dana.invoice(row.id)
    assert any(p.status == "pending" for p in detail.payments)
    assert all(p.confirmation_number and p.amount_cents > 0 for p in detail.payments)


async def test_a_customer_cannot_read_another_account(as_, dana_account: int) -> None:
    dana, lee = as_("dana"), as_("lee")
    [lee_ref] = (await lee.me()).accounts
    lee_invoice = (await lee.invoices(lee_ref.id)).items[0]
    for call in (
        dana.account(lee_ref.id),
        dana.summary(lee_ref.id),
        dana.invoices(lee_ref.id),
        dana.invoice(lee_invoice.id),
    ):
        with pytest.raises(ApiError) as info:
            await call
        assert (info.value.status, info.value.type, info.value.code) == (404, "not_found", "not_found")
    with pytest.raises(ApiError) as info:
        await dana.invoice(999_999_999)
    assert info.value.status == 404


async def test_clerk_search(as_) -> None:
    clerk = as_("clerk")
    me = await clerk.me()
    assert me.user.is_clerk and me.accounts == []

    found = await clerk.search_accounts(account_number="4100012345", last_name="WHITFIELD")
    [match] = found.items
    assert isinstance(match, AccountMatch)
    assert (match.account_number, match.last_name, match.email) == (
        "4100012345",
        "Whitfield",
        "dana@example.com",
    )
    assert (await clerk.account(match.id)).account_number == "4100012345"  # a clerk opens any account

    [by_email] = (await clerk.search_accounts(email="Lee@Example.com")).items
    assert by_email.account_number == "4100067890"

    nobody = await clerk.search_accounts(account_number="4100012345", last_name="Okafor")
    assert (nobody.items, nobody.total_count) == ([], 0)

    with pytest.raises(ApiError) as info:
        await clerk.search_accounts(last_name="Whitfield")
    assert (info.value.status, info.value.type) == (400, "invalid_request")


async def test_a_customer_cannot_search(as_) -> None:
    with pytest.raises(ApiError) as info:
        await as_("dana").search_accounts(email="lee@example.com")
    assert (info.value.status, info.value.type, info.value.code) == (403, "permission", "clerk_only")


async def test_clock_reads_the_backend_date(as_) -> None:
    today = await as_("clerk").clock()
    assert isinstance(today, dt.date)
    assert today >= DEMO_TODAY


# ---------------------------------------------------------------------------------------------
# Payments through the client, against a fresh backend (they change data)
# ---------------------------------------------------------------------------------------------


def card_payment(invoice_id: int, number: str, accepted_fees_cents: int = 0):
    from tui.api import InvoicesTarget, InvoiceToPay, NewCard, PartIn, PaymentRequest

    card = NewCard(
        number=number, exp_month=12, exp_year=2030, cvc="123", name="Dana Whitfield", postal_code="94110"
    )
    return PaymentRequest(
        target=InvoicesTarget(invoices=[InvoiceToPay(invoice_id=invoice_id)]),
        parts=[PartIn(method=card)],
        accepted_fees_cents=accepted_fees_cents,
        receipt_email="dana@example.com",
    )


async def test_decline_quote_pay_and_replay_with_the_same_key(fresh_server: StubServer) -> None:
    import uuid

    async with PaydeskClient(
        fresh_server.base_url, token=login(fresh_server.base_url, "dana@example.com")
    ) as dana:
        [account] = (await dana.me()).accounts
        invoice = (await dana.invoices(account.id, status="open", kind="single")).items[0]

        with pytest.raises(ApiError) as info:
            await dana.pay(account.id, card_payment(invoice.id, "4000000000000002", 175), str(uuid.uuid4()))
        err = info.value
        assert (err.status, err.type, err.code, err.decline_code) == (
            402,
            "payment",
            "card_declined",
            "generic_decline",
        )
        assert "4000000000000002" not in repr(err)
        assert (await dana.invoice(invoice.id)).status == "open"  # a decline changes nothing

        quote = await dana.quote(account.id, card_payment(invoice.id, "4242424242424242"))
        assert quote.problems == []
        assert quote.fees_cents == 175
        assert quote.total_cents == invoice.balance_cents + 175
        assert [a.invoice_id for a in quote.allocations] == [invoice.id]

        with pytest.raises(ApiError) as info:
            await dana.pay(account.id, card_payment(invoice.id, "4242424242424242", 0), str(uuid.uuid4()))
        assert (info.value.status, info.value.code) == (409, "fees_changed")

        key = str(uuid.uuid4())
        body = card_payment(invoice.id, "4242424242424242", quote.fees_cents)
        payment = await dana.pay(account.id, body, key)
        assert payment.status == "succeeded"
        assert payment.total_cents == quote.total_cents
        again = await dana.pay(account.id, body, key)
        assert again.confirmation_number == payment.confirmation_number  # answered again, not charged again

        assert (await dana.invoice(invoice.id)).status == "paid"
        history = await dana.payments(account.id)
        assert payment.id in [p.id for p in history.items]
        assert (await dana.payment(payment.id)).confirmation_number == payment.confirmation_number


def test_the_client_keeps_every_method_screens_and_scripts_call() -> None:
    """The names the app and the CLI call on PaydeskClient (split across modules, none renamed)."""
    names = [
        "aclose",
        "health",
        "request_code",
        "verify_code",
        "login",
        "sign_up",
        "forgot_password",
        "set_password",
        "guest_lookup",
        "logout",
        "me",
        "account",
        "summary",
        "invoices",
        "invoice",
        "search_accounts",
        "outbox",
        "clock",
        "quote",
        "pay",
        "payments",
        "payment",
        "payment_methods",
        "add_payment_method",
        "delete_payment_method",
        "set_default_payment_method",
        "update_account",
        "set_autopay",
        "scheduled_payments",
        "schedule_payment",
        "change_scheduled",
        "cancel_scheduled",
        "send_message",
        "statement",
        "statement_csv",
        "invoice_pdf",
    ]
    assert [name for name in names if not callable(getattr(PaydeskClient, name, None))] == []
    assert isinstance(PaydeskClient.token, property)
