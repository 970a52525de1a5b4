"""The payment flow: plan (the quote), pay (checks, processor, then one locked transaction), settle.

Routes call these; money is computed by billing, stored by store. A payment authorises every part with
the processor before it takes the account lock, then re-plans under the lock: if another payment moved
the balances meanwhile, the authorisations are voided and nothing is written (409). All parts or none.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from backend_stub import clock, mail, receipts, views
from backend_stub.billing.allocation import Selection, Target
from backend_stub.billing.dates import ACH_SETTLEMENT_BUSINESS_DAYS, add_business_days
from backend_stub.billing.fees import FeePolicy
from backend_stub.billing.instruments import BankInput, CardInput, check_bank, check_card
from backend_stub.billing.ledger import reopen, settle, split_return, take
from backend_stub.billing.parts import CARD_WINDOW_DAYS
from backend_stub.billing.problems import Problem, bad, conflict, missing
from backend_stub.billing.quote import MethodFacts, Quote, QuoteRequest, quote
from backend_stub.errors import ApiError
from backend_stub.processor import (
    RETURN_REASONS,
    Decline,
    Processor,
    TokenDetails,
    describe_bank,
    describe_card,
)
from backend_stub.schemas import EMAIL_PATTERN, BankIn, CardIn, PaymentRequest, SavedMethodIn
from backend_stub.schemas import QuoteRequest as QuoteBody
from backend_stub.settings import Settings
from backend_stub.store import audit, meta
from backend_stub.store import idempotency as idempotency_store
from backend_stub.store import methods as method_store
from backend_stub.store import payments as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing

CONFIRMATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
HISTORY_MONTHS = 36
_EMAIL = re.compile(EMAIL_PATTERN)


def policy_of(settings: Settings) -> FeePolicy:
    return FeePolicy(settings.fee_policy, settings.convenience_fee_cents, settings.surcharge_bps)


def to_error(problem: Problem, **extra: object) -> ApiError:
    return ApiError(problem.status, problem.type, problem.code, problem.message, problem.param, extra=extra)


# -- planning -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resolved:
    """A part's method: typed (card/bank, checked) or saved (its row)."""

    facts: MethodFacts
    card: CardInput | None = None
    bank: BankInput | None = None
    saved: RowMapping | None = None
    save: bool = False
    holder: str | None = None


def _target(body: QuoteBody) -> Target:
    t = body.target
    if t.type == "invoices":
        return Target("invoices", tuple(Selection(c.invoice_id, c.amount_cents) for c in t.invoices))
    if t.type == "amount":
        return Target("amount", amount_cents=t.amount_cents)
    return Target("balance")


def _resolve(
    conn: Connection, account_id: int, body: QuoteBody, today: date
) -> tuple[list[Resolved], list[Problem]]:
    resolved: list[Resolved] = []
    problems: list[Problem] = []
    for index, part in enumerate(body.parts):
        param = f"parts[{index}].method"
        method = part.method
        if isinstance(method, SavedMethodIn):
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
        elif isinstance(method, CardIn):
            card = CardInput(method.number, method.exp_month, method.exp_year, method.cvc)
            problems += check_card(card, today, param)
            d = describe_card(card)
            resolved.append(
                Resolved(
                    MethodFacts("card", d.brand, d.last4, None, d.funding),
                    card=card,
                    save=method.save,
                    holder=method.name,
                )
            )
        else:
            assert isinstance(method, BankIn)
            bank = BankInput(method.routing_number, method.account_number, method.account_type)
            problems += check_bank(bank, param)
            d = describe_bank(bank)
            resolved.append(
                Resolved(
                    MethodFacts("ach", None, d.last4, d.bank_name, None),
                    bank=bank,
                    save=method.save,
                    holder=method.holder_name,
                )
            )
    return resolved, problems


def _early_problems(user: User, body: QuoteBody) -> list[Problem]:
    problems: list[Problem] = []
    kind = body.authorization.kind if body.authorization else "online"
    if user.is_clerk and (kind != "phone" or not (body.authorization and body.authorization.script_version)):
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
    if not _EMAIL.match(body.receipt_email.strip()):
        problems.append(
            bad(
                "invalid_email",
                "Enter a valid email address for the receipt, like name@example.com.",
                "receipt_email",
            )
        )
    return problems


def card_window_start(today: date) -> datetime:
    """The start of the card limit's window: the last CARD_WINDOW_DAYS days, today included."""
    return datetime.combine(today - timedelta(days=CARD_WINDOW_DAYS - 1), time())


