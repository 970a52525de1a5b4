"""Database rows to wire models. Statuses and past-due come from billing, never from here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from pydantic import TypeAdapter
from sqlalchemy import RowMapping
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from backend_stub import schemas
from backend_stub.billing.fees import FeePolicy, StandingTerms, standing_terms
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.parts import credits
from backend_stub.billing.status import is_past_due
from backend_stub.contact_info import display_phone
from backend_stub.schemas.undo import Actor, Refund


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


class _SiteJson(TypedDict):
    id: int
    name: str
    address: str


class _InvoiceRowJson(TypedDict):  # schemas.InvoiceRow's fields, in its order (tests/unit/test_views.py)
    id: int
    number: str
    issued_on: date
    due_on: date
    amount_cents: int
    balance_cents: int
    status: str
    past_due: bool
    site: _SiteJson | None
    parent_id: int | None
    children_count: int


class _InvoicePageJson(TypedDict):  # schemas.InvoicePage's
    items: list[_InvoiceRowJson]
    next_cursor: str | None
    total_count: int


_INVOICE_PAGE = TypeAdapter(_InvoicePageJson)


def invoice_page_json(rows: Sequence[RowMapping], today: date, next_cursor: str | None, total: int) -> bytes:
    """A page of `schemas.InvoicePage` as JSON, the same bytes, without a model per row: 50 row models
    cost more than the page's query. Serialising dicts does not validate them; the rows come from the
    database as `invoice_row` reads them."""
    items = [
        {
            "id": row["id"],
            "number": row["number"],
            "issued_on": row["issued_on"],
            "due_on": row["due_on"],
            "amount_cents": row["amount_cents"],
            "balance_cents": row["balance_cents"],
            "status": row["pay_state"],
            "past_due": is_past_due(row["pay_state"], row["due_on"], today),
            "site": (
                {"id": row["site_id"], "name": row["site_name"], "address": row["site_address"]}
                if row["site_id"] is not None
                else None
            ),
            "parent_id": row["parent_id"],
            "children_count": row["children_count"],
        }
        for row in rows
    ]
    page = {"items": items, "next_cursor": next_cursor, "total_count": total}
    return _INVOICE_PAGE.dump_json(page)  # type: ignore[arg-type]


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def account(
    row: RowMapping,
    method: RowMapping | None,
    next_run: tuple[date | None, int | None] = (None, None),
    pending_email: str | None = None,
) -> schemas.Account:
    """`next_run`: when autopay pays next and how much (only shown while autopay is on); `pending_email`:
    the new billing email waiting for its code."""
    label = None
    if method is not None:
        label = method_label(method["type"], method["brand"], method["last4"], method["bank_name"])
    enabled = row["autopay_enabled"]
    failure = None
    if row.get("autopay_failed_on") is not None:
        failure = schemas.AutopayFailure(on=row["autopay_failed_on"], message=row["autopay_failure"] or "")
    return schemas.Account(
        id=row["id"],
        account_number=row["account_number"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        name=full_name(row["first_name"], row["last_name"]),
        email=row["email"],
        pending_email=pending_email,
        phone=display_phone(row["phone"]),
        service_address=row["service_address"],
        paperless=row["paperless"],
        sms_opt_in=row["sms_opt_in"],
        autopay=schemas.Autopay(
            enabled=row["autopay_enabled"],
            payment_method_id=row["autopay_method_id"],
            method_label=label,
            next_run_on=next_run[0] if enabled else None,
            next_amount_cents=next_run[1] if enabled else None,
            last_failure=failure,
            fee_terms=_fee_terms(row.get("autopay_fee_terms")) if enabled else None,
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


# -- payments -------------------------------------------------------------------------------------
def _method_out(type_: str, brand: str | None, last4: str, bank: str | None, funding: str | None) -> dict:
    return {"type": type_, "brand": brand, "last4": last4, "bank_name": bank, "funding": funding}


def refund(row: RowMapping) -> Refund:
    by = row["created_by"]
    return Refund(
        id=row["id"],
        payment_id=row["payment_id"],
        amount_cents=row["amount_cents"],
        reason=row["reason"],
        created_by=Actor(id=by, name=row["created_by_name"] or "") if by is not None else None,
        created_at=row["created_at"],
    )


def payment(
    row: RowMapping,
    parts: list[RowMapping],
    allocations: list[RowMapping],
    refunds: Sequence[RowMapping] = (),
) -> schemas.Payment:
    """A stored payment as the wire shows it (parts' fees as charged; allocations on leaf invoices; its
    refunds, oldest first)."""
    part_index = {p["id"]: index for index, p in enumerate(parts)}
    part_credits = credits(
        [p["method_type"] for p in parts],
        [p["amount_cents"] for p in parts],
        row["amount_cents"] - row["credit_cents"],
    )
    return schemas.Payment(
        id=row["id"],
        account_id=row["account_id"],
        confirmation_number=row["confirmation_number"],
        status=row["status"],
        amount_cents=row["amount_cents"],
        credit_cents=row["credit_cents"],
        fees_cents=row["fees_cents"],
        total_cents=row["total_cents"],
        parts=[
            schemas.PaymentPart(
                amount_cents=p["amount_cents"],
                fee_cents=p["fee_cents"],
                fees=_fees(p),
                method=schemas.MethodOut(
                    **_method_out(p["method_type"], p["brand"], p["last4"], p["bank_name"], p["funding"])
                ),
                status=p["status"],
                credit_cents=credit,
            )
            for p, credit in zip(parts, part_credits, strict=True)
        ],
        allocations=[
            schemas.AllocationOut(
                invoice_id=a["invoice_id"],
                number=a["number"],
                amount_cents=a["amount_cents"],
                part_index=part_index.get(a["part_id"], 0),
            )
            for a in allocations
        ],
        channel=row["channel"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        created_on=row["created_at"].date(),
        settles_on=row["settles_on"],
        return_code=row["return_code"],
        receipt_email=row["receipt_email"],
        refunded_cents=row["refunded_cents"],
        refunds=[refund(r) for r in refunds],
        voided_at=row["voided_at"],
        void_reason=row["void_reason"],
    )


def _fees(part: RowMapping) -> list[schemas.FeeOut]:
    import json

    if part["fees"]:
        return [schemas.FeeOut(**fee) for fee in json.loads(part["fees"])]
    if part["fee_cents"]:  # rows from before 0002 (the demo seed): a card's convenience fee
        return [
            schemas.FeeOut(
                kind="convenience",
                amount_cents=part["fee_cents"],
                description="Card convenience fee (not refundable)",
                refundable=False,
            )
        ]
    return []


def _fee_terms(stored: str | None) -> schemas.FeeTerms | None:
    if not stored:
        return None
    return schemas.FeeTerms(**StandingTerms.from_dict(json.loads(stored)).as_dict())


def payment_method(row: RowMapping, policy: FeePolicy) -> schemas.PaymentMethod:
    """A saved method, with the fee autopay would take with it under `policy`."""
    terms = standing_terms(row["type"], row["funding"], policy)
    return schemas.PaymentMethod(
        id=row["id"],
        account_id=row["account_id"],
        type=row["type"],
        brand=row["brand"],
        last4=row["last4"],
        exp_month=row["exp_month"],
        exp_year=row["exp_year"],
        bank_name=row["bank_name"],
        funding=row["funding"],
        account_type=row["account_type"],
        is_default=row["is_default"],
        label=method_label(row["type"], row["brand"], row["last4"], row["bank_name"]),
        created_at=row["created_at"],
        autopay_fee=schemas.FeeTerms(**terms.as_dict()) if terms else None,
    )
