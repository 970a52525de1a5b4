"""Contact details a customer edits: US phone numbers (stored E.164, shown formatted) and service addresses.

Plain functions on strings: the PATCH route validates with them, the account view formats with them."""

from __future__ import annotations

import re

MAX_ADDRESS = 300
_SEPARATORS = re.compile(r"[\s\-.()]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_phone(raw: str) -> str | None:
    """`+1XXXXXXXXXX` for a US number written with spaces, dashes, dots, parentheses or a leading +1 / 1;
    None when it is not 10 digits (area code and exchange must not start with 0 or 1)."""
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+1"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", digits):
        return None
    return f"+1{digits}"


def display_phone(stored: str | None) -> str | None:
    """`+1 541-555-0142` for a stored number; anything that does not parse is shown as stored."""
    if stored is None:
        return None
    e164 = normalise_phone(stored)
    if e164 is None:
        return stored
    d = e164[2:]
    return f"+1 {d[:3]}-{d[3:6]}-{d[6:]}"


def clean_address(raw: str) -> str | None:
    """The trimmed address, or None when it is empty, too long or carries control characters."""
    value = raw.strip()
    if not value or len(value) > MAX_ADDRESS or _CONTROL.search(value):
        return None
    return value
