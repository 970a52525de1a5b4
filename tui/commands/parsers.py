"""The scriptable commands' arguments (argparse only): each registers a lazy handler, so `paydesk`
without a command never imports the client, rich or the command modules.

A handler takes the parsed arguments and returns the exit status: 0 done, 1 anything that went wrong
(one sentence on stderr), 2 bad usage (argparse's own, or a value the command cannot use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
from typing import Any

STATUSES = ("all", "open", "in_progress", "paid")
MAX_PAGE = 200  # the server's largest page


class Lazy:
    """`module:function`, imported when the command runs."""

    def __init__(self, module: str, function: str) -> None:
        self.module = module
        self.function = function

    def __call__(self, args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(self.module), self.function)(args))


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-01-31") from None


def dollars(text: str) -> int:
    """An amount in dollars ("125.50", "$1,200") as int cents."""
    from tui.money import parse_dollars  # a few regexes: cheap, and only when --amount is given

    try:
        cents = parse_dollars(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None
    if cents < 1:
        raise argparse.ArgumentTypeError("enter an amount above $0.00")
    return cents


def saved_method(text: str) -> int:
    """`saved:ID` (a saved method's id from `paydesk methods`): card or bank numbers are never taken here,
    as arguments land in the shell's history."""
    kind, _, number = text.partition(":")
    if kind != "saved" or not number.isdigit():
        # The value is never echoed: it might be a card number someone typed there.
        raise argparse.ArgumentTypeError(
            "use saved:ID with an id from `paydesk methods` (a new card or bank account is added in the app, "
            "never on the command line)"
        )
    return int(number)


def _common(*, json: bool = True, csv: bool = False, account: bool = True) -> argparse.ArgumentParser:
    """The options every scriptable command shares. SUPPRESS: `paydesk --server X summary` keeps X."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--server", metavar="URL", default=argparse.SUPPRESS, help="the Paydesk server (else $PAYDESK_SERVER)"
    )
    if account:
        parent.add_argument(
            "--account",
            metavar="ID",
            type=positive_int,
            help="the account's id (clerks: from `paydesk account find`; default: your account)",
        )
    if json and csv:
        out = parent.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true", help="the API's JSON (cents as integers)")
        out.add_argument("--csv", action="store_true", help="CSV with a header row, dollars as 12.34")
    elif json:
        parent.add_argument("--json", action="store_true", help="the API's JSON (cents as integers)")
    return parent


def _add(commands: Any, name: str, handler: Lazy, *parents: argparse.ArgumentParser) -> Any:
    help_ = HELP[name]
    sub = commands.add_parser(
        name, help=help_, description=help_[0].upper() + help_[1:] + ".", parents=parents
    )
    sub.set_defaults(handler=handler)
    return sub


HELP = {
    "login": "sign in with a code sent by email (or --password) and keep the session as the app does",
    "logout": "sign out: the session is revoked on the server and forgotten here",
    "summary": "the account overview: balance due, past due, in progress, credit, next due",
    "invoices": "the invoice list, newest first",
    "invoice": "one invoice with its line items and payments",
    "pay": "pay invoices, an amount or the balance with a saved method: quoted first, then confirmed",
    "methods": "the saved payment methods",
    "history": "the payment history, newest first",
    "statement": "the account statement with its running balance",
    "account": "clerks: find an account",
    "find": "clerks: find an account by its number and last name, or by email",
}
EVERY = object()  # register(): build every command's arguments
LISTED = object()  # register(): only names and help, for `paydesk --help` and an unknown command


def register(commands: Any, only: object = EVERY) -> None:
    """Add login, logout, summary, invoices, invoice, pay, methods, history, statement and account.

    `only` keeps the app's start fast (each parser costs about 1 ms, paid by every `paydesk` otherwise):
    EVERY builds them all; a command's name builds that one; LISTED adds each with its name and help
    alone (all `paydesk --help` shows; `bare=True` marks them); None adds none (`paydesk`, `paydesk demo`).
    """
    for name, build in _BUILDERS.items():
        if only is EVERY or only == name:
            build(commands)
        elif only is LISTED:
            commands.add_parser(name, help=HELP[name]).set_defaults(bare=True)


def _login(commands: Any) -> None:
    login = _add(commands, "login", Lazy("tui.commands.login", "login"), _common(json=False, account=False))
    login.add_argument("--email", metavar="E", help="your email (asked for when not given)")
    login.add_argument("--password", action="store_true", help="sign in with your password instead of a code")


def _logout(commands: Any) -> None:
    _add(commands, "logout", Lazy("tui.commands.login", "logout"), _common(json=False, account=False))


def _summary(commands: Any) -> None:
    _add(commands, "summary", Lazy("tui.commands.reads", "summary"), _common())


def _invoices(commands: Any) -> None:
    invoices = _add(commands, "invoices", Lazy("tui.commands.reads", "invoices"), _common(csv=True))
    invoices.add_argument("--status", choices=STATUSES, default="all", help="which invoices (default: all)")
    how_many = invoices.add_mutually_exclusive_group()
    how_many.add_argument(
        "--limit", metavar="N", type=positive_int, default=50, help="at most N (default 50)"
    )
    how_many.add_argument("--all", action="store_true", help="every invoice, page after page")


def _invoice(commands: Any) -> None:
    invoice = _add(commands, "invoice", Lazy("tui.commands.reads", "invoice"), _common())
    invoice.add_argument("number", metavar="NUMBER", help="the invoice number, such as INV-2026-00012")
    invoice.add_argument("--pdf", metavar="PATH", help="also save the invoice's PDF to PATH")


def _pay(commands: Any) -> None:
    pay = _add(commands, "pay", Lazy("tui.commands.pay", "pay"), _common())
    what = pay.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--invoice", metavar="NUMBER", nargs="+", action="extend", help="the invoices to pay in full"
    )
    what.add_argument(
        "--amount", metavar="DOLLARS", type=dollars, help="an amount, oldest due invoices first"
    )
    what.add_argument("--balance", action="store_true", help="the whole balance due")
    pay.add_argument(
        "--method",
        metavar="saved:ID",
        type=saved_method,
        required=True,
        help="a saved method (`paydesk methods`)",
    )
    pay.add_argument(
        "--receipt-email", metavar="E", help="where the receipt goes (default: the account's email)"
    )
    pay.add_argument("--yes", action="store_true", help="pay without asking, accepting the quoted fees")


def _methods(commands: Any) -> None:
    _add(commands, "methods", Lazy("tui.commands.reads", "methods"), _common())


def _history(commands: Any) -> None:
    _add(commands, "history", Lazy("tui.commands.reads", "history"), _common(csv=True))


def _statement(commands: Any) -> None:
    statement = _add(commands, "statement", Lazy("tui.commands.reads", "statement"), _common(csv=True))
    statement.add_argument(
        "--from", dest="start", metavar="D", type=iso_date, help="first day (default: a year back)"
    )
    statement.add_argument("--to", dest="end", metavar="D", type=iso_date, help="last day (default: today)")


def _account(commands: Any) -> None:
    account = commands.add_parser("account", help=HELP["account"], description="Clerks: find an account.")
    account_commands = account.add_subparsers(dest="account_command", metavar="COMMAND", required=True)
    find = _add(account_commands, "find", Lazy("tui.commands.reads", "account_find"), _common(account=False))
    find.add_argument("--account-number", metavar="N", help="the account number (with --last-name)")
    find.add_argument("--last-name", metavar="L", help="the last name on the account (with --account-number)")
    find.add_argument("--email", metavar="E", help="the account's email")


_BUILDERS = {
    "login": _login,
    "logout": _logout,
    "summary": _summary,
    "invoices": _invoices,
    "invoice": _invoice,
    "pay": _pay,
    "methods": _methods,
    "history": _history,
    "statement": _statement,
    "account": _account,
}
