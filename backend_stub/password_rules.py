"""Password rules as a plain function: the first rule a password breaks, as a sentence, or None."""

from __future__ import annotations

MIN_LENGTH = 10
MAX_LENGTH = 128


def password_problem(password: str, email: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 2:
        return "Mix at least two kinds of characters: lower case, upper case, digits or symbols."
    local = email.split("@", 1)[0].lower()
    if len(local) >= 3 and local in password.lower():
        return "Do not use your email address in your password."
    return None
