"""Planning a payment: what paying a command would do today (the quote), read in the caller's
connection. The same function runs for a quote, before a payment authorises, and again under the
account lock, so a quote equals what the payment does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, RowMapping

from backend_stub.billing.fees import FeePolicy
from backend_stub.billing.instruments import BankInput, CardInput, check_bank, check_card
from backend_stub.billing.parts import CARD_WINDOW_DAYS
from backend_stub.billing.problems import Problem, bad, missing
from backend_stub.billing.quote import MethodFacts, PartPlan, Quote, QuoteRequest, quote
from backend_stub.payments.command import NewBank, NewCard, PaymentCommand
from backend_stub.payments.refusals import to_error
from backend_stub.processor import describe_bank, describe_card
from backend_stub.schemas import EMAIL_PATTERN
from backend_stub.settings import Settings
from backend_stub.store import methods as method_store
from backend_stub.store import payments as store
from backend_stub.store.auth import User

_EMAIL = re.compile(EMAIL_PATTERN)

# The payer of the payments the backend makes on a customer's standing instruction (autopay, scheduled).
SYSTEM = User(id=0, email="", name="Paydesk", role="customer")


@dataclass(frozen=True)
class Resolved:
    """A part's method: typed (card/bank, checked) or saved (its row)."""

    facts: MethodFacts
    card: CardInput | None = None
    bank: BankInput | None = None
    saved: RowMapping | None = None
    save: bool = False
    holder: str | None = None


def policy_of(settings: Settings) -> FeePolicy:
    return FeePolicy(settings.fee_policy, settings.convenience_fee_cents, settings.surcharge_bps)


def card_window_start(today: date) -> datetime:
    """The start of the card limit's window: the last CARD_WINDOW_DAYS days, today included."""
    return datetime.combine(today - timedelta(days=CARD_WINDOW_DAYS - 1), time())


def plan(
    conn: Connection,
    settings: Settings,
    user: User,
    account_id: int,
    command: PaymentCommand,
    today: date,
    excluding: int | None = None,
) -> tuple[Quote, list[Resolved]]:
    """What paying `command` on `today` would do, read in `conn`; 404s (foreign ids) are raised, not
    listed. `excluding`: the payment itself, already written in `conn`'s transaction (not counted)."""
    target = command.target
    resolved, method_problems = _resolve(conn, account_id, command, today)
    invoices = store.balances(conn, account_id, [s.invoice_id for s in target.invoices])
    # The card limit counts recent card payments; a payment without a card part has no use for the count
    # (and counting walks every payment of the window: thousands on a busy account).
    has_card = any(r.facts.type == "card" for r in resolved)
    recent = (
        store.card_payments_since(conn, account_id, card_window_start(today), excluding) if has_card else 0
    )
    request = QuoteRequest(
        target,
        tuple(p.amount_cents for p in command.parts),
        tuple(r.facts for r in resolved),
        tuple(_early_problems(user, command)),
        tuple(method_problems),
    )
    result = quote(request, invoices, policy_of(settings), settings.card_part_max_cents, recent)
    for problem in result.problems:
        if problem.status == 404:
            raise to_error(problem)
    return result, resolved


def _resolve(
    conn: Connection, account_id: int, command: PaymentCommand, today: date
) -> tuple[list[Resolved], list[Problem]]:
    resolved: list[Resolved] = []
    problems: list[Problem] = []
    for index, part in enumerate(command.parts):
        param = f"parts[{index}].method"
        method = part.method
        if isinstance(method, NewCard):
            problems += check_card(method.card, today, param)
            d = describe_card(method.card)
            facts = MethodFacts("card", d.brand, d.last4, None, d.funding)
            resolved.append(Resolved(facts, card=method.card, save=method.save, holder=method.name))
        elif isinstance(method, NewBank):
            problems += check_bank(method.bank, param)
            d = describe_bank(method.bank)
            facts = MethodFacts("ach", None, d.last4, d.bank_name, None)
            resolved.append(Resolved(facts, bank=method.bank, save=method.save, holder=method.holder_name))
        else:
            row = method_store.one(conn, method.payment_method_id)
            if row is None or row["account_id"] != account_id:
                problems.append(missing("No such saved payment method.", f"{param}.payment_method_id"))
                resolved.append(Resolved(MethodFacts("card")))
                continue
            facts = MethodFacts(row["type"], row["brand"], row["last4"], row["bank_name"], row["funding"])
            if row["type"] == "card" and (row["exp_year"], row["exp_month"]) < (today.year, today.month):
                problems.append(
                    bad("invalid_expiry", "That saved card has expired: use another method.", param)
                )
            resolved.append(Resolved(facts, saved=row))
    return resolved, problems


def _early_problems(user: User, command: PaymentCommand) -> list[Problem]:
    """Who may pay how, and a receipt address: the problems known before any money is looked at."""
    problems: list[Problem] = []
    auth = command.authorization
    kind = auth.kind if auth else "online"
    if user.is_clerk and (kind != "phone" or not (auth and auth.script_version)):
        problems.append(
            bad(
                "authorization_required",
                "A clerk takes payments by phone: send authorization kind 'phone' "
                "with the script version read.",
                "authorization.kind",
            )
        )
    elif not user.is_clerk and kind == "phone":
        problems.append(
            bad(
                "authorization_invalid",
                "Online payments use authorization kind 'online'.",
                "authorization.kind",
            )
        )
    if not _EMAIL.match(command.receipt_email.strip()):
        problems.append(
            bad(
                "invalid_email",
                "Enter a valid email address for the receipt, like name@example.com.",
                "receipt_email",
            )
        )
    return problems


def quote_view(result: Quote, settings: Settings) -> dict:
    """The quote as the API answers it."""
    return {
        # per part once the parts are planned (what the payment records), else per invoice
        "allocations": [a.__dict__ for a in result.by_part]
        or [{**a.__dict__, "part_index": None} for a in result.allocations],
        "amount_cents": result.amount_cents,
        "credit_cents": result.credit_cents,
        "parts": [_part_view(p) for p in result.parts],
        "fees_cents": result.fees_cents,
        "total_cents": result.total_cents,
        "fee_policy": settings.fee_policy,
        "problems": [p.as_dict() for p in result.problems],
    }


def _part_view(part: PartPlan) -> dict:
    m = part.method
    return {
        "amount_cents": part.amount_cents,
        "fee_cents": part.fee_cents,
        "fees": [f.as_dict() for f in part.fees],
        "method": {
            "type": m.type,
            "brand": m.brand,
            "last4": m.last4,
            "bank_name": m.bank_name,
            "funding": m.funding,
        },
    }
