"""Money at the edge of the app: cents (int) in, text out, and back. Never float."""

from __future__ import annotations

import re

# "$1,234.56", "1234.5", ".50", "12." — optional $, thousands commas only in the right places,
# at most two decimals.
_AMOUNT = re.compile(r"\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d{0,2}))?", re.ASCII)
_MAX_CENTS = 10**13  # a hundred billion dollars: anything larger is a typo, not a bill


def format_cents(cents: int) -> str:
    """1234567 -> "$12,345.67"; -1200 -> "-$12.00"."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"money must be int cents, not {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def input_dollars(cents: int) -> str:
    """1234567 -> "12345.67": an amount as a person would type it into an input (parse_dollars reads it)."""
    if cents < 0:
        raise ValueError("an amount to type is zero or more")
    dollars, rest = divmod(cents, 100)
    return f"{dollars}.{rest:02d}"


def parse_dollars(text: str) -> int:
    """ "$1,234.56" -> 123456. Raises ValueError with a sentence fit to show under an input."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise ValueError("Enter an amount, such as 25.00.")
    if cleaned.startswith("-") or cleaned.startswith("$-"):
        raise ValueError("Enter an amount of zero or more.")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        if re.fullmatch(r"\$?[\d,]*\.\d{3,}", cleaned, re.ASCII):
            raise ValueError("Use at most two digits after the decimal point.")
        raise ValueError(f"{text.strip()!r} is not an amount; enter dollars and cents, such as 1,234.56.")
    whole, frac = match["whole"], match["frac"]
    if not whole and not frac:
        raise ValueError(f"{text.strip()!r} is not an amount; enter dollars and cents, such as 1,234.56.")
    cents = int(whole.replace(",", "") or 0) * 100 + int((frac or "").ljust(2, "0"))
    if cents > _MAX_CENTS:
        raise ValueError("That amount is too large.")
    return cents
