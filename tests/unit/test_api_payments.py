"""PaydeskClient's payment methods: the body on the wire, the key header, one try, declines, secrets."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.api import (
    ApiError,
    InvoicesTarget,
    InvoiceToPay,
    NewCard,
    PartIn,
    PaydeskClient,
    PaymentAttempt,
    PaymentOutcomeUnknown,
    PaymentRequest,
    ServerUnavailable,
)
from tui.api.retries import PAYMENT_RETRY_DELAYS

NUMBER = "4242424242424242"

PAYMENT = {
    "id": 9,
    "account_id": 1,
    "confirmation_number": "PD-7K3M9Q2X",
    "status": "succeeded",
    "amount_cents": 5000,
    "credit_cents": 0,
    "fees_cents": 175,
    "total_cents": 5175,
    "parts": [
        {
            "amount_cents": 5000,
            "fee_cents": 175,
            "fees": [
                {"kind": "convenience", "amount_cents": 175, "description": "Card fee", "refundable": False}
            ],
            "method": {
                "type": "card",
                "brand": "Visa",
                "last4": "4242",
                "bank_name": None,
                "funding": "credit",
            },
            "status": "succeeded",
        }
    ],
    "allocations": [{"invoice_id": 3, "number": "INV-1", "amount_cents": 5000}],
    "channel": "online",
    "created_by": 1,
    "created_at": "2026-11-15T14:05:00Z",
    "created_on": "2026-11-15",
    "settles_on": None,
    "return_code": None,
    "receipt_email": "dana@example.com",
    "saved_payment_method_ids": [],
}


def body() -> PaymentRequest:
    card = NewCard(number=NUMBER, exp_month=12, exp_year=2030, cvc="123", name="Dana", postal_code="97405")
    return PaymentRequest(
        target=InvoicesTarget(invoices=[InvoiceToPay(invoice_id=3)]),
        parts=[PartIn(method=card)],
        accepted_fees_cents=175,
        receipt_email="dana@example.com",
    )


def client_with(handler) -> PaydeskClient:
    client = PaydeskClient("http://paydesk.test", token="t")
    client._http = httpx.AsyncClient(base_url=client.base_url, transport=httpx.MockTransport(handler))
    return client


def test_secrets_stay_out_of_repr_and_plain_dumps() -> None:
    request = body()
    assert NUMBER not in repr(request) and "123" not in repr(request.parts[0].method)
    assert NUMBER not in str(request.model_dump())
    assert request.wire()["parts"][0]["method"]["number"] == NUMBER


async def test_pay_sends_the_key_and_the_body_once() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=PAYMENT)

    client = client_with(handler)
    payment = await client.pay(1, body(), "key-1")
    assert payment.confirmation_number == "PD-7K3M9Q2X"
    assert payment.parts[0].method.label == "Visa •••• 4242"
    assert len(seen) == 1
    assert seen[0].headers["Idempotency-Key"] == "key-1"
    assert seen[0].url.path == "/v1/accounts/1/payments"
    sent = json.loads(seen[0].content)
    assert sent["target"] == {"type": "invoices", "invoices": [{"invoice_id": 3}]}
    assert sent["accepted_fees_cents"] == 175
    assert sent["authorization"] == {"kind": "online"}
    await client.aclose()


async def test_pay_is_never_retried_by_the_client() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("dropped", request=request)

    client = client_with(handler)
    with pytest.raises(ServerUnavailable) as caught:
        await client.pay(1, body(), "key-1")
    assert calls == 1
    assert NUMBER not in repr(caught.value) and NUMBER not in str(caught.value)
    await client.aclose()


async def test_a_decline_carries_its_decline_code() -> None:
    error = {
        "type": "payment",
        "code": "card_declined",
        "message": "Your card was declined. Try another card.",
        "param": "parts[0].method",
        "decline_code": "generic_decline",
    }
    client = client_with(lambda request: httpx.Response(402, json={"error": error}))
    with pytest.raises(ApiError) as caught:
        await client.pay(1, body(), "key-1")
    assert caught.value.decline_code == "generic_decline"
    assert caught.value.param == "parts[0].method"
    assert "generic_decline" in repr(caught.value)
    await client.aclose()


async def test_quote_history_and_methods_parse() -> None:
    quote = {
        "allocations": PAYMENT["allocations"],
        "amount_cents": 5000,
        "credit_cents": 0,
        "parts": PAYMENT["parts"],
        "fees_cents": 175,
        "total_cents": 5175,
        "fee_policy": "convenience",
        "problems": [
            {"type": "invalid_request", "code": "invalid_email", "message": "Bad.", "param": "receipt_email"}
        ],
    }
    method = {
        "id": 7,
        "account_id": 1,
        "type": "card",
        "brand": "Visa",
        "last4": "4242",
        "is_default": True,
        "label": "Visa •••• 4242",
        "created_at": "2026-11-15T14:05:00Z",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/quote"):
            assert "Idempotency-Key" not in request.headers
            return httpx.Response(200, json=quote)
        if path.endswith("/payments"):
            assert request.url.params["limit"] == "20"
            return httpx.Response(200, json={"items": [PAYMENT], "next_cursor": "c2", "total_count": 3})
        if path.endswith("/payment-methods"):
            return httpx.Response(200, json={"items": [method], "next_cursor": None, "total_count": 1})
        return httpx.Response(404)

    client = client_with(handler)
    got = await client.quote(1, body())
    assert got.problems[0].param == "receipt_email" and got.fees_cents == 175
    page = await client.payments(1, limit=20)
    assert page.next_cursor == "c2" and page.items[0].id == 9
    methods = await client.payment_methods(1)
    assert methods.items[0].display == "Visa •••• 4242"
    await client.aclose()


# ---- PaymentAttempt: one payment, one key, sent again only when its answer is lost ---------------


def flaky_server(*answers):
    """A MockTransport handler answering from `answers` in turn: a status, or "drop"/"timeout"."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if answer == "drop":
            raise httpx.ConnectError("dropped", request=request)
        if answer == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if answer == 409:
            error = {"type": "conflict", "code": "idempotency_key_in_use", "message": "Still running."}
            return httpx.Response(409, json={"error": error})
        if answer == 402:
            error = {"type": "payment", "code": "card_declined", "message": "Declined.", "param": "parts[0]"}
            return httpx.Response(402, json={"error": error})
        return httpx.Response(201, json=PAYMENT)

    return handler, seen


