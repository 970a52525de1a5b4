"""Every retry the client makes, in one place: when a request may be sent again, and with what.

- A GET is safe to send twice, so it gets one more try when the connection failed (not when it
  timed out: the person already waited).
- Any other request is sent once, except a payment: a `PaymentAttempt` is one payment as the payer
  reviewed it, with one Idempotency-Key for every send of it. When its answer is lost (no connection,
  a timeout) or the server says the first send is still running, it is sent again, same body, same
  key, so the server answers the first payment instead of making a second. A new review is a new
  attempt with a new key; the same attempt never gets a second key.
- A clerk's void or refund is an `UndoAttempt`, the same way: one key per dialog, sent again only
  when its answer is lost (`send_with_key` is the one loop both use).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from tui.api.errors import ApiError, PaymentOutcomeUnknown, ServerUnavailable

if TYPE_CHECKING:
    from tui.api.models import Payment, Refund
    from tui.api.requests import PaymentRequest

T = TypeVar("T")

GET_TRIES = 2
# Waits between sends of one payment whose answer is lost; every send carries the same key.
PAYMENT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)


def tries_for(method: str) -> int:
    """How many times a request may go out when its connection fails before an answer."""
    return GET_TRIES if method == "GET" else 1


class Pays(Protocol):
    """What a PaymentAttempt sends through: `PaydeskClient.pay`, which sends exactly once."""

    def pay(self, account_id: int, body: PaymentRequest, idempotency_key: str) -> Awaitable[Payment]: ...


def _new_key() -> str:
    return str(uuid.uuid4())


def _quiet(text: str) -> None:
    pass


async def send_with_key(
    send: Callable[[str], Awaitable[T]],
    key: str,
    *,
    on_retry: Callable[[str], object] = _quiet,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """`send(key)`'s answer, sent again with the same key while its answer is lost or still running.

    The server's ApiError (a decline, a refusal) is raised as it answered it. Raises
    ServerUnavailable (the last one) when no send was answered: what it did is unknown, and sending
    again with the same key is the safe way to learn.
    """
    tries = len(PAYMENT_RETRY_DELAYS) + 1
    for attempt in range(tries):
        try:
            return await send(key)
        except ServerUnavailable:
            if attempt == tries - 1:
                raise
            on_retry(f"No answer yet; asking again with the same request (try {attempt + 2} of {tries})…")
        except ApiError as error:
            if error.code != "idempotency_key_in_use" or attempt == tries - 1:
                raise
            on_retry("The payment is still being processed; checking again…")
        await sleep(PAYMENT_RETRY_DELAYS[attempt])
    raise AssertionError("unreachable: the last try returns or raises")  # pragma: no cover


@dataclass
class PaymentAttempt:
    """One payment as reviewed: its account, its one key, and whether its last answer was lost."""

    account_id: int
    key: str = field(default_factory=_new_key)
    # True once every send went unanswered: sending again asks the server what became of it.
    unanswered: bool = False

    async def send(
        self,
        client: Pays,
        body: PaymentRequest,
        *,
        on_retry: Callable[[str], object] = _quiet,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Payment:
        """The payment; the server's ApiError (a decline, fees changed, ...) as it answered it.

        Raises PaymentOutcomeUnknown when no send was answered: the payment may have been made, and
        sending this attempt again is the safe way to learn (never a new attempt, never a new key).
        `on_retry` hears one sentence before each new send.
        """
        try:
            payment = await send_with_key(
                lambda key: client.pay(self.account_id, body, key), self.key, on_retry=on_retry, sleep=sleep
            )
        except PaymentOutcomeUnknown:
            raise
        except ServerUnavailable:
            self.unanswered = True
            raise PaymentOutcomeUnknown(
                "Paydesk could not reach the server to learn whether the payment went through. Send it "
                "again: it carries the same key, so it is never paid twice."
            ) from None
        self.unanswered = False
        return payment


# ---- issue 9 (i9-wizard): a void or a refund, one key per dialog ------------------------------------


class Undoes(Protocol):
    """What an UndoAttempt sends through: `PaydeskClient.void_payment` / `refund_payment`."""

    def void_payment(self, payment_id: int, reason: str, idempotency_key: str) -> Awaitable[Payment]: ...

    def refund_payment(
        self, payment_id: int, amount_cents: int | None, reason: str, idempotency_key: str
    ) -> Awaitable[Refund]: ...


@dataclass
class UndoAttempt:
    """One void or refund as the clerk confirmed it: one key for every send of it, so a lost answer
    is asked about again and never voids or refunds twice.

    The server keeps its answer under the key, a refusal too, and refuses the key with another body
    (422 `idempotency_key_reused`): after a refusal (which changed nothing) the dialog sends the
    corrected request as a new attempt (`renewed()`); after a lost answer it sends this one again.
    """

    payment_id: int
    key: str = field(default_factory=_new_key)
    unanswered: bool = False

    def renewed(self) -> UndoAttempt:
        return UndoAttempt(self.payment_id)

    async def void(
        self,
        client: Undoes,
        reason: str,
        *,
        on_retry: Callable[[str], object] = _quiet,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Payment:
        return await self._send(
            lambda key: client.void_payment(self.payment_id, reason, key), on_retry, sleep
        )

    async def refund(
        self,
        client: Undoes,
        amount_cents: int | None,
        reason: str,
        *,
        on_retry: Callable[[str], object] = _quiet,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> Refund:
        return await self._send(
            lambda key: client.refund_payment(self.payment_id, amount_cents, reason, key), on_retry, sleep
        )

    async def _send(
        self,
        send: Callable[[str], Awaitable[T]],
        on_retry: Callable[[str], object],
        sleep: Callable[[float], Awaitable[object]],
    ) -> T:
        try:
            answer = await send_with_key(send, self.key, on_retry=on_retry, sleep=sleep)
        except ServerUnavailable:
            self.unanswered = True
            raise PaymentOutcomeUnknown(
                "Paydesk could not reach the server to learn whether this went through. Send it again: "
                "it carries the same key, so it is never done twice."
            ) from None
        self.unanswered = False
        return answer
