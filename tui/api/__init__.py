"""The Paydesk HTTP client and its models. Never imports textual; httpx is imported on first use.

Names load lazily (PEP 562): `from tui.api import ApiError` must not pay for pydantic and the models,
so the first screen draws sooner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.api.client import PaydeskClient
    from tui.api.errors import (
        ApiError,
        NotAuthenticated,
        PaymentOutcomeUnknown,
        ServerUnavailable,
        SessionIdle,
    )
    from tui.api.models import (
        Account,
        AccountMatch,
        AccountRef,
        Actor,
        Allocation,
        AppliedPayment,
        AuditEntry,
        Autopay,
        AutopayFailure,
        ContactMessage,
        Download,
        Fee,
        FeeTerms,
        GuestSession,
        IdentityCheck,
        InvoiceDetail,
        InvoiceRow,
        LineItem,
        Me,
        MethodSummary,
        Note,
        Notice,
        OutboxEmail,
        Page,
        Payment,
        PaymentMethod,
        PaymentPart,
        Person,
        Problem,
        Quote,
        QuoteProblem,
        Refund,
        RefundedBy,
        ScheduledPayment,
        Script,
        Session,
        Site,
        Statement,
        StatementEntry,
        Summary,
        User,
    )
    from tui.api.requests import (
        AmountTarget,
        Authorization,
        BalanceTarget,
        InvoicesTarget,
        InvoiceToPay,
        NewBankAccount,
        NewCard,
        PartIn,
        PaymentRequest,
        RefundRequest,
        SavedMethodRef,
        VoidRequest,
    )
    from tui.api.retries import PaymentAttempt, UndoAttempt

_ERRORS = {"ApiError", "NotAuthenticated", "PaymentOutcomeUnknown", "ServerUnavailable", "SessionIdle"}
_REQUESTS = {
    "AmountTarget",
    "Authorization",
    "BalanceTarget",
    "InvoicesTarget",
    "InvoiceToPay",
    "NewBankAccount",
    "NewCard",
    "PartIn",
    "PaymentRequest",
    "RefundRequest",
    "SavedMethodRef",
    "VoidRequest",
}


def __getattr__(name: str) -> Any:
    if name == "PaydeskClient":
        module = "tui.api.client"
    elif name in _ERRORS:
        module = "tui.api.errors"
    elif name in _REQUESTS:
        module = "tui.api.requests"
    elif name in ("PaymentAttempt", "UndoAttempt"):
        module = "tui.api.retries"
    elif name in __all__:
        module = "tui.api.models"
    else:
        raise AttributeError(f"module 'tui.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Account",
    "AccountMatch",
    "AccountRef",
    "Actor",
    "Allocation",
    "AmountTarget",
    "ApiError",
    "AppliedPayment",
    "AuditEntry",
    "Authorization",
    "Autopay",
    "AutopayFailure",
    "BalanceTarget",
    "ContactMessage",
    "Download",
    "Fee",
    "FeeTerms",
    "GuestSession",
    "IdentityCheck",
    "InvoiceDetail",
    "InvoiceRow",
    "InvoiceToPay",
    "InvoicesTarget",
    "LineItem",
    "Me",
    "MethodSummary",
    "NewBankAccount",
    "NewCard",
    "NotAuthenticated",
    "Note",
    "Notice",
    "OutboxEmail",
    "Page",
    "PartIn",
    "PaydeskClient",
    "Payment",
    "PaymentAttempt",
    "PaymentMethod",
    "PaymentOutcomeUnknown",
    "PaymentPart",
    "PaymentRequest",
    "Person",
    "Problem",
    "Quote",
    "QuoteProblem",
    "Refund",
    "RefundRequest",
    "RefundedBy",
    "SavedMethodRef",
    "ScheduledPayment",
    "Script",
    "ServerUnavailable",
    "Session",
    "SessionIdle",
    "Site",
    "Statement",
    "StatementEntry",
    "Summary",
    "UndoAttempt",
    "User",
    "VoidRequest",
]
