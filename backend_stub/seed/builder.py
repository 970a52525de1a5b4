"""The seed builder: inserts people, accounts, invoices, payments and methods with the ids and
numbers a deterministic seed needs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection

from backend_stub.billing.dates import add_business_days, due_date
from backend_stub.billing.status import pay_state
from backend_stub.store.tables import (
    accounts,
    allocations,
    invoices,
    line_items,
    payment_parts,
    payments,
    user_accounts,
    users,
)

DEMO_TODAY = date(2026, 11, 15)
CONVENIENCE_FEE_CENTS = 175
CONFIRMATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Item:
    description: str
    quantity: int
    unit_cents: int

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_cents


@dataclass
class Seeder:
    conn: Connection
    rng: random.Random
    invoice_seq: int = 120
    confirmations: set[str] = field(default_factory=set)
    meter: int = 48_210

    # -- people and accounts -------------------------------------------------------------------
    def user(self, email: str, name: str, role: str = "customer") -> int:
        return self._insert(users, email=email, name=name, role=role, created_at=datetime(2024, 1, 2, 9, 0))

    def account(self, user_id: int | None, number: str, first: str, last: str, email: str, **extra) -> int:
        account_id = self._insert(
            accounts,
            account_number=number,
            first_name=first,
            last_name=last,
            email=email,
            phone=extra.pop("phone", None),
            service_address=extra.pop("service_address"),
            paperless=extra.pop("paperless", False),
            sms_opt_in=extra.pop("sms_opt_in", False),
            autopay_enabled=False,
            autopay_method_id=None,
            credit_cents=0,
        )
        if user_id is not None:
            self.conn.execute(user_accounts.insert().values(user_id=user_id, account_id=account_id))
        return account_id

    # -- invoices --------------------------------------------------------------------------------
    def utility_items(self, issued_on: date, scale: float = 1.0) -> list[Item]:
        """A monthly water/sewer/trash bill with a meter reading, in plausible amounts."""
        used = max(1, round(self.rng.randint(3, 11) * scale))
        start = self.meter
        self.meter += used
        period = (issued_on.replace(day=1) - timedelta(days=1)).strftime("%b %Y")
        return [
            Item(f"Water service charge, {period}", 1, 1_850),
            Item(f"Water usage {used} kgal (meter {start:,} to {self.meter:,})", used, 412),
            Item(f"Sewer {used} kgal", used, 538),
            Item("Trash and recycling, 64 gal cart", 1, 2_875),
            Item("Stormwater fee", 1, 645),
        ]

    def invoice(
        self,
        account_id: int,
        issued_on: date,
        items: Sequence[Item],
        *,
        state: str = "sent",
        paid: bool = False,
        pending: bool = False,
        parent_id: int | None = None,
        site_id: int | None = None,
        due_on: date | None = None,
    ) -> tuple[int, int]:
        """Insert an invoice with its line items; returns (id, amount_cents)."""
        amount = sum(item.amount_cents for item in items)
        balance = 0 if paid or pending else amount
        pending_cents = amount if pending else 0
        invoice_id = self._insert(
            invoices,
            account_id=account_id,
            number=self.next_number(issued_on),
            issued_on=issued_on,
            due_on=due_on or due_date(issued_on),
            amount_cents=amount,
            balance_cents=balance,
            pending_cents=pending_cents,
            state=state,
            pay_state=pay_state(balance, pending_cents),
            parent_id=parent_id,
            site_id=site_id,
            children_count=0,
        )
        if not items:
            return invoice_id, amount
        self.conn.execute(
            line_items.insert(),
            [line_item_row(invoice_id, position, item) for position, item in enumerate(items)],
        )
        return invoice_id, amount

    def next_number(self, issued_on: date) -> str:
        self.invoice_seq += 1
        return f"INV-{issued_on.year}-{self.invoice_seq:05d}"

    # -- payments --------------------------------------------------------------------------------
    def confirmation(self) -> str:
        while True:
            code = "PD-" + "".join(self.rng.choice(CONFIRMATION_ALPHABET) for _ in range(8))
            if code not in self.confirmations:
                self.confirmations.add(code)
                return code

    def card_payment(
        self,
        account_id: int,
        invoice_id: int,
        amount: int,
        at: datetime,
        *,
        brand: str,
        last4: str,
        channel: str,
        created_by: int | None,
    ) -> int:
        payment_id = self._insert(
            payments,
            account_id=account_id,
            confirmation_number=self.confirmation(),
            status="succeeded",
            amount_cents=amount,
            fees_cents=CONVENIENCE_FEE_CENTS,
            total_cents=amount + CONVENIENCE_FEE_CENTS,
            credit_cents=0,
            channel=channel,
            created_by=created_by,
            created_at=at,
            settles_on=at.date(),
            return_code=None,
        )
        self._insert(
            payment_parts,
            payment_id=payment_id,
            method_type="card",
            brand=brand,
            last4=last4,
            bank_name=None,
            amount_cents=amount,
            fee_cents=CONVENIENCE_FEE_CENTS,
            processor_token=f"tok_demo_{payment_id:04d}",
            status="succeeded",
        )
        self._insert(allocations, payment_id=payment_id, invoice_id=invoice_id, amount_cents=amount)
        return payment_id

    def ach_payment(
        self,
        account_id: int,
        invoice_id: int,
        amount: int,
        at: datetime,
        created_by: int,
        bank: str,
        last4: str,
    ) -> int:
        payment_id = self._insert(
            payments,
            account_id=account_id,
            confirmation_number=self.confirmation(),
            status="pending",
            amount_cents=amount,
            fees_cents=0,
            total_cents=amount,
            credit_cents=0,
            channel="online",
            created_by=created_by,
            created_at=at,
            settles_on=add_business_days(at.date(), 3),
            return_code=None,
        )
        self._insert(
            payment_parts,
            payment_id=payment_id,
            method_type="ach",
            brand=None,
            last4=last4,
            bank_name=bank,
            amount_cents=amount,
            fee_cents=0,
            processor_token=f"tok_ach_demo_{last4}",
            status="pending",
        )
        self._insert(allocations, payment_id=payment_id, invoice_id=invoice_id, amount_cents=amount)
        return payment_id

    def _insert(self, table, **values) -> int:  # type: ignore[no-untyped-def]
        return int(self.conn.execute(table.insert().values(**values)).inserted_primary_key[0])


def at(day: date, hour: int = 14, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute))


def line_item_row(invoice_id: int, position: int, item: Item) -> dict[str, object]:
    """One `line_items` row, shared by the demo seed and the bulk `large` seed."""
    return {
        "invoice_id": invoice_id,
        "description": item.description,
        "quantity": item.quantity,
        "unit_cents": item.unit_cents,
        "amount_cents": item.amount_cents,
        "position": position,
    }
