"""The wizard's typo checks: Luhn, brand, CVC length, ABA checksum, masking, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui import cards

# The fake processor's test numbers (CONTRACT.md) and their brands.
TEST_CARDS = {
    "4242424242424242": "Visa",
    "5555555555554444": "Mastercard",
    "378282246310005": "Amex",
    "6011111111111117": "Discover",
    "4000056655665556": "Visa",
    "5105105105105100": "Mastercard",
    "4000000000000002": "Visa",
    "2223003122003222": "Mastercard",
}


@pytest.mark.parametrize(("number", "brand"), TEST_CARDS.items())
def test_test_cards_pass_luhn_and_have_their_brand(number: str, brand: str) -> None:
    assert cards.luhn_ok(number)
    assert cards.card_brand(number) == brand
    assert cards.card_number_problem(number) is None


def test_luhn_rejects_a_typo_and_non_digits() -> None:
    assert not cards.luhn_ok("4242424242424241")
    assert not cards.luhn_ok("")
    assert not cards.luhn_ok("4242x24242424242")
    assert not cards.luhn_ok("４２４２")  # full-width digits are not digits here
    assert cards.luhn_ok("4242 4242-4242 4242")


def luhn_digit(body: str) -> str:
    for check in "0123456789":
        if cards.luhn_ok(body + check):
            return check
    raise AssertionError("some check digit always works")


@given(st.text("0123456789", min_size=11, max_size=18))
def test_exactly_one_check_digit_completes_any_number(body: str) -> None:
    assert sum(cards.luhn_ok(body + d) for d in "0123456789") == 1


@given(st.text("0123456789", min_size=11, max_size=18), st.integers(0, 17), st.integers(1, 9))
def test_luhn_catches_every_single_digit_typo(body: str, where: int, delta: int) -> None:
    number = body + luhn_digit(body)
    where %= len(number)
    typo = number[:where] + str((int(number[where]) + delta) % 10) + number[where + 1 :]
    assert not cards.luhn_ok(typo)


def test_brand_as_typed() -> None:
    assert cards.card_brand("") is None
    assert cards.card_brand("4") == "Visa"
    assert cards.card_brand("3") is None
    assert cards.card_brand("37") == "Amex"
    assert cards.card_brand("2720") == "Mastercard"
    assert cards.card_brand("2721") is None
    assert cards.card_brand("65") == "Discover"
    assert cards.card_brand("9999") is None


def test_cvc_length_by_brand() -> None:
    assert cards.cvc_length("Amex") == 4
    assert cards.cvc_length("Visa") == 3
    assert cards.cvc_length(None) == 3
    assert cards.cvc_problem("123", "Visa") is None
    assert cards.cvc_problem("1234", "Amex") is None
    assert "4-digit" in (cards.cvc_problem("123", "Amex") or "")
    assert "3-digit" in (cards.cvc_problem("12a", "Visa") or "")


def test_masking_keeps_the_last_four_and_the_layout() -> None:
    assert cards.mask_number("4242 4242 4242 4242") == "•••• •••• •••• 4242"
    assert cards.mask_number("4242") == "4242"
    assert cards.mask_number("42424") == "•2424"
    assert cards.group_digits("378282246310005") == "3782 822463 10005"
    assert cards.group_digits("4242424242424242") == "4242 4242 4242 4242"


@given(st.text("0123456789", max_size=19))
def test_masked_number_never_shows_more_than_four_digits(digits: str) -> None:
    grouped = cards.group_digits(digits)
    masked = cards.mask_number(grouped)
    assert len(masked) == len(grouped)
    shown = cards.digits_only(masked)
    assert len(shown) == min(4, len(digits))
    assert digits.endswith(shown)
    assert cards.digits_only(grouped) == digits


def test_card_number_problems() -> None:
    assert cards.card_number_problem("") == "Enter the card number."
    assert "too short" in (cards.card_number_problem("424242") or "")
    assert "too short" in (cards.card_number_problem("4242 4242 4242") or "")
    assert "not a valid number" in (cards.card_number_problem("4242424242424241") or "")


def test_expiry() -> None:
    today = dt.date(2026, 11, 15)
    assert cards.parse_expiry("12/30") == (12, 2030)
    assert cards.parse_expiry("4/2031") == (4, 2031)
    assert cards.expiry_problem("11/26", today) is None  # good through the end of its month
    assert "expired" in (cards.expiry_problem("10/26", today) or "")
    assert "01 to 12" in (cards.expiry_problem("13/30", today) or "")
    assert "MM/YY" in (cards.expiry_problem("1230", today) or "")


def test_aba_checksum() -> None:
    assert cards.aba_ok("110000000")  # the fake processor's routing number
    assert cards.aba_ok("021000021")
    assert not cards.aba_ok("110000001")
    assert not cards.aba_ok("11000000")
    assert cards.routing_problem("110000000") is None
    assert "9 digits" in (cards.routing_problem("12345") or "")
    assert "not a valid" in (cards.routing_problem("123456789") or "")


@given(st.text("0123456789", min_size=8, max_size=8), st.integers(0, 8), st.integers(1, 9))
def test_aba_catches_single_digit_typos(body: str, where: int, delta: int) -> None:
    routing = next(body + d for d in "0123456789" if cards.aba_ok(body + d))
    typo = routing[:where] + str((int(routing[where]) + delta) % 10) + routing[where + 1 :]
    assert not cards.aba_ok(typo)


def test_bank_account_and_labels() -> None:
    assert cards.bank_account_problem("000123456789") is None
    assert cards.bank_account_problem("123") is not None
    assert cards.method_label("Visa", None, "4242") == "Visa •••• 4242"
    assert cards.method_label(None, "Cascade Community Bank", "6789") == "Cascade Community Bank •••• 6789"
