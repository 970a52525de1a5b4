"""The Paydesk HTTP client and its models. Never imports textual; httpx is imported on first use."""

from tui.api.client import PaydeskClient
from tui.api.errors import ApiError, NotAuthenticated, ServerUnavailable
from tui.api.models import (
    Account,
    AccountMatch,
    AccountRef,
    AppliedPayment,
    Autopay,
    InvoiceDetail,
    InvoiceRow,
    LineItem,
    Me,
    OutboxEmail,
    Page,
    Session,
    Site,
    Summary,
    User,
)

__all__ = [
    "Account",
    "AccountMatch",
    "AccountRef",
    "ApiError",
    "AppliedPayment",
    "Autopay",
    "InvoiceDetail",
    "InvoiceRow",
    "LineItem",
    "Me",
    "NotAuthenticated",
    "OutboxEmail",
    "Page",
    "PaydeskClient",
    "ServerUnavailable",
    "Session",
    "Site",
    "Summary",
    "User",
]