def plan(
    conn: Connection, settings: Settings, user: User, account_id: int, body: QuoteBody
) -> tuple[Quote, list[Resolved]]:
    """What paying `body` would do now, read in `conn`; 404s (foreign ids) are raised, not listed."""
    today = clock.today(conn)
    target = _target(body)
    resolved, method_problems = _resolve(conn, account_id, body, today)
    invoices = store.balances(conn, account_id, [s.invoice_id for s in target.invoices])
    recent = store.card_payments_since(conn, account_id, card_window_start(today))
    request = QuoteRequest(
        target,
        tuple(p.amount_cents for p in body.parts),
        tuple(r.facts for r in resolved),
        tuple(_early_problems(user, body)),
        tuple(method_problems),
    )
    result = quote(request, invoices, policy_of(settings), settings.card_part_max_cents, recent)
    for problem in result.problems:
        if problem.status == 404:
            raise to_error(problem)
    return result, resolved


def quote_view(result: Quote, settings: Settings) -> dict:
    return {
        "allocations": [a.__dict__ for a in result.allocations],
        "amount_cents": result.amount_cents,
        "credit_cents": result.credit_cents,
        "parts": [_part_view(p) for p in result.parts],
        "fees_cents": result.fees_cents,
        "total_cents": result.total_cents,
        "fee_policy": settings.fee_policy,
        "problems": [p.as_dict() for p in result.problems],
    }


def _part_view(part) -> dict:  # type: ignore[no-untyped-def]
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


# -- paying -------------------------------------------------------------------------------------------
_SECRET_LOCK = threading.Lock()


def idempotency_secret(engine: Engine, settings: Settings) -> str:
    """The key of the request fingerprints: from PAYDESK_PEPPER, else one random per database."""
    if settings.pepper:
        return "idempotency:" + settings.pepper
    with _SECRET_LOCK:  # one thread makes it; another process racing us loses the insert and re-reads
        with reading(engine) as conn:
            value = meta.get(conn, "idempotency_secret")
        if value is not None:
            return value
        try:
            with writing(engine) as conn:
                value = meta.get(conn, "idempotency_secret")
                if value is None:
                    value = secrets.token_hex(32)
                    meta.put(conn, "idempotency_secret", value)
        except IntegrityError:
            with reading(engine) as conn:
                value = meta.get(conn, "idempotency_secret")
        assert value is not None
        return value


def pay(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    user: User,
    account_id: int,
    body: PaymentRequest,
    record_id: int,
) -> tuple[int, dict]:
    """Make the payment; returns (201, payment). Raises ApiError for every refusal, having charged nothing.
    The idempotency record is completed in the payment's own transaction."""
    with reading(engine) as conn:
        first, resolved = plan(conn, settings, user, account_id, body)
    if first.problems:
        raise to_error(first.problems[0])
    if body.accepted_fees_cents != first.fees_cents:
        raise ApiError(
            409,
            "conflict",
            "fees_changed",
            f"The fees for this payment are {receipts.dollars(first.fees_cents)}, not "
            f"{receipts.dollars(body.accepted_fees_cents)}: review the new quote and accept it.",
            "accepted_fees_cents",
        )
    tokens = [_token(processor, r) for r in resolved]
    auths: list[str] = []
    captured = False
    try:
        for index, (part, token) in enumerate(zip(first.parts, tokens, strict=True)):
            answer = processor.authorize(token.token, part.amount_cents + part.fee_cents)
            if isinstance(answer, Decline):
                raise ApiError(
                    402,
                    "payment",
                    "card_declined",
                    answer.message,
                    f"parts[{index}].method",
                    extra={"decline_code": answer.decline_code},
                )
            auths.append(answer)
        with writing(engine) as conn:
            account = store.lock_account(conn, account_id)
            assert account is not None
            again, _ = plan(conn, settings, user, account_id, body)
            if again.problems:
                problem = again.problems[0]
                if problem.status != 409 and problem.code != "card_payment_limit":
                    problem = _balance_changed()
                raise to_error(problem)
            if again != first:
                raise to_error(_balance_changed())
            for auth_id, part in zip(auths, first.parts, strict=True):
                if part.method.type == "card":
                    processor.capture(auth_id)
            captured = True
            payload = _write(conn, account, user, body, first, resolved, tokens)
            text = json.dumps(payload, separators=(",", ":"))
            idempotency_store.complete(conn, record_id, 201, text)
        return 201, payload
    except BaseException:
        if not captured:
            for auth_id in auths:
                processor.void(auth_id)
        raise


# The payer of the payments the backend makes on a customer's standing instruction (autopay, scheduled).
SYSTEM = User(id=0, email="", name="Paydesk", role="customer")


