"""`paydesk pay`: quote first (the wizard's quote endpoint), say what will be paid and every fee in words,
then pay only once the person confirms on a terminal, or with `--yes` (accepting the quoted fees).

One PaymentAttempt per command: one Idempotency-Key for every send of it, sent again with that key when
an answer is lost (tui/api/retries.py), so a command never pays twice. Saved methods only: card and bank
numbers never appear on a command line (the shell keeps its history).
"""

from __future__ import annotations

import argparse
import sys

from tui.api.models import Quote
from tui.api.requests import (
    AmountTarget,
    BalanceTarget,
    InvoicesTarget,
    InvoiceToPay,
    PartIn,
    PaymentRequest,
    SavedMethodRef,
)
from tui.api.retries import PaymentAttempt
from tui.commands import output
from tui.commands.output import dollars
from tui.commands.session import Failure, Session, error_object, run


def pay(args: argparse.Namespace) -> int:
    return run(args, _pay)


def _words(quote: Quote) -> list[str]:
    """What the payment would do, in sentences: each invoice, any credit, each part and every fee."""
    lines = [f"Invoice {a.number}: {dollars(a.amount_cents)}" for a in quote.allocations]
    if quote.credit_cents:
        lines.append(f"Account credit: {dollars(quote.credit_cents)} (above the balance due)")
    for part in quote.parts:
        lines.append(f"Paid from {part.method.label}: {dollars(part.amount_cents)}")
        for fee in part.fees:
            refund = "refundable" if fee.refundable else "not refundable"
            lines.append(f"  A {fee.kind} fee of {dollars(fee.amount_cents)} is added, and it is {refund}.")
    if not quote.fees_cents:
        lines.append("No fees.")
    lines.append(f"Total to pay: {dollars(quote.total_cents)}")
    return lines


async def _target(s: Session, account_id: int) -> InvoicesTarget | AmountTarget | BalanceTarget:
    args = s.args
    if args.balance:
        return BalanceTarget()
    if args.amount is not None:
        return AmountTarget(amount_cents=args.amount)
    chosen: list[InvoiceToPay] = []
    for number in dict.fromkeys(n.strip() for n in args.invoice):  # each once, in the order given
        row = await s.client.invoice_by_number(account_id, number)
        if row is None:
            message = (
                f"There is no invoice {number} on account {account_id}: see `paydesk invoices --status open`."
            )
            raise Failure(message, error=error_object("not_found", "not_found", message, "invoice"))
        chosen.append(InvoiceToPay(invoice_id=row.id))
    return InvoicesTarget(invoices=chosen)


async def _receipt_email(s: Session, account_id: int) -> str:
    if s.args.receipt_email:
        return s.args.receipt_email.strip()
    account = await s.client.account(account_id)
    if account.email:
        return account.email
    return (await s.client.me()).user.email


def _confirmed(total: str) -> bool:
    print(f"Pay {total} now? [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


async def _pay(s: Session) -> int:
    args = s.args
    account_id = await s.account_id()
    me = await s.client.me()
    if me.user.is_clerk:
        raise Failure("A clerk takes a payment in the app (paydesk), after checking the caller's identity.")
    request = PaymentRequest(
        target=await _target(s, account_id),
        parts=[PartIn(method=SavedMethodRef(payment_method_id=args.method))],
        receipt_email=await _receipt_email(s, account_id),
    )
    quote = await s.client.quote(account_id, request)
    if quote.problems:
        problem = quote.problems[0]
        raise Failure(problem.message, error={"error": problem.model_dump()})
    # With --json, stdout is the payment's JSON alone: the words go to stderr.
    tell = output.note if s.json else output.say
    tell("This payment:")
    for line in _words(quote):
        tell(f"  {line}")
    tell(f"  Receipt to {request.receipt_email}")
    if not args.yes and not sys.stdin.isatty():
        # Nobody to ask: the quote above is all a script gets without --yes (nothing is paid).
        raise Failure(
            "stdin is not a terminal, so nobody can confirm the payment: nothing was paid. Add --yes to "
            "pay and accept the fees quoted above.",
            status=2,
        )
    if not args.yes and not _confirmed(dollars(quote.total_cents)):
        output.note("Nothing was paid.")
        return 1
    accepted = request.model_copy(update={"accepted_fees_cents": quote.fees_cents})
    attempt = PaymentAttempt(account_id)
    payment = await attempt.send(s.client, accepted, on_retry=output.note)
    if s.json:
        output.print_json(s.client.last_json())
        return 0
    if payment.status == "pending":
        when = f" It settles on {payment.settles_on.isoformat()}." if payment.settles_on else ""
        output.say(f"Payment of {dollars(payment.total_cents)} is pending.{when}")
    else:
        output.say(f"Paid {dollars(payment.total_cents)}: {payment.status}.")
    output.say(f"Confirmation number: {payment.confirmation_number}")
    output.say(f"The receipt goes to {payment.receipt_email or request.receipt_email}.")
    return 0
