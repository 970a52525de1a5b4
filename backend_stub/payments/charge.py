"""Charging: the processor's side of a payment, all parts or none.

`charge` authorises every part, then hands the caller's `commit` a `capture` to call at its commit point
(after the re-check under the lock, before the rows are written). A decline, or anything that fails before
`capture` ran, voids every authorisation. Keeping capture a separate, named step is what lets a later
change move it after the commit (crash-safe capture) without touching either caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from backend_stub.billing.quote import PartPlan
from backend_stub.payments.plan import Resolved
from backend_stub.processor import Decline, Processor, TokenDetails

T = TypeVar("T")


@dataclass(frozen=True)
class Declined:
    part_index: int
    decline: Decline


def tokens_for(processor: Processor, resolved: Sequence[Resolved]) -> list[TokenDetails]:
    """One processor token per part: a saved method's, or a new one for what was typed."""
    return [_token(processor, r) for r in resolved]


def charge(
    processor: Processor,
    parts: Sequence[PartPlan],
    tokens: Sequence[TokenDetails],
    commit: Callable[[Callable[[], None]], T],
) -> T | Declined:
    """Authorise each part (amount plus fees), then return `commit(capture)`; or the first decline,
    everything authorised so far voided."""
    auths: list[str] = []
    captured = False

    def capture() -> None:
        nonlocal captured
        for auth_id, part in zip(auths, parts, strict=True):
            if part.method.type == "card":  # a bank part is debited at settlement, not captured
                processor.capture(auth_id)
        captured = True

    try:
        for index, (part, token) in enumerate(zip(parts, tokens, strict=True)):
            answer = processor.authorize(token.token, part.amount_cents + part.fee_cents)
            if isinstance(answer, Decline):
                _void(processor, auths)
                return Declined(index, answer)
            auths.append(answer)
        return commit(capture)
    except BaseException:
        if not captured:
            _void(processor, auths)
        raise


def _void(processor: Processor, auths: Sequence[str]) -> None:
    for auth_id in auths:
        processor.void(auth_id)


def _token(processor: Processor, resolved: Resolved) -> TokenDetails:
    if resolved.saved is not None:
        row = resolved.saved
        known = processor.lookup(row["processor_token"])
        if known is not None:
            return known
        return TokenDetails(  # a token this processor never issued (the demo seed's own)
            row["processor_token"],
            row["type"],
            row["brand"],
            row["last4"],
            row["exp_month"],
            row["exp_year"],
            row["funding"],
            row["bank_name"],
            row["account_type"],
            "ok",
        )
    if resolved.card is not None:
        return processor.tokenize_card(resolved.card)
    assert resolved.bank is not None
    return processor.tokenize_bank(resolved.bank)