def pay_in_transaction(
    conn: Connection,
    processor: Processor,
    settings: Settings,
    account_id: int,
    body: PaymentRequest,
    channel: str,
) -> tuple[dict | None, str | None]:
    """Make a payment inside the caller's write transaction (the clock's due jobs): the same plan,
    processor and write as `pay`, with the fees as the plan prices them (the enrolment accepted the
    policy). Returns (payment, None), or (None, why it failed) having charged nothing."""
    account = store.lock_account(conn, account_id)
    assert account is not None
    result, resolved = plan(conn, settings, SYSTEM, account_id, body)
    if result.problems:
        return None, result.problems[0].message
    tokens = [_token(processor, r) for r in resolved]
    auths: list[str] = []
    for part, token in zip(result.parts, tokens, strict=True):
        answer = processor.authorize(token.token, part.amount_cents + part.fee_cents)
        if isinstance(answer, Decline):
            for auth_id in auths:
                processor.void(auth_id)
            return None, answer.message
        auths.append(answer)
    for auth_id, part in zip(auths, result.parts, strict=True):
        if part.method.type == "card":
            processor.capture(auth_id)
    body = body.model_copy(update={"accepted_fees_cents": result.fees_cents})
    return _write(conn, account, SYSTEM, body, result, resolved, tokens, channel=channel), None


def _balance_changed() -> Problem:
    return conflict(
        "balance_changed",
        "The balance changed while this payment was being made (another payment was applied): "
        "review the new amounts and try again.",
        "target",
    )


def _token(processor: Processor, resolved: Resolved) -> TokenDetails:
    if resolved.saved is not None:
        row = resolved.saved
        known = processor.lookup(row["processor_token"])
        if known is not None:
            return known
        return TokenDetails(
            row["processor_token"],
            row["type"],
            row["brand"],
            row["last4"],
            row["exp_month"],
            row["exp_year"],
            row["funding"],
            row["bank_name"],
            row["account_type"],
            "ok",
        )
    if resolved.card is not None:
        return processor.tokenize_card(resolved.card)
    assert resolved.bank is not None
    return processor.tokenize_bank(resolved.bank)


def new_confirmation(conn: Connection) -> str:
    while True:
        code = "PD-" + "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(8))
        if not store.confirmation_taken(conn, code):
            return code


def _write(
    conn: Connection,
    account: RowMapping,
    user: User,
    body: PaymentRequest,
    result: Quote,
    resolved: list[Resolved],
    tokens: list[TokenDetails],
    channel: str | None = None,
) -> dict:
    """Write the payment. `channel` is set for payments the backend makes itself (autopay, scheduled),
    whose `created_by` is null."""
    today = clock.today(conn)
    pending = result.pending
    created_at = datetime.combine(today, clock.utcnow().time())
    settles_on = add_business_days(today, ACH_SETTLEMENT_BUSINESS_DAYS) if pending else None
    authorization = body.authorization.model_dump() if body.authorization else {"kind": "online"}
    payment_id = store.insert_payment(
        conn,
        account_id=account["id"],
        confirmation_number=new_confirmation(conn),
        status="pending" if pending else "succeeded",
        amount_cents=result.amount_cents,
        fees_cents=result.fees_cents,
        total_cents=result.total_cents,
        credit_cents=result.credit_cents,
        channel=channel or ("guest" if user.is_guest else "phone" if user.is_clerk else "online"),
        created_by=None if channel or user.is_guest else user.id,
        created_at=created_at,
        settles_on=settles_on,
        return_code=None,
        receipt_email=body.receipt_email.strip(),
        auth_detail=json.dumps(authorization, sort_keys=True),
    )
    for part, token in zip(result.parts, tokens, strict=True):
        store.insert_part(
            conn,
            payment_id,
            [f.as_dict() for f in part.fees],
            method_type=part.method.type,
            brand=part.method.brand,
            last4=part.method.last4,
            bank_name=part.method.bank_name,
            funding=part.method.funding,
            amount_cents=part.amount_cents,
            fee_cents=part.fee_cents,
            processor_token=token.token,
            status="pending" if part.method.type == "ach" else "succeeded",
        )
    store.insert_allocations(conn, payment_id, [(a.invoice_id, a.amount_cents) for a in result.allocations])
    money = store.money_of(conn, [a.invoice_id for a in result.allocations])
    for allocation in result.allocations:
        money[allocation.invoice_id] = take(money[allocation.invoice_id], allocation.amount_cents, pending)
    store.write_money(conn, money.values())
    if not pending:  # a pending payment's overpayment becomes credit when it settles
        store.add_credit(conn, account["id"], result.credit_cents)
    saved_ids = [
        save_method(conn, account["id"], t)
        for r, t in zip(resolved, tokens, strict=True)
        if r.save and r.saved is None
    ]
    if user.is_clerk:
        audit.record(
            conn,
            user.id,
            "payment.create",
            account["id"],
            payment_id=payment_id,
            amount_cents=result.amount_cents,
            authorization=authorization,
        )
    payload = payment_payload(conn, payment_id)
    payload["saved_payment_method_ids"] = saved_ids
    _send_mail(conn, account, user, payload, result, today)
    return payload


