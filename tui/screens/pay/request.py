"""The payment request, built from what each step gathered: what it pays, how, the receipt, who agreed.

Plain functions over plain values (no widgets), so a step reads its fields and this module only
assembles. The same request is quoted, and then sent with the fees the payer accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tui.api import (
    AmountTarget,
    Authorization,
    BalanceTarget,
    InvoicesTarget,
    InvoiceToPay,
    PartIn,
    PaymentRequest,
)

if TYPE_CHECKING:
    from tui.api import Quote
    from tui.api.requests import MethodIn, Target
    from tui.screens.pay.lines import InvoiceLine

# The version of the words a clerk reads by phone when the server's quote names none (an older
# server); the quote's `script.version` is the one sent when it has one.
PHONE_SCRIPT_VERSION = "tel-2026-1"


def invoices_target(lines: Iterable[InvoiceLine]) -> InvoicesTarget:
    """The included lines; an unedited line leaves its amount out, so it pays the whole balance."""
    return InvoicesTarget(
        invoices=[
            InvoiceToPay(invoice_id=line.row.id, amount_cents=line.amount_cents if line.edited else None)
            for line in lines
            if line.included
        ]
    )


def amount_target(amount_cents: int | None) -> AmountTarget | BalanceTarget:
    """An amount typed in, or (None) the balance due as the server counts it when paid."""
    return BalanceTarget() if amount_cents is None else AmountTarget(amount_cents=amount_cents)


def payment_parts(methods: Sequence[MethodIn], first_cents: int | None = None) -> list[PartIn]:
    """One part per method; when split, the first pays `first_cents` and the second the rest."""
    if len(methods) == 1:
        return [PartIn(method=methods[0])]
    first, rest = methods
    return [PartIn(amount_cents=first_cents, method=first), PartIn(method=rest)]


def payment_request(
    target: Target,
    parts: list[PartIn],
    receipt_email: str,
    *,
    by_phone: bool,
    identity_check_id: int | None = None,
) -> PaymentRequest:
    """A clerk's payment is authorised by phone, with the script's version and the identity check the
    call was verified under; a customer's, online."""
    authorization = (
        Authorization(kind="phone", script_version=PHONE_SCRIPT_VERSION, identity_check_id=identity_check_id)
        if by_phone
        else Authorization()
    )
    return PaymentRequest(
        target=target, parts=parts, receipt_email=receipt_email, authorization=authorization
    )


def with_accepted_fees(request: PaymentRequest, quote: Quote) -> PaymentRequest:
    """The request as it is paid: with the fees the payer saw in `quote` and accepted, and for a
    payment by phone the version of the words the quote gave to read aloud."""
    update: dict[str, object] = {"accepted_fees_cents": quote.fees_cents}
    if request.authorization.kind == "phone" and quote.script is not None:
        update["authorization"] = request.authorization.model_copy(
            update={"script_version": quote.script.version}
        )
    return request.model_copy(update=update)
