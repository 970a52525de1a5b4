"""Deterministic seeds: `demo` (the contract's demo table) and `large` (demo plus 10,000 invoices).

A seed fills an empty database only: seeding a database that already has accounts does nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, func, insert, select

from backend_stub import clock
from backend_stub.billing.dates import add_business_days, due_date
from backend_stub.billing.status import pay_state
from backend_stub.store.tables import (
    accounts,
    allocations,
    invoices,
    line_items,
    payment_methods,
    payment_parts,
    payments,
    sites,
    user_accounts,
    users,
)

DEMO_TODAY = date(2026, 11, 15)
SEEDS = ("demo", "large", "none")
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
class _Seeder:
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
            [
                _line_item_row(invoice_id, position, item)
                for position, item in enumerate(items)
            ],
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


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(accounts)).scalar_one() == 0 and (
        conn.execute(select(func.count()).select_from(users)).scalar_one() == 0
    )


def seed(conn: Connection, which: str) -> bool:
    """Fill an empty database with the `which` seed; returns False (and does nothing) otherwise."""
    if which not in SEEDS:
        raise ValueError(f"unknown seed {which!r}: choose one of {', '.join(SEEDS)}")
    if which == "none" or not is_empty(conn):
        return False
    seeder = _Seeder(conn, random.Random(20261115))
    clock.set_today(conn, DEMO_TODAY)
    _demo(seeder)
    if which == "large":
        _large(seeder)
    return True


def _at(day: date, hour: int = 14, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute))


def _demo(s: _Seeder) -> None:
    # Dana: open, past due, in progress, paid, an unsent draft and a multi-site bill.
    dana = s.user("dana@example.com", "Dana Whitfield")
    dana_acct = s.account(
        dana,
        "4100012345",
        "Dana",
        "Whitfield",
        "dana@example.com",
        phone="+1 541-555-0142",
        service_address="1427 Juniper Ridge Rd, Eugene, OR 97405",
    )
    for month in range(3, 9):  # six paid bills, Mar to Aug, each paid by card a few days before due
        issued = date(2026, month, 1)
        invoice_id, amount = s.invoice(dana_acct, issued, s.utility_items(issued), paid=True)
        paid_on = due_date(issued) - timedelta(days=s.rng.randint(2, 6))
        s.card_payment(
            dana_acct,
            invoice_id,
            amount,
            _at(paid_on),
            brand="mastercard",
            last4="4444",
            channel="online",
            created_by=dana,
        )
    s.invoice(dana_acct, date(2026, 9, 1), s.utility_items(date(2026, 9, 1)))  # open, past due
    in_progress_id, in_progress_amount = s.invoice(
        dana_acct, date(2026, 10, 1), s.utility_items(date(2026, 10, 1)), pending=True
    )
    s.ach_payment(
        dana_acct,
        in_progress_id,
        in_progress_amount,
        _at(date(2026, 11, 12), 10, 30),
        dana,
        bank="Cascade Community Bank",
        last4="6789",
    )
    s.invoice(dana_acct, date(2026, 11, 1), s.utility_items(date(2026, 11, 1)))  # open, due 11-22
    s.invoice(  # open one-off charge, due 11-30
        dana_acct,
        date(2026, 11, 9),
        [Item("Meter replacement, 5/8 in. radio-read meter", 1, 18_500), Item("Service call", 1, 4_500)],
    )
    s.invoice(
        dana_acct, date(2026, 11, 14), s.utility_items(date(2026, 11, 14)), state="unsent"
    )  # never shown
    _multi_site(s, dana_acct)

    # Lee: autopay with a saved Visa 4242, paperless, 12 paid by autopay, 2 open.
    lee = s.user("lee@example.com", "Lee Okafor")
    lee_acct = s.account(
        lee,
        "4100067890",
        "Lee",
        "Okafor",
        "lee@example.com",
        phone="+1 503-555-0178",
        service_address="88 Alder Court, Portland, OR 97214",
        paperless=True,
        sms_opt_in=True,
    )
    visa = s._insert(
        payment_methods,
        account_id=lee_acct,
        type="card",
        brand="visa",
        last4="4242",
        exp_month=8,
        exp_year=2029,
        bank_name=None,
        processor_token="tok_demo_visa_4242",
        is_default=True,
        created_at=datetime(2025, 10, 20, 18, 12),
    )
    s.conn.execute(
        accounts.update()
        .where(accounts.c.id == lee_acct)
        .values(autopay_enabled=True, autopay_method_id=visa)
    )
    for offset in range(12):  # Nov 2025 .. Oct 2026
        issued = date(2025 + (10 + offset) // 12, (10 + offset) % 12 + 1, 1)
        invoice_id, amount = s.invoice(lee_acct, issued, s.utility_items(issued, 0.8), paid=True)
        s.card_payment(
            lee_acct,
            invoice_id,
            amount,
            _at(due_date(issued), 6, 0),
            brand="visa",
            last4="4242",
            channel="autopay",
            created_by=None,
        )
    s.invoice(lee_acct, date(2026, 11, 1), s.utility_items(date(2026, 11, 1), 0.8))
    s.invoice(lee_acct, date(2026, 11, 10), [Item("Backflow assembly annual test", 1, 7_500)])

    # Sam: a new account with nothing billed yet. Casey: a clerk.
    sam = s.user("sam@example.com", "Sam Reyes")
    s.account(
        sam,
        "4100099999",
        "Sam",
        "Reyes",
        "sam@example.com",
        phone=None,
        service_address="510 Willamette St, Apt 3, Eugene, OR 97401",
    )
    s.user("clerk@example.com", "Casey Clerk", role="clerk")


def _multi_site(s: _Seeder, account_id: int) -> None:
    """One open bill for three sites: a parent whose money is the sum of one child per site."""
    issued = date(2026, 11, 5)
    site_rows = [
        ("Main house", "1427 Juniper Ridge Rd, Eugene, OR 97405"),
        ("Barn and irrigation", "1427B Juniper Ridge Rd, Eugene, OR 97405"),
        ("Rental cottage", "22 Alder Ct, Eugene, OR 97405"),
    ]
    parent_id, _ = s.invoice(account_id, issued, [])
    total = 0
    summary: list[Item] = []
    for position, (name, address) in enumerate(site_rows):
        site_id = s._insert(sites, account_id=account_id, name=name, address=address)
        child_items = s.utility_items(issued, scale=(1.0, 2.2, 0.6)[position])
        _, amount = s.invoice(account_id, issued, child_items, parent_id=parent_id, site_id=site_id)
        total += amount
        summary.append(Item(f"{name}, {address}", 1, amount))
    s.conn.execute(
        line_items.insert(),
        [
            {
                "invoice_id": parent_id,
                "description": item.description,
                "quantity": 1,
                "unit_cents": item.unit_cents,
                "amount_cents": item.amount_cents,
                "position": position,
            }
            for position, item in enumerate(summary)
        ],
    )
    s.conn.execute(
        invoices.update()
        .where(invoices.c.id == parent_id)
        .values(amount_cents=total, balance_cents=total, pay_state="open", children_count=len(site_rows))
    )


LARGE_COUNT = 10_000
LARGE_DAYS = 1_096  # 36 months
CHUNK = 2_000


def _large(s: _Seeder) -> None:
    """big@example.com: 10,000 invoices over 36 months, several a day, a few dozen still open."""
    big = s.user("big@example.com", "Bailey Volume")
    account_id = s.account(
        big,
        "4100055555",
        "Bailey",
        "Volume",
        "big@example.com",
        phone="+1 541-555-0199",
        service_address="1 Industrial Park Way, Springfield, OR 97477",
    )
    start = DEMO_TODAY - timedelta(days=LARGE_DAYS - 1)
    rng = s.rng
    for chunk_start in range(0, LARGE_COUNT, CHUNK):
        rows, items_per_row = [], []
        for i in range(chunk_start, min(chunk_start + CHUNK, LARGE_COUNT)):
            issued = start + timedelta(days=i * LARGE_DAYS // LARGE_COUNT)
            used = rng.randint(20, 400)
            items = [
                Item(f"Water usage {used} kgal, meter {i % 37 + 1}", used, 412),
                Item("Service charge", 1, 1_850),
            ]
            amount = sum(item.amount_cents for item in items)
            is_open = (DEMO_TODAY - issued).days < 45 and i % 7 == 0
            balance = amount if is_open else 0
            s.invoice_seq += 1
            rows.append(
                {
                    "account_id": account_id,
                    "number": f"INV-{issued.year}-{s.invoice_seq:05d}",
                    "issued_on": issued,
                    "due_on": due_date(issued),
                    "amount_cents": amount,
                    "balance_cents": balance,
                    "pending_cents": 0,
                    "state": "sent",
                    "pay_state": pay_state(balance, 0),
                    "parent_id": None,
                    "site_id": None,
                    "children_count": 0,
                }
            )
            items_per_row.append(items)
        ids = (
            s.conn.execute(insert(invoices).returning(invoices.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        s.conn.execute(
            line_items.insert(),
            [
                _line_item_row(invoice_id, position, item)
                for invoice_id, items in zip(ids, items_per_row, strict=True)
                for position, item in enumerate(items)
            ],
        )


def _line_item_row(invoice_id: int, position: int, item: Item) -> dict[str, object]:
    """One `line_items` row, shared by the demo seed and the bulk `large` seed."""
    return {
        "invoice_id": invoice_id,
        "description": item.description,
        "quantity": item.quantity,
        "unit_cents": item.unit_cents,
        "amount_cents": item.amount_cents,
        "position": position,
    }
