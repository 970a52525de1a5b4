"""The fake card and bank processor, answering by the contract's test numbers.

It tokenises what the payer typed (keeping brand, last 4, expiry, funding and the test behaviour of the
number, never the number, the CVC or the bank account number), authorises, captures, voids and refunds.
It behaves as a real processor does towards a merchant that may crash: every money call takes the
merchant's idempotency key and the same key gets the same answer (the same authorisation, the same decline,
the same refund), and `find(key)` tells what became of a call whose answer was lost. Its records
(processor_tokens, processor_charges, processor_refunds) are written in its own short transactions, never
inside one of the backend's, so they outlive a backend crash and never wait on a payment's lock.

`PAYDESK_PROCESSOR_DELAY_MS` (env only, for tests) makes every authorisation sleep that long, so a test
can catch a payment in flight.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from backend_stub.billing.instruments import BankInput, CardInput, card_brand, digits_only
from backend_stub.clock import utcnow
from backend_stub.store import fast_rows
from backend_stub.store.db import bound_values, reading, writing
from backend_stub.store.tables import processor_charges, processor_refunds, processor_tokens

log = logging.getLogger(__name__)

# Card test numbers: funding and a decline code (cards not listed are credit cards that succeed).
DEBIT_CARDS = {"4000056655665556"}
PREPAID_CARDS = {"5105105105105100"}
DECLINES = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
}
DECLINE_MESSAGES = {
    "generic_decline": "The card was declined. Use another card or pay by bank account.",
    "insufficient_funds": "The card has insufficient funds. Use another card or pay by bank account.",
    "expired_card": "The card has expired. Use another card.",
    "incorrect_cvc": "The card's security code is incorrect. Check it and try again.",
    "processing_error": "The card could not be processed. Try again in a moment or use another card.",
}
# Bank account test numbers: returned at settlement with an R code, or pending for ever.
RETURNS = {"000222222227": "R01", "000111111113": "R02", "000111111116": "R03", "000333333335": "R10"}
RETURN_REASONS = {
    "R01": "insufficient funds",
    "R02": "account closed",
    "R03": "no account / unable to locate account",
    "R10": "customer advises not authorized",
}
STAYS_PENDING = {"000000000009"}
BANK_NAMES = {"110000000": "Paydesk Test Bank"}

OK = "ok"
PENDING_FOREVER = "pending"

# Every payment runs these: built once (see store/fast_rows.py).
_TOKEN_COLUMNS = (
    "token",
    "kind",
    "brand",
    "last4",
    "exp_month",
    "exp_year",
    "funding",
    "bank_name",
    "account_type",
    "behaviour",
)
_INSERT_TOKEN = processor_tokens.insert().values(
    bound_values(processor_tokens, *_TOKEN_COLUMNS, "created_at")
)
_TOKEN = select(*(processor_tokens.c[name] for name in _TOKEN_COLUMNS)).where(
    processor_tokens.c.token == bindparam("token_")
)
_BEHAVIOUR = select(processor_tokens.c.behaviour).where(processor_tokens.c.token == bindparam("token_"))
_CHARGE_COLUMNS = (
    "id",
    "idempotency_key",
    "token",
    "amount_cents",
    "state",
    "refunded_cents",
    "decline_code",
    "created_at",
    "updated_at",
)
_INSERT_CHARGE = processor_charges.insert().values(bound_values(processor_charges, *_CHARGE_COLUMNS))
_CHARGE_BY_KEY = select(processor_charges).where(processor_charges.c.idempotency_key == bindparam("key_"))


@dataclass(frozen=True)
class TokenDetails:
    token: str
    kind: str  # card | ach
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None
    funding: str | None
    bank_name: str | None
    account_type: str | None
    behaviour: str  # ok | decline:<code> | return:<R code> | pending


@dataclass(frozen=True)
class Decline:
    decline_code: str

    @property
    def message(self) -> str:
        return DECLINE_MESSAGES.get(self.decline_code, DECLINE_MESSAGES["generic_decline"])


def describe_card(card: CardInput) -> TokenDetails:
    """What tokenising this card would keep, without keeping anything (the quote uses it)."""
    number = digits_only(card.number)
    funding = "debit" if number in DEBIT_CARDS else "prepaid" if number in PREPAID_CARDS else "credit"
    decline = DECLINES.get(number)
    return TokenDetails(
        token="",
        kind="card",
        brand=card_brand(number),
        last4=number[-4:],
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        funding=funding,
        bank_name=None,
        account_type=None,
        behaviour=f"decline:{decline}" if decline else OK,
    )


def describe_bank(bank: BankInput) -> TokenDetails:
    account = bank.account_number.strip()
    if account in RETURNS:
        behaviour = f"return:{RETURNS[account]}"
    elif account in STAYS_PENDING:
        behaviour = PENDING_FOREVER
    else:
        behaviour = OK
    return TokenDetails(
        token="",
        kind="ach",
        brand=None,
        last4=account[-4:],
        exp_month=None,
        exp_year=None,
        funding=None,
        bank_name=BANK_NAMES.get(bank.routing_number.strip(), "Bank account"),
        account_type=bank.account_type,
        behaviour=behaviour,
    )


@dataclass(frozen=True)
class Charge:
    """What the processor knows of one keyed authorisation."""

    id: str
    idempotency_key: str
    token: str
    amount_cents: int
    state: str  # authorized | captured | voided | refunded | declined
    refunded_cents: int
    decline_code: str | None

    @property
    def decline(self) -> Decline | None:
        return Decline(self.decline_code) if self.state == "declined" and self.decline_code else None


class ProcessorError(ValueError):
    """A call the processor refuses: a key reused for another charge, a move its state does not allow."""


class Processor:
    def __init__(self, engine: Engine, delay_ms: int = 0) -> None:
        self.engine = engine
        self.delay_ms = max(0, delay_ms)

    # -- tokens ------------------------------------------------------------------------------------
    def tokenize_card(self, card: CardInput) -> TokenDetails:
        return self._store(describe_card(card), "tok_")

    def tokenize_bank(self, bank: BankInput) -> TokenDetails:
        return self._store(describe_bank(bank), "btok_")

    def _store(self, details: TokenDetails, prefix: str) -> TokenDetails:
        token = prefix + secrets.token_urlsafe(18)
        values = {**details.__dict__, "token": token, "created_at": utcnow()}
        with writing(self.engine) as conn:
            fast_rows.execute(conn, _INSERT_TOKEN, values)
        return TokenDetails(**{**details.__dict__, "token": token})

    def lookup(self, token: str) -> TokenDetails | None:
        """A token's details; None for a token this processor never issued (the demo seed's own)."""
        with reading(self.engine) as conn:
            row = fast_rows.first(conn, _TOKEN, {"token_": token})
        if row is None:
            return None
        return TokenDetails(**row)

    def behaviour(self, token: str | None) -> str:
        details = self.lookup(token) if token else None
        return details.behaviour if details else OK

    # -- money ------------------------------------------------------------------------------------
    def authorize(self, token: str, amount_cents: int, key: str) -> str | Decline:
        """Hold `amount_cents` on the token: an authorisation id, or the decline. The same `key` answers
        the same authorisation (or decline) again, whatever became of it since; a key reused for another
        token or amount is refused (ProcessorError)."""
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000)
        now = utcnow()
        row = {
            "id": "auth_" + secrets.token_urlsafe(12),
            "idempotency_key": key,
            "token": token,
            "amount_cents": amount_cents,
            "refunded_cents": 0,
            "created_at": now,
            "updated_at": now,
        }
        # A new key, the usual case, costs one write (the token's behaviour read in it); a key seen
        # before answers what it got then.
        try:
            with writing(self.engine) as conn:
                found = fast_rows.first(conn, _BEHAVIOUR, {"token_": token})
                behaviour = found["behaviour"] if found else OK
                decline = behaviour.removeprefix("decline:") if behaviour.startswith("decline:") else None
                row |= {"state": "declined" if decline else "authorized", "decline_code": decline}
                fast_rows.execute(conn, _INSERT_CHARGE, row)
        except IntegrityError:
            known = self.find(key)
            if known is None:
                raise
            if (known.token, known.amount_cents) != (token, amount_cents):
                raise ProcessorError(f"idempotency key {key} was used for another charge") from None
            return known.decline or known.id
        return Decline(decline) if decline else row["id"]

    def capture(self, auth_id: str) -> None:
        """Take the authorised money. Capturing a captured charge again does nothing."""
        self._move(auth_id, "authorized", "captured")

    def void(self, auth_id: str) -> None:
        """Release an authorisation. Voiding a voided one again does nothing; a captured one is refunded."""
        self._move(auth_id, "authorized", "voided")

    def void_capture(self, auth_id: str) -> None:
        """A same-day void: cancel a capture nothing was refunded of, before the day's batch settles it (the
        clerk's void of a card payment of today). Voiding a voided one again does nothing."""
        with writing(self.engine) as conn:
            moved = conn.execute(
                update(processor_charges)
                .where(
                    processor_charges.c.id == auth_id,
                    processor_charges.c.state == "captured",
                    processor_charges.c.refunded_cents == 0,
                )
                .values(state="voided", updated_at=utcnow())
            ).rowcount
        if not moved and self.state(auth_id) != "voided":
            raise ProcessorError(f"authorisation {auth_id} is {self.state(auth_id)}: it cannot be voided now")

    def refund(self, auth_id: str, amount_cents: int, key: str) -> str:
        """Give back up to what a captured charge took and was not refunded yet: the refund's id. The same
        `key` answers the same refund again without refunding twice."""
        if amount_cents <= 0:
            raise ProcessorError("a refund is a positive amount")
        known = self._refund_of(key)
        if known is not None:
            if (known["charge_id"], known["amount_cents"]) != (auth_id, amount_cents):
                raise ProcessorError(f"idempotency key {key} was used for another refund")
            return known["id"]
        refund_id = "re_" + secrets.token_urlsafe(12)
        try:
            with writing(self.engine) as conn:
                charge = (
                    conn.execute(
                        _locked(select(processor_charges).where(processor_charges.c.id == auth_id), conn)
                    )
                    .mappings()
                    .first()
                )
                if charge is None:
                    raise ProcessorError(f"no charge {auth_id}")
                if charge["state"] not in ("captured", "refunded"):
                    raise ProcessorError(f"charge {auth_id} is {charge['state']}: only a capture is refunded")
                refunded = charge["refunded_cents"] + amount_cents
                if refunded > charge["amount_cents"]:
                    raise ProcessorError(f"charge {auth_id} has less than that left to refund")
                now = utcnow()
                conn.execute(
                    processor_refunds.insert().values(
                        id=refund_id,
                        charge_id=auth_id,
                        idempotency_key=key,
                        amount_cents=amount_cents,
                        created_at=now,
                    )
                )
                conn.execute(
                    update(processor_charges)
                    .where(processor_charges.c.id == auth_id)
                    .values(
                        refunded_cents=refunded,
                        state="refunded" if refunded == charge["amount_cents"] else "captured",
                        updated_at=now,
                    )
                )
        except IntegrityError:  # the same key, sent twice at once
            known = self._refund_of(key)
            if known is None:
                raise
            return known["id"]
        return refund_id

    def find(self, key: str) -> Charge | None:
        """What became of the authorisation asked for with `key` (None: it never reached the processor)."""
        with reading(self.engine) as conn:
            row = fast_rows.first(conn, _CHARGE_BY_KEY, {"key_": key})
        return _charge(row)

    def charge(self, auth_id: str) -> Charge | None:
        with reading(self.engine) as conn:
            row = (
                conn.execute(select(processor_charges).where(processor_charges.c.id == auth_id))
                .mappings()
                .first()
            )
        return _charge(row)

    def state(self, auth_id: str) -> str | None:
        found = self.charge(auth_id)
        return found.state if found else None

    def _move(self, auth_id: str, from_state: str, to_state: str) -> None:
        with writing(self.engine) as conn:
            moved = conn.execute(
                update(processor_charges)
                .where(processor_charges.c.id == auth_id, processor_charges.c.state == from_state)
                .values(state=to_state, updated_at=utcnow())
            ).rowcount
            if moved:
                return
            current = conn.execute(
                select(processor_charges.c.state).where(processor_charges.c.id == auth_id)
            ).scalar_one_or_none()
        if current != to_state:  # already there: the call is a repeat, and answers the same
            raise ProcessorError(
                f"authorisation {auth_id} is {current or 'unknown'}, it cannot be {to_state}"
            )

    def _refund_of(self, key: str) -> RowMapping | None:
        with reading(self.engine) as conn:
            return (
                conn.execute(select(processor_refunds).where(processor_refunds.c.idempotency_key == key))
                .mappings()
                .first()
            )

    def settlement(self, token: str | None) -> str:
        """What the bank answers for a pending debit on `token`: settle, an R code, or pending."""
        with reading(self.engine) as conn:
            return settlement_on(conn, token)

    def verify(self, token: str) -> Decline | None:
        """A zero-amount check before a method is saved: a decline test card is refused."""
        behaviour = self.behaviour(token)
        return Decline(behaviour.removeprefix("decline:")) if behaviour.startswith("decline:") else None


def _locked(query, conn: Connection):  # type: ignore[no-untyped-def]
    """`FOR UPDATE` on PostgreSQL (SQLite's BEGIN IMMEDIATE already holds the one write lock)."""
    return query if conn.dialect.name == "sqlite" else query.with_for_update()


def _charge(row: Mapping[str, Any] | None) -> Charge | None:
    if row is None:
        return None
    return Charge(**{k: row[k] for k in Charge.__dataclass_fields__})


def settlement_on(conn: Connection, token: str | None) -> str:
    """`Processor.settlement`, read in the caller's connection."""
    row = None
    if token:
        row = conn.execute(
            select(processor_tokens.c.behaviour).where(processor_tokens.c.token == token)
        ).scalar_one_or_none()
    behaviour = row or OK
    if behaviour.startswith("return:"):
        return behaviour.removeprefix("return:")
    return "pending" if behaviour == PENDING_FOREVER else "settle"
