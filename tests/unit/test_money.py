"""Money formatting and parsing: cents in, text out, and back; never float."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.money import format_cents, parse_dollars


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (100, "$1.00"),
        (123456, "$1,234.56"),
        (100000000, "$1,000,000.00"),
        (-1200, "-$12.00"),
        (-5, "-$0.05"),
    ],
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_format_cents_refuses_anything_but_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_cents(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$1,234.56", 123456),
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("12", 1200),
        ("12.", 1200),
        (".5", 50),
        ("0", 0),
        ("  $ 7 ", 700),
        ("1,000,000", 100000000),
    ],
)
def test_parse_dollars(text: str, cents: int) -> None:
    assert parse_dollars(text) == cents


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("-1", "zero or more"),
        ("$-1.00", "zero or more"),
        ("1.234", "two digits"),
        ("abc", "not an amount"),
        ("1,23", "not an amount"),
        ("12,34.00", "not an amount"),
        (".", "not an amount"),
        ("$", "not an amount"),
        ("1e5", "not an amount"),
        ("١٢", "not an amount"),  # non-ASCII digits are not accepted silently
        ("99999999999999999", "too large"),
    ],
)
def test_parse_dollars_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_dollars(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_reads_back_what_format_wrote(cents: int) -> None:
    assert parse_dollars(format_cents(cents)) == cents
