"""The fee policies. `convenience`: a flat fee per card part, not refundable, none on ACH.
`surcharge`: basis points (at most 300) of a credit-card part, rounded half up to the cent; never on a
debit or prepaid card, never on ACH. The two are never combined.

A standing instruction (autopay) is priced by its terms, not by one amount: the fee it takes on each
payment with one method (`standing_terms`). The payer accepts those terms when enrolling; a run under
other terms is not made."""

from __future__ import annotations

from dataclasses import dataclass

from backend_stub.billing.money import format_cents

CONVENIENCE = "convenience"
SURCHARGE = "surcharge"
POLICIES = (CONVENIENCE, SURCHARGE)
MAX_SURCHARGE_BPS = 300


@dataclass(frozen=True)
class FeePolicy:
    kind: str = CONVENIENCE
    convenience_cents: int = 175
    surcharge_bps: int = MAX_SURCHARGE_BPS

    def __post_init__(self) -> None:
        if self.kind not in POLICIES:
            raise ValueError(f"fee policy must be one of {', '.join(POLICIES)}, not {self.kind!r}")
        if not 0 <= self.surcharge_bps <= MAX_SURCHARGE_BPS:
            raise ValueError(
                f"surcharge must be 0..{MAX_SURCHARGE_BPS} basis points, not {self.surcharge_bps}"
            )
        if self.convenience_cents < 0:
            raise ValueError("a convenience fee is never negative")


@dataclass(frozen=True)
class Fee:
    kind: str
    amount_cents: int
    description: str
    refundable: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "amount_cents": self.amount_cents,
            "description": self.description,
            "refundable": self.refundable,
        }


def surcharge_cents(amount_cents: int, bps: int) -> int:
    """amount x bps / 10000, rounded half up to the cent (integers only)."""
    return (amount_cents * bps + 5_000) // 10_000


def fees_for(method_type: str, funding: str | None, amount_cents: int, policy: FeePolicy) -> list[Fee]:
    """The fees on one part paying `amount_cents` by `method_type` ('card' | 'ach')."""
    if method_type != "card" or amount_cents <= 0:
        return []
    if policy.kind == CONVENIENCE:
        if policy.convenience_cents == 0:
            return []
        return [
            Fee(
                CONVENIENCE,
                policy.convenience_cents,
                f"Card convenience fee ({format_cents(policy.convenience_cents)}, not refundable)",
                refundable=False,
            )
        ]
    if (funding or "credit") != "credit":
        return []
    amount = surcharge_cents(amount_cents, policy.surcharge_bps)
    if amount == 0:
        return []
    percent = f"{policy.surcharge_bps // 100}.{policy.surcharge_bps % 100:02d}%"
    # Card rules refund a surcharge with the payment it came with.
    return [Fee(SURCHARGE, amount, f"Credit card surcharge ({percent} of the card amount)", refundable=True)]


@dataclass(frozen=True)
class StandingTerms:
    """The fee each payment of a standing instruction takes with one method: a flat amount
    (convenience) or basis points of the amount (surcharge)."""

    kind: str
    amount_cents: int | None = None
    basis_points: int | None = None

    @property
    def description(self) -> str:
        if self.kind == CONVENIENCE:
            return (
                f"Card convenience fee of {format_cents(self.amount_cents or 0)} on each payment "
                "(not refundable)"
            )
        bps = self.basis_points or 0
        return f"Credit card surcharge of {bps // 100}.{bps % 100:02d}% of each payment"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "amount_cents": self.amount_cents,
            "basis_points": self.basis_points,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, stored: dict) -> StandingTerms:
        return cls(stored["kind"], stored.get("amount_cents"), stored.get("basis_points"))


def standing_terms(method_type: str, funding: str | None, policy: FeePolicy) -> StandingTerms | None:
    """The terms of a standing instruction paying with this method under `policy`; None: no fee."""
    if method_type != "card":
        return None
    if policy.kind == CONVENIENCE:
        return (
            StandingTerms(CONVENIENCE, amount_cents=policy.convenience_cents)
            if policy.convenience_cents
            else None
        )
    if (funding or "credit") != "credit" or policy.surcharge_bps == 0:
        return None
    return StandingTerms(SURCHARGE, basis_points=policy.surcharge_bps)
