"""Charging: the processor's side of a payment, all parts or none, every call keyed.

Each part of an intent carries its processor key (`pi_<intent>_<part>`), so every call here can be repeated
after a crash and gets the same answer: `authorize_parts` authorises each part (a decline voids what was
authorised), `capture_cards` captures the card parts (a bank part is debited at settlement), `undo` voids
(or, if it was somehow captured, refunds) whatever a part got at the processor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backend_stub import faults
from backend_stub.payments.plan import Resolved
from backend_stub.processor import Decline, Processor, TokenDetails
from backend_stub.store.intents import IntentPart


@dataclass(frozen=True)
class Declined:
    part_index: int
    decline: Decline


def tokens_for(processor: Processor, resolved: Sequence[Resolved]) -> list[TokenDetails]:
    """One processor token per part: a saved method's, or a new one for what was typed."""
    return [_token(processor, r) for r in resolved]


def authorize_parts(
    processor: Processor, parts: Sequence[IntentPart], fault: str | None = None
) -> list[str] | Declined:
    """Authorise every part (amount plus fee) with its key: the authorisation ids, or the first decline
    with everything authorised before it voided."""
    auths: list[str] = []
    for index, part in enumerate(parts):
        answer = processor.authorize(part.token, part.total_cents, part.key)
        if isinstance(answer, Decline):
            for auth_id in auths:
                processor.void(auth_id)
            return Declined(index, answer)
        auths.append(answer)
        if index == 0 and len(parts) > 1:
            faults.reached(fault, "after_first_part")
    return auths


def capture_cards(
    processor: Processor, parts: Sequence[IntentPart], auths: Sequence[str] | None = None
) -> None:
    """Capture the card parts (by their authorisation ids, or asked by key after a crash)."""
    for index, part in enumerate(parts):
        if part.type != "card":
            continue
        auth_id = auths[index] if auths is not None else _auth_of(processor, part)
        processor.capture(auth_id)


def undo(processor: Processor, parts: Sequence[IntentPart]) -> None:
    """Give back whatever each part got at the processor, asked by key: an authorisation is voided, a
    capture (which a payment that was never recorded should not have) refunded in full."""
    for part in parts:
        charge = processor.find(part.key)
        if charge is None:
            continue
        if charge.state == "authorized":
            processor.void(charge.id)
        elif charge.state == "captured" and charge.amount_cents > charge.refunded_cents:
            processor.refund(charge.id, charge.amount_cents - charge.refunded_cents, part.key + "_undo")


def _auth_of(processor: Processor, part: IntentPart) -> str:
    charge = processor.find(part.key)
    if charge is None or charge.state == "declined":
        raise RuntimeError(f"part {part.key} of a recorded payment has no authorisation")
    return charge.id


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
