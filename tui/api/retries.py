"""Every retry the client makes, in one place: when a request may be sent again, and with what.

- A GET is safe to send twice, so it gets one more try when the connection failed (not when it
  timed out: the person already waited).
- Any other request is sent once, except a payment: a `PaymentAttempt` is one payment as the payer
  reviewed it, with one Idempotency-Key for every send of it. When its answer is lost (no connection,
  a timeout) or the server says the first send is still running, it is sent again, same body, same
  key, so the server answers the first payment instead of making a second. A new review is a new
  attempt with a new key; the same attempt never gets a second key.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from tui.api.errors import ApiError, PaymentOutcomeUnknown, ServerUnavailable

if TYPE_CHECKING:
    from tui.api.models import Payment
    from tui.api.requests import PaymentRequest

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
        tries = len(PAYMENT_RETRY_DELAYS) + 1
        for attempt in range(tries):
            try:
                return await client.pay(self.account_id, body, self.key)
            except ServerUnavailable:
                if attempt == tries - 1:
                    break
                on_retry(f"No answer yet; asking again with the same request (try {attempt + 2} of {tries})…")
            except ApiError as error:
                if error.code != "idempotency_key_in_use" or attempt == tries - 1:
                    raise
                on_retry("Your payment is still being processed; checking again…")
            await sleep(PAYMENT_RETRY_DELAYS[attempt])
        self.unanswered = True
        raise PaymentOutcomeUnknown(
            "Paydesk could not reach the server to learn whether the payment went through. Send it "
            "again: it carries the same key, so it is never paid twice."
        )