def save_method(conn: Connection, account_id: int, token: TokenDetails) -> int:
    """Keep a tokenised card or bank account as a saved method: the token and what may be shown, no more."""
    return method_store.add(
        conn,
        account_id,
        type=token.kind,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        bank_name=token.bank_name,
        funding=token.funding,
        account_type=token.account_type,
        processor_token=token.token,
        created_at=clock.utcnow(),
    )


def payment_payload(conn: Connection, payment_id: int) -> dict:
    row = store.payment(conn, payment_id)
    assert row is not None
    view = views.payment(
        row,
        store.parts(conn, [payment_id]).get(payment_id, []),
        store.allocations_of(conn, [payment_id]).get(payment_id, []),
    )
    return view.model_dump(mode="json")


def _send_mail(
    conn: Connection, account: RowMapping, user: User, payload: dict, result: Quote, today: date
) -> None:
    name = views.full_name(account["first_name"], account["last_name"])
    facts = receipts.ReceiptFacts(
        account_number=account["account_number"],
        customer_name=name,
        confirmation_number=payload["confirmation_number"],
        status=payload["status"],
        created_on=today,
        settles_on=date.fromisoformat(payload["settles_on"]) if payload["settles_on"] else None,
        allocations=[(a.number, a.amount_cents) for a in result.allocations],
        credit_cents=result.credit_cents,
        amount_cents=result.amount_cents,
        fees_cents=result.fees_cents,
        total_cents=result.total_cents,
        parts=[
            receipts.ReceiptPart(
                p.method.type,
                p.method.brand,
                p.method.last4,
                p.method.bank_name,
                p.amount_cents,
                [(f.description, f.amount_cents) for f in p.fees],
            )
            for p in result.parts
        ],
    )
    subject, text = receipts.receipt(facts)
    mail.send(conn, payload["receipt_email"], subject, text, "receipt")
    if user.is_clerk:
        for part in result.parts:
            if part.method.type != "ach":
                continue
            subject, text = receipts.tel_authorization(
                customer_name=name,
                account_number=account["account_number"],
                bank_label=part.method.bank_name or "Bank account",
                bank_last4=part.method.last4,
                amount_cents=part.amount_cents,
                debit_on=facts.settles_on or today,
                authorized_on=today,
                confirmation_number=facts.confirmation_number,
            )
            mail.send(conn, payload["receipt_email"], subject, text, "ach_authorization")


# -- settlement ---------------------------------------------------------------------------------------
def settle_due(conn: Connection, to_day: date) -> int:
    """Settle (or return) every pending bank payment due by `to_day`; each is touched once, because it
    leaves `pending`. Returns how many changed."""
    from backend_stub.processor import settlement_on

    changed = 0
    for payment in store.due_for_settlement(conn, to_day):
        parts = store.parts(conn, [payment["id"]]).get(payment["id"], [])
        outcomes = {
            p["id"]: settlement_on(conn, p["processor_token"]) for p in parts if p["status"] == "pending"
        }
        if any(o == "pending" for o in outcomes.values()):
            continue  # the bank has not answered yet (the test account that stays pending)
        returned = {pid: code for pid, code in outcomes.items() if code != "settle"}
        allocations = store.allocations_of(conn, [payment["id"]]).get(payment["id"], [])
        returned_cents = sum(p["amount_cents"] for p in parts if p["id"] in returned)
        reopened, credit = split_return(
            [a["amount_cents"] for a in allocations], payment["credit_cents"], returned_cents
        )
        money = store.money_of(conn, [a["invoice_id"] for a in allocations])
        for allocation, back in zip(allocations, reopened, strict=True):
            invoice = money[allocation["invoice_id"]]
            invoice = reopen(invoice, back)
            money[allocation["invoice_id"]] = settle(invoice, allocation["amount_cents"] - back)
        store.write_money(conn, money.values())
        store.add_credit(conn, payment["account_id"], credit)
        for part in parts:
            if part["id"] in outcomes:
                store.set_part_status(conn, part["id"], "returned" if part["id"] in returned else "succeeded")
        if returned:
            code = next(iter(returned.values()))
            store.set_status(conn, payment["id"], "returned", code)
            account = store.account_row(conn, payment["account_id"])
            subject, text = receipts.ach_return(
                customer_name=views.full_name(account["first_name"], account["last_name"]),
                account_number=account["account_number"],
                confirmation_number=payment["confirmation_number"],
                amount_cents=returned_cents,
                return_code=code,
                reason=RETURN_REASONS.get(code, "returned by the bank"),
                invoices=[a["number"] for a, back in zip(allocations, reopened, strict=True) if back],
            )
            mail.send(conn, account["email"], subject, text, "ach_return")
        else:
            store.set_status(conn, payment["id"], "succeeded")
        changed += 1
    return changed
