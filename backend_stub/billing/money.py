"""Money as text: cents (int) in, words out. The one formatter of the backend's mail, PDFs and messages."""

from __future__ import annotations

from decimal import Decimal


def format_cents(cents: int) -> str:
    """1234567 -> "$12,345.67"; -1200 -> "-$12.00"."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{rest:02d}"


def plain_dollars(cents: int) -> str:
    """`-125.50`: two decimals, a minus for negatives, no sign or separators (for CSV)."""
    return f"{Decimal(cents) / 100:.2f}"
