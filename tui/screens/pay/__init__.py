"""The payment wizard (PayScreen): a thin step machine over steps that each own their fields.

screen.py    the step machine: moves between steps, asks the server, shows its problems
what.py      step 1, what you pay (lines.py: the invoice lines and their table)
how.py       step 2, how you pay: methods, split, receipt email
review.py    step 3, the quote, the fees and the phone script
receipt.py   the receipt
request.py   the payment request built from the steps' answers
problems.py  the server's `param` -> the step and field to show it on
"""

from tui.screens.pay.screen import PayScreen

__all__ = ["PayScreen"]
