"""The answers a payment is refused with: a billing problem as an API error, and the refusals that only
arise while paying (fees changed, balance changed, declined)."""

from __future__ import annotations

from backend_stub.billing.money import format_cents as dollars
from backend_stub.billing.problems import Problem, conflict
from backend_stub.errors import ApiError
from backend_stub.processor import Decline


def to_error(problem: Problem, **extra: object) -> ApiError:
    return ApiError(problem.status, problem.type, problem.code, problem.message, problem.param, extra=extra)


def balance_changed() -> Problem:
    return conflict(
        "balance_changed",
        "The balance changed while this payment was being made (another payment was applied): "
        "review the new amounts and try again.",
        "target",
    )


def fees_changed(fees_cents: int, accepted_cents: int | None) -> ApiError:
    return ApiError(
        409,
        "conflict",
        "fees_changed",
        f"The fees for this payment are {dollars(fees_cents)}, not {dollars(accepted_cents or 0)}: "
        "review the new quote and accept it.",
        "accepted_fees_cents",
    )


def declined(part_index: int, decline: Decline) -> ApiError:
    return ApiError(
        402,
        "payment",
        "card_declined",
        decline.message,
        f"parts[{part_index}].method",
        extra={"decline_code": decline.decline_code},
    )
