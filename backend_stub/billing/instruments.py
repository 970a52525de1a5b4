"""Checks on what a payer types for a card or a bank account: Luhn, brand, expiry, CVC, ABA checksum.

Pure and cheap: the quote runs them, and the payment runs them before any processing. Messages never
repeat the number that was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from backend_stub.billing.problems import Problem, bad

_SEPARATORS = re.compile(r"[\s-]")


def digits_only(text: str) -> str:
    """The number without the spaces or dashes people type; '' when anything else is in it."""
    cleaned = _SEPARATORS.sub("", text)
    return cleaned if cleaned.isascii() and cleaned.isdigit() else ""


def luhn_ok(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    """visa, mastercard, amex, discover by the leading digits; anything else is 'card'."""
    if number.startswith("4"):
        return "visa"
    prefix4 = int(number[:4]) if number[:4].isdigit() else 0
    if number[:2] in {"34", "37"}:
        return "amex"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= prefix4 <= 2720:
        return "mastercard"
    if number.startswith(("6011", "65")) or (number[:3].isdigit() and 644 <= int(number[:3]) <= 649):
        return "discover"
    return "card"


def aba_ok(routing: str) -> bool:
    """9 digits with the ABA checksum 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) = 0 mod 10."""
    if len(routing) != 9 or not routing.isascii() or not routing.isdigit():
        return False
    d = [int(c) for c in routing]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


@dataclass(frozen=True)
class CardInput:
    number: str
    exp_month: int
    exp_year: int
    cvc: str


@dataclass(frozen=True)
class BankInput:
    routing_number: str
    account_number: str
    account_type: str


def check_card(card: CardInput, today: date, param: str) -> list[Problem]:
    """Problems with a typed card (param is the method's path, e.g. 'parts[0].method')."""
    problems: list[Problem] = []
    number = digits_only(card.number)
    if not 12 <= len(number) <= 19 or not luhn_ok(number):
        problems.append(
            bad("invalid_card_number", "That card number is not valid: check the digits.", f"{param}.number")
        )
    if not 1 <= card.exp_month <= 12:
        problems.append(bad("invalid_expiry", "The expiry month must be 1 to 12.", f"{param}.exp_month"))
    elif not 1000 <= card.exp_year <= 9999:
        problems.append(bad("invalid_expiry", "Give the expiry year in four digits.", f"{param}.exp_year"))
    elif (card.exp_year, card.exp_month) < (today.year, today.month):
        problems.append(
            bad(
                "invalid_expiry",
                "That card has expired: check the date or use another card.",
                f"{param}.exp_year",
            )
        )
    wanted = 4 if number and card_brand(number) == "amex" else 3
    if len(card.cvc) != wanted or not card.cvc.isascii() or not card.cvc.isdigit():
        problems.append(
            bad("invalid_cvc", f"The security code is {wanted} digits on this card.", f"{param}.cvc")
        )
    return problems


def check_bank(bank: BankInput, param: str) -> list[Problem]:
    problems: list[Problem] = []
    if not aba_ok(bank.routing_number.strip()):
        problems.append(
            bad(
                "invalid_routing_number",
                "That routing number is not valid: it is the 9 digits at the bottom left of a check.",
                f"{param}.routing_number",
            )
        )
    account = bank.account_number.strip()
    if not 4 <= len(account) <= 17 or not account.isascii() or not account.isdigit():
        problems.append(
            bad("invalid_account_number", "The account number is 4 to 17 digits.", f"{param}.account_number")
        )
    if bank.account_type not in ("checking", "savings"):
        problems.append(
            bad("invalid_request", "account_type is checking or savings.", f"{param}.account_type")
        )
    return problems
