"""A plain check as a Textual validator: the sign-in screen's field needs only this, not pay_fields.

A check is a function that returns one sentence about what is wrong, or None; the same function
runs inline (Input validators) and when the person presses Continue.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.validation import ValidationResult, Validator

Problem = Callable[[str], str | None]


class Check(Validator):
    """Wrap a `value -> sentence | None` check as a Textual validator (the value is not kept)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__()
        self.problem = problem

    def validate(self, value: str) -> ValidationResult:
        sentence = self.problem(value)
        return self.success() if sentence is None else self.failure(sentence)
