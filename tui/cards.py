"""Card and bank-account checks the wizard runs as the person types. Pure: no textual, no I/O.

These only catch typos early; the server checks everything again (docs/WIRE.md) and its answer wins.
"""

from __future__ import annotations

import datetime as dt
import re

MASK = "•"
_NOT_DIGIT = re.compile(r"[^0-9]")
_ALL_DIGITS = re.compile(r"[0-9]+")

# (brand, prefix ranges as (low, high) over the first len(low) digits), most specific first.
_BRANDS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Amex", (("34", "34"), ("37", "37"))),
    ("Discover", (("6011", "6011"), ("622126", "622925"), ("644", "649"), ("65", "65"))),
    ("Mastercard", (("51", "55"), ("2221", "2720"))),
    ("Visa", (("4", "4"),)),
)
CARD_MIN_DIGITS = 12
CARD_MAX_DIGITS = 19


def digits_only(text: str) -> str:
    """ "4242 4242-4242" -> "424242424242": people type spaces and dashes; the checks use digits."""
    return _NOT_DIGIT.sub("", text)


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check every card number carries; False for anything that is not digits."""
    digits = number.replace(" ", "").replace("-", "")
    if not _ALL_DIGITS.fullmatch(digits):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(number: str) -> str | None:
    """The brand the first digits point to ("Visa", "Mastercard", "Amex", "Discover"), or None."""
    digits = digits_only(number)
    for brand, ranges in _BRANDS:
        for low, high in ranges:
            head = digits[: len(low)]
            if len(head) == len(low) and low <= head <= high:
                return brand
    return None


def card_length(brand: str | None) -> int:
    """How many digits a full number of this brand has (16 when the brand is unknown)."""
    return 15 if brand == "Amex" else 16


def cvc_length(brand: str | None) -> int:
    """Amex prints 4 digits on the front; every other brand 3 on the back."""
    return 4 if brand == "Amex" else 3


def group_sizes(brand: str | None) -> tuple[int, ...]:
    """How the digits are grouped on the card: Amex 4-6-5, the others in fours."""
    return (4, 6, 5) if brand == "Amex" else (4, 4, 4, 4, 3)


def group_digits(number: str) -> str:
    """ "4242424242424242" -> "4242 4242 4242 4242", grouped as printed on the card."""
    digits = digits_only(number)
    groups: list[str] = []
    rest = digits
    for size in group_sizes(card_brand(digits)):
        if not rest:
            break
        groups.append(rest[:size])
        rest = rest[size:]
    if rest:
        groups.append(rest)
    return " ".join(groups)


def mask_number(number: str) -> str:
    """Every digit but the last four replaced by •, grouped: "•••• •••• •••• 4242".

    Spaces (and any other separators) stay where they are, so a masked string is exactly as long
    as what was typed and a cursor position means the same in both.
    """
    total = sum(char.isdigit() for char in number)
    shown_from = total - 4
    out: list[str] = []
    seen = 0
    for char in number:
        if char.isdigit():
            out.append(char if seen >= shown_from else MASK)
            seen += 1
        else:
            out.append(char)
    return "".join(out)


def last4(number: str) -> str:
    return digits_only(number)[-4:]


def card_number_problem(number: str) -> str | None:
    """One sentence about what is wrong with a typed card number, or None when it looks right."""
    digits = digits_only(number)
    if not digits:
        return "Enter the card number."
    brand = card_brand(digits)
    if len(digits) < CARD_MIN_DIGITS or (brand is not None and len(digits) < card_length(brand)):
        return "The card number is too short."
    if len(digits) > CARD_MAX_DIGITS:
        return "The card number is too long."
    if not luhn_ok(digits):
        return "Check the card number: it is not a valid number."
    return None


def parse_expiry(text: str) -> tuple[int, int]:
    """ "12/30" -> (12, 2030). Raises ValueError with a sentence fit to show under the field."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", text)
    if match is None:
        raise ValueError("Enter the expiry as MM/YY, such as 04/28.")
    month, year = int(match[1]), int(match[2])
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ValueError("The expiry month must be 01 to 12.")
    return month, year


def expiry_problem(text: str, today: dt.date) -> str | None:
    """A sentence when the expiry cannot be read or is in the past (the card works through its month)."""
    try:
        month, year = parse_expiry(text)
    except ValueError as exc:
        return str(exc)
    if (year, month) < (today.year, today.month):
        return "This card has expired: check the expiry date."
    return None


def cvc_problem(cvc: str, brand: str | None) -> str | None:
    wanted = cvc_length(brand)
    if not (_ALL_DIGITS.fullmatch(cvc) and len(cvc) == wanted):
        where = "on the front of the card" if wanted == 4 else "on the back of the card"
        return f"Enter the {wanted}-digit security code {where}."
    return None


def aba_ok(routing: str) -> bool:
    """The ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10."""
    if not (len(routing) == 9 and _ALL_DIGITS.fullmatch(routing)):
        return False
    d = [int(c) for c in routing]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


def routing_problem(routing: str) -> str | None:
    if not routing:
        return "Enter the 9-digit routing number."
    if not (len(routing) == 9 and _ALL_DIGITS.fullmatch(routing)):
        return "A routing number has 9 digits."
    if not aba_ok(routing):
        return "Check the routing number: it is not a valid bank routing number."
    return None


def bank_account_problem(number: str) -> str | None:
    if not number:
        return "Enter the bank account number."
    if not (_ALL_DIGITS.fullmatch(number) and 4 <= len(number) <= 17):
        return "A bank account number has 4 to 17 digits."
    return None


def method_label(brand: str | None, bank_name: str | None, last_four: str | None) -> str:
    """What a method is called once entered: "Visa •••• 4242", "Bank •••• 6789"; never more digits."""
    name = brand or bank_name or "Card"
    return f"{name} {MASK * 4} {last_four}" if last_four else name
