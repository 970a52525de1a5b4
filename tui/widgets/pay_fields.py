"""Inputs for the pay wizard: dollars, a masked card number, and a validator built on a plain check.

A check is a function that returns one sentence about what is wrong, or None; the same function
runs inline (Input validators) and when the person presses Continue. `Check` lives in
tui/widgets/check.py (the sign-in screen imports it alone) and is importable from here too.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Input, MaskedInput

from tui import cards
from tui.money import parse_dollars
from tui.widgets.check import Check as Check  # re-exported: the screens import it from here

if TYPE_CHECKING:
    from textual.widget import Widget


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


def _quoted(chars: list[str]) -> str:
    """ "'-'", "'a' and 'b'", "'a', 'b', 'c' and 4 more": the characters left out, as a person reads them."""
    shown = [f"'{c}'" if c != "'" else '"\'"' for c in chars[:3]]
    if len(chars) > 3:
        return f"{', '.join(shown)} and {len(chars) - 3} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def too_long(pasted: int, what: str, most: int, unit: str = "characters", counted: str = "characters") -> str:
    """The sentence for input beyond a field's length (`pasted` of what is `counted`); never the input
    itself (it may be a card number)."""
    if pasted > 1:
        return f"That is {pasted:,} {counted}; {what} has at most {most:,} {unit}."
    return f"{what[0].upper()}{what[1:]} has at most {most:,} {unit}."


def no_room(room: int, what: str, most: int, unit: str = "characters") -> str:
    """The sentence for input that would fit an empty field but not beside what the field holds."""
    if room <= 0:
        return f"{what[0].upper()}{what[1:]} has at most {most:,} {unit}."
    return f"There is room for {room:,} more in {what} (at most {most:,} {unit})."


def left_out(takes: str, chars: str) -> str:
    """ "Amounts are digits and a point: '-' was left out." (each character once, in the order typed)."""
    unique = list(dict.fromkeys(chars))
    verb = "was" if len(unique) == 1 else "were"
    return f"{takes}: {_quoted(unique)} {verb} left out."


class SayingInput(Input):
    """An Input that says what it does not take, instead of dropping it without a word.

    A paste or key beyond `max_length` is refused with how long it was and how long the field may be
    (`what`: "an address"); characters `restrict` does not allow are left out of what is kept, and the
    toast names them (`takes`: "Amounts are digits and a point"). The toast never repeats the input.
    """

    def __init__(
        self,
        *args: Any,
        what: str = "this field",
        takes: str = "This field does not take some characters",
        unit: str = "characters",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.what = what
        self.takes = takes
        self.unit = unit  # what max_length counts, as the sentence says it
        self._said: tuple[str, float] = ("", 0.0)

    def say_refused(self, sentence: str) -> None:
        """A toast once per sentence while it shows (a held-down key does not pile them up)."""
        last, at = self._said
        now = time.monotonic()
        if sentence == last and now - at < 4:
            return
        self._said = (sentence, now)
        self.app.bell()
        self.notify(sentence, severity="warning", timeout=4)

    def replace(self, text: str, start: int, end: int) -> None:
        if not text:
            super().replace(text, start, end)
            return
        kept, dropped = text, ""
        if self.restrict:
            kept = "".join(c for c in text if re.fullmatch(self.restrict, c))
            dropped = "".join(c for c in text if not re.fullmatch(self.restrict, c))
        # The length of what the field would keep: "4100-0123-45" is a 10-digit account number with its
        # separators left out, while a paste that stays too long without them is refused whole.
        if self.max_length and len(kept) > self.max_length:
            # Counted as the field counts them once the characters it refuses are left out.
            counted = self.unit if dropped else "characters"
            self.say_refused(too_long(len(kept), self.what, self.max_length, self.unit, counted))
            return
        start, end = sorted((max(0, start), min(len(self.value), end)))
        room = (self.max_length - (len(self.value) - (end - start))) if self.max_length else len(kept)
        if len(kept) > room:  # it fits the field, not beside what the field holds already
            self.say_refused(no_room(room, self.what, self.max_length, self.unit))
            return
        if dropped:
            self.say_refused(left_out(self.takes, dropped))
        if kept:
            super().replace(kept, start, end)


class DateInput(SayingInput):
    """A date typed as YYYY-MM-DD: a letter, a "/" or a long paste is said, not dropped."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("placeholder", "YYYY-MM-DD")
        super().__init__(
            value,
            what="a date (YYYY-MM-DD)",
            takes="A date is digits and '-', as YYYY-MM-DD",
            max_length=10,
            restrict=r"[0-9-]*",
            **kwargs,
        )


class ExpiryInput(MaskedInput):
    """MM/YY, 4 digits: a key or paste it cannot take is said (letters left out, a full field) as
    SayingInput says it."""

    _said: tuple[str, float] = ("", 0.0)
    say_refused = SayingInput.say_refused

    def insert_text_at_cursor(self, text: str) -> None:
        digits = "".join(c for c in text if c.isdigit())
        dropped = "".join(c for c in text if not c.isdigit() and c != "/")
        if len(digits) > 4:
            self.say_refused(too_long(len(text), "an expiry", 4, "digits (MM/YY)"))
            return
        if dropped:
            self.say_refused(left_out("An expiry is digits, MM/YY", dropped))
        if not digits:
            return
        before = self.value
        super().insert_text_at_cursor(digits)
        if self.value == before:
            self.say_refused("An expiry has 4 digits (MM/YY): Backspace to change it.")

    def restricted(self) -> None:
        """Said by insert_text_at_cursor; no bell on top."""


class MoneyInput(SayingInput):
    """Dollars as people type them ("1,234.56", "$20"); `cents` reads them with tui.money."""

    def __init__(self, value: str = "", *, id: str | None = None, placeholder: str = "0.00") -> None:
        super().__init__(
            value,
            placeholder=placeholder,
            id=id,
            what="an amount",
            takes="Amounts are digits and a point",
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


class CardNumberInput(SayingInput):
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
            what="a card number",
            takes="A card number is digits",
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
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        # Said by counts and by the characters left out (never digits): the number is never in a message.
        dropped = re.sub(r"[0-9 -]", "", text)
        digits_kept = len(cards.digits_only(value[:start] + text + value[end:]))
        if len(text) > (self.max_length or 0) or digits_kept > cards.CARD_MAX_DIGITS:
            self.say_refused(too_long(len(text), "a card number", cards.CARD_MAX_DIGITS, "digits"))
            return
        if dropped:
            self.say_refused(left_out("A card number is digits", dropped))
            text = cards.digits_only(text)
            if not text:
                return
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
