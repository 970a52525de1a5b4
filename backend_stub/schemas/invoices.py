"""Invoices (rows, details, line items, payments applied) and the statement."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from backend_stub.schemas.base import Model, UtcDateTime

# -- invoices -------------------------------------------------------------------------------------
InvoiceStatus = Literal["open", "in_progress", "paid"]


class Site(Model):
    id: int
    name: str
    address: str


class InvoiceRow(Model):
    id: int
    number: str
    issued_on: date
    due_on: date
    amount_cents: int
    balance_cents: int
    status: InvoiceStatus
    past_due: bool
    site: Site | None
    parent_id: int | None
    children_count: int


class InvoicePage(Model):
    items: list[InvoiceRow]
    next_cursor: str | None
    total_count: int


class LineItem(Model):
    description: str
    quantity: int
    unit_cents: int
    amount_cents: int


class AppliedPayment(Model):
    payment_id: int
    confirmation_number: str
    status: Literal["succeeded", "pending", "failed", "returned", "voided", "refunded", "partially_refunded"]
    amount_cents: int
    method_label: str
    created_at: UtcDateTime


class InvoiceDetail(InvoiceRow):
    account_id: int
    line_items: list[LineItem]
    children: list[InvoiceRow]
    payments: list[AppliedPayment]


# -- statement ------------------------------------------------------------------------------------
class StatementEntry(Model):
    date: date
    kind: Literal["invoice", "fee", "payment", "ach_return", "void", "refund"]
    description: str
    reference: str
    amount_cents: int
    balance_cents: int


class StatementPage(Model):
    account_id: int
    account_number: str
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    opening_balance_cents: int
    closing_balance_cents: int
    items: list[StatementEntry]
    next_cursor: str | None
    total_count: int
