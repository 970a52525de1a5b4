"""The words of the notices (a returned bank payment, a failed or skipped autopay or scheduled run): one
or two sentences with the amount in dollars, the confirmation number where there is one, the date and the
reason. Pure functions; the return code's meaning comes from the caller (processor.RETURN_REASONS, the
words the return email uses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from backend_stub.billing.money import format_cents as dollars


def short_date(day: date) -> str:
    """2026-11-12 -> "Nov 12, 2026"."""
    return f"{day:%b} {day.day}, {day.year}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _invoices(numbers: Sequence[str]) -> str:
    if len(numbers) == 1:
        return f"invoice {numbers[0]}"
    return f"invoices {', '.join(numbers[:-1])} and {numbers[-1]}"


def bank_payment_returned(
    *,
    confirmation_number: str,
    amount_cents: int,
    made_on: date,
    return_code: str,
    reason: str,
    reopened: Sequence[str],
) -> str:
    said = (
        f"The bank payment {confirmation_number} of {dollars(amount_cents)} made on {short_date(made_on)} "
        f"was returned by the bank: {reason} ({return_code})."
    )
    if not reopened:
        return f"{said} The account credit it made was taken back."
    subject = _invoices(reopened)
    verb = "is" if len(reopened) == 1 else "are"
    return f"{said} {subject[0].upper()}{subject[1:]} {verb} open again."


def autopay_failed(*, amount_cents: int, invoices: Sequence[str], day: date, why: str) -> str:
    return (
        f"Autopay could not pay {dollars(amount_cents)} for {_invoices(invoices)} on {short_date(day)}: "
        f"{_sentence(why)} Nothing was charged, and autopay is still on."
    )


def autopay_skipped(*, invoices: Sequence[str], day: date) -> str:
    return (
        f"Autopay did not run on {short_date(day)} for {_invoices(invoices)}: nothing was left to pay. "
        "Nothing was charged."
    )


def scheduled_payment_failed(*, amount_cents: int, pay_on: date, why: str) -> str:
    return (
        f"The payment of {dollars(amount_cents)} scheduled for {short_date(pay_on)} did not go through: "
        f"{_sentence(why)} Nothing was charged."
    )


def scheduled_payment_skipped(*, amount_cents: int, pay_on: date) -> str:
    return (
        f"The payment of {dollars(amount_cents)} scheduled for {short_date(pay_on)} was not made: the "
        "invoices it was to pay were already paid. Nothing was charged."
    )


def scheduled_payment_fees_changed(*, amount_cents: int, pay_on: date, accepted_fees_cents: int) -> str:
    return (
        f"The payment of {dollars(amount_cents)} scheduled for {short_date(pay_on)} was not made: its fees "
        f"are no longer the {dollars(accepted_fees_cents)} you accepted when you scheduled it. Nothing was "
        "charged. Make the payment again to see the new fees."
    )


# The autopay failure shown on the account (Settings) when a run was skipped for its fees.
AUTOPAY_FEES_CHANGED = "Its fees changed: turn autopay on again to see and accept the new fees."


def autopay_fees_changed(
    *, amount_cents: int, invoices: Sequence[str], day: date, accepted_terms: str | None
) -> str:
    accepted = f"the terms you accepted ({accepted_terms})" if accepted_terms else "no fee, as you accepted"
    return (
        f"Autopay did not pay {dollars(amount_cents)} for {_invoices(invoices)} on {short_date(day)}: its "
        f"fees are no longer {accepted}. Nothing was charged. Turn autopay on again to see and accept the "
        "new fees, or pay now."
    )
