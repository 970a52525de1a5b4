"""Database rows to wire models. Statuses and past-due come from billing, never from here."""

from __future__ import annotations

from datetime import date

from sqlalchemy import RowMapping

from backend_stub import schemas
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.status import is_past_due


def invoice_row(row: RowMapping, today: date) -> schemas.InvoiceRow:
    return schemas.InvoiceRow(
        id=row["id"],
        number=row["number"],
        issued_on=row["issued_on"],
        due_on=row["due_on"],
        amount_cents=row["amount_cents"],
        balance_cents=row["balance_cents"],
        status=row["pay_state"],
        past_due=is_past_due(row["pay_state"], row["due_on"], today),
        site=(
            schemas.Site(id=row["site_id"], name=row["site_name"], address=row["site_address"])
            if row["site_id"] is not None
            else None
        ),
        parent_id=row["parent_id"],
        children_count=row["children_count"],
    )


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def account(row: RowMapping, method: RowMapping | None) -> schemas.Account:
    label = None
    if method is not None:
        label = method_label(method["type"], method["brand"], method["last4"], method["bank_name"])
    return schemas.Account(
        id=row["id"],
        account_number=row["account_number"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        name=full_name(row["first_name"], row["last_name"]),
        email=row["email"],
        phone=row["phone"],
        service_address=row["service_address"],
        paperless=row["paperless"],
        sms_opt_in=row["sms_opt_in"],
        autopay=schemas.Autopay(
            enabled=row["autopay_enabled"],
            payment_method_id=row["autopay_method_id"],
            method_label=label,
        ),
    )


def clerk_account(row: RowMapping) -> schemas.ClerkAccount:
    return schemas.ClerkAccount(
        id=row["id"],
        account_number=row["account_number"],
        name=full_name(row["first_name"], row["last_name"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        service_address=row["service_address"],
    )


def applied_payment(row: RowMapping, parts: list[RowMapping]) -> schemas.AppliedPayment:
    label = combined_label(
        method_label(part["method_type"], part["brand"], part["last4"], part["bank_name"]) for part in parts
    )
    return schemas.AppliedPayment(
        payment_id=row["payment_id"],
        confirmation_number=row["confirmation_number"],
        status=row["status"],
        amount_cents=row["amount_cents"],
        method_label=label or "Payment",
        created_at=row["created_at"],
    )
