"""How a payment method is named to a person: `Visa •••• 4242`, `First Example Bank •••• 6789`."""

from __future__ import annotations

from collections.abc import Iterable

BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
}


def method_label(method_type: str, brand: str | None, last4: str, bank_name: str | None = None) -> str:
    if method_type == "ach":
        return f"{bank_name or 'Bank account'} •••• {last4}"
    name = BRANDS.get((brand or "").lower(), (brand or "Card").title())
    return f"{name} •••• {last4}"


def combined_label(labels: Iterable[str]) -> str:
    """A split payment names each method once, in order."""
    seen: list[str] = []
    for label in labels:
        if label not in seen:
            seen.append(label)
    return " + ".join(seen)
