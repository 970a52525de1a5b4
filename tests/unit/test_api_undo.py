"""The client's void and refund (tui/api): what goes on the wire, the new payment fields read back, and
the UndoAttempt's one key (sent again only when an answer is lost; a refusal is not resent)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.unit.test_api_payments import PAYMENT, client_with, no_wait
from tui.api import ApiError, PaymentOutcomeUnknown, UndoAttempt
from tui.api.retries import PAYMENT_RETRY_DELAYS

REFUND = {
    "id": 4,
    "payment_id": 9,
    "amount_cents": 2000,
    "reason": "Billing error",
    "created_by": {"id": 3, "name": "Casey Clerk"},
    "created_at": "2026-11-15T18:00:00Z",
}
VOIDED = {**PAYMENT, "status": "voided", "voided_at": "2026-11-15T18:00:00Z", "void_reason": "Wrong amount"}


def server(*answers):
    """Answers in turn: "drop" (no answer), a refusal status, or the success."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if answer == "drop":
            raise httpx.ConnectError("dropped", request=request)
        if answer == 400:
            error = {
                "type": "invalid_request",
                "code": "refund_too_large",
                "message": "At most $82.20 of this payment can be refunded.",
                "param": "amount_cents",
            }
            return httpx.Response(400, json={"error": error})
        if request.url.path.endswith("/refund"):
            return httpx.Response(201, json=REFUND)
        return httpx.Response(200, json=VOIDED)

    return handler, seen


async def test_void_sends_the_reason_and_the_key_and_reads_the_voided_payment() -> None:
    handler, seen = server(200)
    client = client_with(handler)
    attempt = UndoAttempt(9)
    payment = await attempt.void(client, "Wrong amount", sleep=no_wait)
    (request,) = seen
    assert request.method == "POST" and request.url.path == "/v1/payments/9/void"
    assert json.loads(request.content) == {"reason": "Wrong amount"}
    assert request.headers["Idempotency-Key"] == attempt.key
    assert payment.status == "voided" and payment.void_reason == "Wrong amount" and payment.voided_at
    assert payment.refunds == [] and payment.refunded_cents == 0
    await client.aclose()


async def test_a_lost_refund_is_sent_again_with_the_same_key() -> None:
    handler, seen = server("drop", "drop", 201)
    client = client_with(handler)
    attempt = UndoAttempt(9)
    refund = await attempt.refund(client, 2000, "Billing error", sleep=no_wait)
    assert refund.amount_cents == 2000 and refund.created_by is not None
    assert refund.created_by.name == "Casey Clerk"
    assert [r.headers["Idempotency-Key"] for r in seen] == [attempt.key] * 3
    assert len({r.content for r in seen}) == 1  # the same body every time
    assert json.loads(seen[0].content) == {"amount_cents": 2000, "reason": "Billing error"}
    await client.aclose()


async def test_a_refusal_is_not_resent_and_a_renewed_attempt_has_a_new_key() -> None:
    handler, seen = server(400)
    client = client_with(handler)
    attempt = UndoAttempt(9)
    with pytest.raises(ApiError) as caught:
        await attempt.refund(client, 8221, "Billing error", sleep=no_wait)
    assert caught.value.code == "refund_too_large" and caught.value.param == "amount_cents"
    assert len(seen) == 1 and not attempt.unanswered
    assert attempt.renewed().key != attempt.key and attempt.renewed().payment_id == 9
    await client.aclose()


async def test_an_undo_never_answered_says_so_and_keeps_its_key() -> None:
    handler, seen = server("drop")
    client = client_with(handler)
    attempt = UndoAttempt(9)
    with pytest.raises(PaymentOutcomeUnknown):
        await attempt.void(client, "Wrong amount", sleep=no_wait)
    assert attempt.unanswered and len(seen) == len(PAYMENT_RETRY_DELAYS) + 1
    assert {r.headers["Idempotency-Key"] for r in seen} == {attempt.key}
    await client.aclose()


def test_what_a_refund_may_still_give_back_leaves_out_a_fee_that_is_not_refundable() -> None:
    from tui.api import Payment

    card = {
        "amount_cents": 8220,
        "fee_cents": 175,
        "fees": [{"kind": "convenience", "amount_cents": 175, "refundable": False}],
        "method": {"type": "card", "brand": "visa", "last4": "4242"},
    }
    paid = Payment.model_validate({**PAYMENT, "parts": [card], "refunded_cents": 2000})
    assert paid.refundable_cents == 8220 - 2000
