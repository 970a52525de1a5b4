"""The payment wizard (PayScreen): a thin step machine over steps that each own their fields.

screen.py    the step machine: moves between steps, asks the server, shows its problems
what.py      step 1, what is paid (lines.py: the invoice lines and their table)
how.py       step 2, how it is paid: methods, split, receipt email
review.py    step 3, the quote, the fees and, for a clerk, the words to read aloud
receipt.py   the receipt
request.py   the payment request built from the steps' answers
problems.py  the server's `param` -> the step and field to show it on
"""

from tui.screens.pay.screen import PayScreen

__all__ = ["PayScreen"]
