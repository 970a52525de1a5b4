"""Request bodies for quotes, payments and saved methods (docs/WIRE.md "Body").

The card number, the CVC and the bank account number are `SecretStr`: a repr, a log line, a
traceback or a validation error shows `**********`. Only `wire()` writes them out, into the dict
the client sends and drops at once.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, SerializationInfo, field_serializer


class RequestModel(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    def wire(self, **exclude: Any) -> dict[str, Any]:
        """The JSON body, secrets included: hand it straight to the HTTP client."""
        return self.model_dump(mode="json", exclude_none=True, context={"reveal": True}, **exclude)


def _reveal(value: SecretStr, info: SerializationInfo) -> str:
    context = info.context or {}
    return value.get_secret_value() if context.get("reveal") else str(value)


class HasSecrets(RequestModel):
    @field_serializer("*", when_used="always")
    def reveal_secrets(self, value: Any, info: SerializationInfo) -> Any:
        return _reveal(value, info) if isinstance(value, SecretStr) else value


class NewCard(HasSecrets):
    type: Literal["card"] = "card"
    number: SecretStr
    exp_month: int
    exp_year: int
    cvc: SecretStr
    name: str
    postal_code: str
    save: bool = False

    @property
    def last4(self) -> str:
        return self.number.get_secret_value()[-4:]


class NewBankAccount(HasSecrets):
    type: Literal["ach"] = "ach"
    routing_number: str
    account_number: SecretStr
    account_type: Literal["checking", "savings"] = "checking"
    holder_name: str
    save: bool = False

    @property
    def last4(self) -> str:
        return self.account_number.get_secret_value()[-4:]


class SavedMethodRef(RequestModel):
    type: Literal["saved"] = "saved"
    payment_method_id: int


MethodIn = NewCard | NewBankAccount | SavedMethodRef


class InvoiceToPay(RequestModel):
    invoice_id: int
    amount_cents: int | None = None  # None: the invoice's whole balance


class InvoicesTarget(RequestModel):
    type: Literal["invoices"] = "invoices"
    invoices: list[InvoiceToPay]


class AmountTarget(RequestModel):
    type: Literal["amount"] = "amount"
    amount_cents: int


class BalanceTarget(RequestModel):
    type: Literal["balance"] = "balance"


Target = InvoicesTarget | AmountTarget | BalanceTarget


class PartIn(RequestModel):
    amount_cents: int | None = None  # None: this part takes the rest
    method: MethodIn


class Authorization(RequestModel):
    kind: Literal["online", "phone"] = "online"
    script_version: str | None = None
    recording_ref: str | None = None
    # i9: a clerk's payment names the passed identity check it was taken under.
    identity_check_id: int | None = None


class PaymentRequest(RequestModel):
    """The body of a quote and of a payment (a quote ignores `accepted_fees_cents`)."""

    target: Target
    parts: list[PartIn]
    accepted_fees_cents: int = 0
    receipt_email: str
    authorization: Authorization = Authorization()


# ---- issue 9 (i9-wizard): void and refund bodies (docs/WIRE.md) -----------------------------------


class VoidRequest(RequestModel):
    reason: str


class RefundRequest(RequestModel):
    amount_cents: int | None = None  # None: all that is left to refund
    reason: str
