"""Checks for what people type on the self-service screens: one sentence about what is wrong, or None.

The same functions run inline (as Input validators, via `tui.widgets.pay_fields.Check`) and before
anything is sent. Never imports textual.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_HINT = "Enter an email address, such as you@example.com."
PHONE_HINT = "Enter a 10-digit US phone number, such as 503-555-0142."
DATE_HINT = "Enter a date as YYYY-MM-DD, such as 2026-11-15."


def email_problem(value: str) -> str | None:
    if not value.strip():
        return "Enter an email address."
    return None if re.fullmatch(EMAIL_PATTERN, value.strip()) else EMAIL_HINT


def phone_digits(value: str) -> str:
    """The 10 digits of a US number as typed ("(503) 555-0142", "+1 503 555 0142")."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def phone_problem(value: str) -> str | None:
    if not value.strip():
        return "Enter a phone number for text messages."
    if re.search(r"[^\d\s()+.-]", value):
        return PHONE_HINT
    return None if len(phone_digits(value)) == 10 else PHONE_HINT


def required(what: str):
    """A check that only asks for something to be there: `required("subject")`."""

    def problem(value: str) -> str | None:
        return None if value.strip() else f"Enter the {what}."

    return problem


def parse_day(value: str) -> dt.date:
    """ "2026-11-15" -> date; ValueError with a sentence fit to show under the field."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(DATE_HINT)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a real date. {DATE_HINT}") from None


def day_problem(value: str) -> str | None:
    try:
        parse_day(value)
    except ValueError as exc:
        return str(exc)
    return None


# ---- passwords (docs/WIRE.md "Passwords and sign-up") ------------------------------------------------

PASSWORD_MIN = 10
PASSWORD_MAX = 128
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def password_rules(password: str, email: str = "") -> list[tuple[str, bool]]:
    """The server's rules, in its order, each with whether `password` meets it (shown as you type)."""
    kinds = sum(
        bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    local = email.split("@", 1)[0].strip().lower()
    rules = [
        (f"at least {PASSWORD_MIN} characters", len(password) >= PASSWORD_MIN),
        (f"at most {PASSWORD_MAX} characters", len(password) <= PASSWORD_MAX),
        ("two of these: lower case, upper case, digits, symbols", kinds >= 2),
    ]
    if len(local) >= 3:
        rules.append((f'no "{local}" (your email before the @)', local not in password.lower()))
    return rules


def password_problem(password: str, email: str = "") -> str | None:
    for rule, ok in password_rules(password, email):
        if not ok:
            return f"The password needs {rule}."
    return None


def token_from_link(text: str) -> str | None:
    """The token from the emailed link (paydesk://set-password?token=...) or the token pasted alone."""
    text = text.strip().strip("<>\"'")
    if "token=" in text:
        values = parse_qs(urlsplit(text).query).get("token") or []
        text = values[0] if values else ""
    return text if _TOKEN.fullmatch(text) else None
