"""Inputs for the pay wizard: dollars, a masked card number, and a validator built on a plain check.

A check is a function that returns one sentence about what is wrong, or None; the same function
runs inline (Input validators) and when the person presses Continue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from tui import cards
from tui.money import parse_dollars

if TYPE_CHECKING:
    from textual.widget import Widget

Problem = Callable[[str], str | None]


class Check(Validator):
    """Wrap a `value -> sentence | None` check as a Textual validator (the value is not kept)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__()
        self.problem = problem

    def validate(self, value: str) -> ValidationResult:
        sentence = self.problem(value)
        return self.success() if sentence is None else self.failure(sentence)


class FieldProblem(Exception):
    """What is wrong with one field: the wizard shows `message` and focuses `field`."""

    def __init__(self, field: Input | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def point_at(field: Widget) -> None:
    """The wizard's one rule for a refused field: focused, scrolled into view, its whole value selected.

    So the next keys replace what was refused (a full expiry or routing number would otherwise drop
    them), and an arrow key keeps the value and moves the cursor to mend it.
    """
    field.focus()
    if isinstance(field, Input):
        field.select_all()  # focused already: no Focus event selects it
    field.scroll_visible(animate=False)


def first_problem(field: Input) -> str | None:
    """Run the field's validators now; the first failure's sentence, or None."""
    result = field.validate(field.value)
    if result is None or result.is_valid:
        return None
    return result.failure_descriptions[0] if result.failure_descriptions else "Check this field."


def card_number_complete(number: str) -> bool:
    """All the digits of its brand (15 for Amex, else 16) and a valid number: time to go on."""
    digits = cards.digits_only(number)
    return len(digits) == cards.card_length(cards.card_brand(digits)) and not cards.card_number_problem(
        digits
    )


def dollars_problem(text: str) -> str | None:
    try:
        cents = parse_dollars(text)
    except ValueError as exc:
        return str(exc)
    return "Enter an amount above zero." if cents <= 0 else None


class MoneyInput(Input):
    """Dollars as people type them ("1,234.56", "$20"); `cents` reads them with tui.money."""

    def __init__(self, value: str = "", *, id: str | None = None, placeholder: str = "0.00") -> None:
        super().__init__(
            value,
            placeholder=placeholder,
            id=id,
            restrict=r"[0-9$,. ]*",
            max_length=16,
            validators=[Check(dollars_problem)],
            validate_on=["changed", "blur"],
            compact=True,
        )

    @property
    def cents(self) -> int:
        """The amount in cents; raises FieldProblem when it cannot be read or is not above zero."""
        problem = dollars_problem(self.value)
        if problem:
            raise FieldProblem(self, problem)
        return parse_dollars(self.value)


class CardNumberInput(Input):
    """A card number, grouped as printed and shown masked but for the last 4 digits as typed.

    The value keeps the grouping spaces, so a cursor position means the same in the value and in
    the masked text on screen. Copy and cut are off: the number never leaves the field.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="Card number",
            id=id,
            validators=[Check(cards.card_number_problem)],
            validate_on=["blur", "submitted"],
            compact=True,
            max_length=cards.CARD_MAX_DIGITS + 4,
        )

    @property
    def digits(self) -> str:
        return cards.digits_only(self.value)

    @property
    def brand(self) -> str | None:
        return cards.card_brand(self.value)

    @property
    def _value(self) -> Text:
        return Text(cards.mask_number(self.value), no_wrap=True, overflow="ignore", end="")

    def replace(self, text: str, start: int, end: int) -> None:
        if cards.digits_only(text) != text.replace(" ", "").replace("-", ""):
            self.restricted()
            return
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        if not text and not cards.digits_only(value[start:end]) and start > 0:
            # Backspace over a grouping space: take the digit before it instead.
            start -= 1
        digits_before_cursor = len(cards.digits_only(value[:start] + text))
        digits = cards.digits_only(value[:start] + text + value[end:])[: cards.CARD_MAX_DIGITS]
        grouped = cards.group_digits(digits)
        self.value = grouped
        self.cursor_position = _position_after_digits(grouped, min(digits_before_cursor, len(digits)))

    def action_copy(self) -> None:
        self.notify("The card number cannot be copied.", timeout=3)

    def action_cut(self) -> None:
        self.action_copy()


def _position_after_digits(text: str, count: int) -> int:
    seen = 0
    for index, char in enumerate(text):
        if seen == count:
            return index
        if char.isdigit():
            seen += 1
    return len(text)
