"""The fake card and bank processor, answering by the contract's test numbers.

It tokenises what the payer typed (keeping brand, last 4, expiry, funding and the test behaviour of the
number, never the number, the CVC or the bank account number), authorises, captures and voids. Tokens
live in its own table so saved methods and pending bank debits outlive a restart; authorisations live in
memory (a real processor would keep them; here a restart simply forgets uncaptured ones).

`PAYDESK_PROCESSOR_DELAY_MS` (env only, for tests) makes every authorisation sleep that long, so a test
can catch a payment in flight.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from backend_stub.billing.instruments import BankInput, CardInput, card_brand, digits_only
from backend_stub.clock import utcnow
from backend_stub.store.db import reading, writing
from backend_stub.store.tables import processor_tokens

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


class Processor:
    def __init__(self, engine: Engine, delay_ms: int = 0) -> None:
        self.engine = engine
        self.delay_ms = max(0, delay_ms)
        self._lock = threading.Lock()
        self._auths: dict[str, tuple[str, int, str]] = {}  # auth id -> (token, amount, state)

    # -- tokens ------------------------------------------------------------------------------------
    def tokenize_card(self, card: CardInput) -> TokenDetails:
        return self._store(describe_card(card), "tok_")

    def tokenize_bank(self, bank: BankInput) -> TokenDetails:
        return self._store(describe_bank(bank), "btok_")

    def _store(self, details: TokenDetails, prefix: str) -> TokenDetails:
        token = prefix + secrets.token_urlsafe(18)
        values = {**details.__dict__, "token": token, "created_at": utcnow()}
        with writing(self.engine) as conn:
            conn.execute(processor_tokens.insert().values(**values))
        return TokenDetails(**{**details.__dict__, "token": token})

    def lookup(self, token: str) -> TokenDetails | None:
        """A token's details; None for a token this processor never issued (the demo seed's own)."""
        with reading(self.engine) as conn:
            row = (
                conn.execute(select(processor_tokens).where(processor_tokens.c.token == token))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return TokenDetails(**{k: row[k] for k in TokenDetails.__dataclass_fields__})

    def behaviour(self, token: str | None) -> str:
        details = self.lookup(token) if token else None
        return details.behaviour if details else OK

    # -- money ------------------------------------------------------------------------------------
    def authorize(self, token: str, amount_cents: int) -> str | Decline:
        """Hold `amount_cents` on the token: an authorisation id, or the decline."""
        if self.delay_ms:
            time.sleep(self.delay_ms / 1000)
        behaviour = self.behaviour(token)
        if behaviour.startswith("decline:"):
            return Decline(behaviour.removeprefix("decline:"))
        auth_id = "auth_" + secrets.token_urlsafe(12)
        with self._lock:
            self._auths[auth_id] = (token, amount_cents, "authorized")
        return auth_id

    def capture(self, auth_id: str) -> None:
        self._move(auth_id, "captured")

    def void(self, auth_id: str) -> None:
        self._move(auth_id, "voided")

    def state(self, auth_id: str) -> str | None:
        with self._lock:
            entry = self._auths.get(auth_id)
        return entry[2] if entry else None

    def _move(self, auth_id: str, state: str) -> None:
        with self._lock:
            token, amount, current = self._auths[auth_id]
            if current != "authorized":
                raise ValueError(f"authorisation {auth_id} is already {current}")
            self._auths[auth_id] = (token, amount, state)

    def verify(self, token: str) -> Decline | None:
        """A zero-amount check before a method is saved: a decline test card is refused."""
        behaviour = self.behaviour(token)
        return Decline(behaviour.removeprefix("decline:")) if behaviour.startswith("decline:") else None


def settlement_on(conn: Connection, token: str | None) -> str:
    """`Processor.settlement` inside a caller's transaction (the due jobs have only a connection)."""
    row = None
    if token:
        row = conn.execute(
            select(processor_tokens.c.behaviour).where(processor_tokens.c.token == token)
        ).scalar_one_or_none()
    behaviour = row or OK
    if behaviour.startswith("return:"):
        return behaviour.removeprefix("return:")
    return "pending" if behaviour == PENDING_FOREVER else "settle"