async def no_wait(seconds: float) -> None:
    pass


async def test_an_attempt_sends_again_with_the_same_key_until_answered() -> None:
    handler, seen = flaky_server("drop", "timeout", 409, 201)
    client = client_with(handler)
    attempt = PaymentAttempt(1)
    heard: list[str] = []
    payment = await attempt.send(client, body(), on_retry=heard.append, sleep=no_wait)
    assert payment.confirmation_number == "PD-7K3M9Q2X"
    assert [r.headers["Idempotency-Key"] for r in seen] == [attempt.key] * 4
    assert len({r.content for r in seen}) == 1  # the same body every time
    assert len(heard) == 3 and "same request" in heard[0] and "still being processed" in heard[2]
    assert not attempt.unanswered
    await client.aclose()


async def test_an_attempt_never_answered_says_so_and_keeps_its_key() -> None:
    handler, seen = flaky_server("drop")
    client = client_with(handler)
    attempt = PaymentAttempt(1)
    with pytest.raises(PaymentOutcomeUnknown) as caught:
        await attempt.send(client, body(), sleep=no_wait)
    assert isinstance(caught.value, ServerUnavailable) and caught.value.code == "outcome_unknown"
    assert attempt.unanswered and len(seen) == len(PAYMENT_RETRY_DELAYS) + 1
    # Sending it again (the person asks) still uses the one key.
    with pytest.raises(PaymentOutcomeUnknown):
        await attempt.send(client, body(), sleep=no_wait)
    assert {r.headers["Idempotency-Key"] for r in seen} == {attempt.key}
    await client.aclose()


async def test_an_attempt_does_not_resend_what_the_server_refused() -> None:
    handler, seen = flaky_server(402)
    client = client_with(handler)
    with pytest.raises(ApiError) as caught:
        await PaymentAttempt(1).send(client, body(), sleep=no_wait)
    assert caught.value.code == "card_declined" and len(seen) == 1
    await client.aclose()


def test_each_attempt_has_its_own_key() -> None:
    assert PaymentAttempt(1).key != PaymentAttempt(1).key
