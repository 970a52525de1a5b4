"""The box for the 6-digit code an email carries (sign-in, a new email, the clerk's lock).

A MaskedInput alone drops what it cannot take with a bell: a letter, a space in a pasted "123 456", the
seventh digit. This one keeps the digits, and says in a short toast what it left out and why (issue 11
item 12), as SayingInput does; never the code itself. No placeholder digits: "000000" reads like a code,
so the blanks are underscores.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import MaskedInput

from tui.widgets.pay_fields import SayingInput, left_out, too_long

CODE_LENGTH = 6


class CodeInput(MaskedInput):
    """Six digits; a letter, a separator or a digit beyond the sixth is said, not dropped without a word."""

    _said: tuple[str, float] = ("", 0.0)
    say_refused = SayingInput.say_refused

    def __init__(self, *, length: int = CODE_LENGTH, **kwargs: Any) -> None:
        super().__init__("9" * length + ";_", **kwargs)
        self.length = length

    def insert_text_at_cursor(self, text: str) -> None:
        digits = "".join(c for c in text if c.isdigit())
        dropped = "".join(c for c in text if not c.isdigit())
        if len(digits) > self.length:  # a paste of more than a code: nothing of it is taken
            self.say_refused(too_long(len(text), "a code", self.length, "digits"))
            return
        room = self.length - self.cursor_position  # a MaskedInput types over what is after the cursor
        if len(digits) > room:
            if room <= 0:
                self.say_refused(f"A code has {self.length} digits: Backspace to change one.")
            else:
                self.say_refused(f"A code has {self.length} digits: there is room for {room} more here.")
            return
        if dropped:
            self.say_refused(left_out(f"A code is {self.length} digits", dropped))
        if digits:
            super().insert_text_at_cursor(digits)

    def restricted(self) -> None:
        """Said by insert_text_at_cursor; no bell on top."""
