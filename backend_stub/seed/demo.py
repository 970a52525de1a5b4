"""The demo people of the contract's demo table: Dana, Lee, Sam and the clerk."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import inspect

from backend_stub.billing.dates import due_date
from backend_stub.billing.fees import CONVENIENCE, StandingTerms
from backend_stub.seed.builder import CONVENIENCE_FEE_CENTS, Item, Seeder, at
from backend_stub.store.tables import (
    accounts,
    invoices,
    line_items,
    payment_methods,
    sites,
)


def build_demo(s: Seeder) -> None:
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
            at(paid_on),
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
        at(date(2026, 11, 12), 10, 30),
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
    # Lee accepted the card's convenience fee on each payment when he turned autopay on. (A database of an
    # older schema, as the migration tests seed, has no such column: migration 0015 gives the same terms.)
    if "autopay_fee_terms" in {c["name"] for c in inspect(s.conn).get_columns("accounts")}:
        terms = StandingTerms(CONVENIENCE, amount_cents=CONVENIENCE_FEE_CENTS)
        s.conn.execute(
            accounts.update()
            .where(accounts.c.id == lee_acct)
            .values(autopay_fee_terms=json.dumps(terms.as_dict()))
        )
    for offset in range(12):  # Nov 2025 .. Oct 2026
        issued = date(2025 + (10 + offset) // 12, (10 + offset) % 12 + 1, 1)
        invoice_id, amount = s.invoice(lee_acct, issued, s.utility_items(issued, 0.8), paid=True)
        s.card_payment(
            lee_acct,
            invoice_id,
            amount,
            at(due_date(issued), 6, 0),
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


def _multi_site(s: Seeder, account_id: int) -> None:
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
