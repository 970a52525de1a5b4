"""The Paydesk HTTP client and its models. Never imports textual; httpx is imported on first use.

Names load lazily (PEP 562): `from tui.api import ApiError` must not pay for pydantic and the models,
so the first screen draws sooner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_ERRORS = {"ApiError", "NotAuthenticated", "ServerUnavailable"}


def __getattr__(name: str) -> Any:
    if name == "PaydeskClient":
        module = "tui.api.client"
    elif name in _ERRORS:
        module = "tui.api.errors"
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
