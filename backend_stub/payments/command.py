"""The internal payment command: what to pay and how, as the use cases take it.

Routes turn their HTTP body into one (`from_request`); autopay and scheduled runs build one from what they
stored. The card number and CVC live only in this object, in memory, for the one request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backend_stub.billing.allocation import Selection, Target
from backend_stub.billing.instruments import BankInput, CardInput

if TYPE_CHECKING:
    from backend_stub.schemas import MethodIn, QuoteRequest


@dataclass(frozen=True)
class SavedMethod:
    payment_method_id: int


@dataclass(frozen=True)
class NewCard:
    card: CardInput = field(repr=False)  # never in a log or a traceback
    name: str | None = None
    save: bool = False


@dataclass(frozen=True)
class NewBank:
    bank: BankInput = field(repr=False)
    holder_name: str | None = None
    save: bool = False


Method = SavedMethod | NewCard | NewBank


@dataclass(frozen=True)
class Part:
    method: Method
    amount_cents: int | None = None  # one part may leave it out: it takes the rest


@dataclass(frozen=True)
class Authorization:
    kind: str  # online | phone
    script_version: str | None = None
    recording_ref: str | None = None
    identity_check_id: int | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "script_version": self.script_version, "recording_ref": self.recording_ref}


@dataclass(frozen=True)
class PaymentCommand:
    target: Target
    parts: tuple[Part, ...]
    receipt_email: str
    accepted_fees_cents: int | None = None  # None on a quote, which accepts nothing
    authorization: Authorization | None = None


def target_of(stored: dict) -> Target:
    """A target in its JSON form (the HTTP body's, and the one a scheduled payment keeps)."""
    if stored["type"] == "invoices":
        picks = tuple(Selection(i["invoice_id"], i.get("amount_cents")) for i in stored["invoices"])
        return Target("invoices", picks)
    if stored["type"] == "amount":
        return Target("amount", amount_cents=stored["amount_cents"])
    return Target("balance")


def saved_method_command(
    target: Target, method_id: int, receipt_email: str, accepted_fees_cents: int | None = None
) -> PaymentCommand:
    """A payment the backend makes on a standing instruction: one saved method. `accepted_fees_cents`
    are the fees the payer accepted when they gave it (a run pricing others is not made); None makes it
    at the fees as priced."""
    return PaymentCommand(target, (Part(SavedMethod(method_id)),), receipt_email, accepted_fees_cents)


def from_request(body: QuoteRequest) -> PaymentCommand:
    """The command an HTTP quote or payment body asks for (the body is already validated)."""
    t = body.target
    if t.type == "invoices":
        target = Target("invoices", tuple(Selection(c.invoice_id, c.amount_cents) for c in t.invoices))
    elif t.type == "amount":
        target = Target("amount", amount_cents=t.amount_cents)
    else:
        target = Target("balance")
    parts = tuple(Part(_method_of(p.method), p.amount_cents) for p in body.parts)
    auth = body.authorization
    return PaymentCommand(
        target,
        parts,
        body.receipt_email,
        body.accepted_fees_cents,
        Authorization(auth.kind, auth.script_version, auth.recording_ref, auth.identity_check_id)
        if auth
        else None,
    )


def _method_of(method: MethodIn) -> Method:
    if method.type == "saved":
        return SavedMethod(method.payment_method_id)
    if method.type == "card":
        card = CardInput(method.number, method.exp_month, method.exp_year, method.cvc)
        return NewCard(card, method.name, method.save)
    bank = BankInput(method.routing_number, method.account_number, method.account_type)
    return NewBank(bank, method.holder_name, method.save)
