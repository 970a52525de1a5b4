"""The pure words of the clerk console: what a clerk reads aloud (billing.scripts, the same paragraphs the
TEL email carries) and the notices (billing.notice_words); and the idle session's arithmetic."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backend_stub import session_idle
from backend_stub.billing.fees import Fee
from backend_stub.billing.notice_words import (
    autopay_failed,
    autopay_skipped,
    bank_payment_returned,
    scheduled_payment_failed,
    scheduled_payment_skipped,
    short_date,
)
from backend_stub.billing.scripts import SCRIPT_VERSION, card_paragraph, spoken_date, tel_paragraphs
from backend_stub.receipts import BUSINESS_PHONE, COMPANY, tel_authorization

CONVENIENCE = Fee("convenience", 175, "Card convenience fee ($1.75, not refundable)", refundable=False)
SURCHARGE = Fee("surcharge", 300, "Credit card surcharge (3.00% of the card amount)", refundable=True)
TEL = {
    "customer_name": "Dana Whitfield",
    "account_number": "4100012345",
    "bank_last4": "6789",
    "amount_cents": 9170,
    "authorized_on": date(2026, 11, 15),
    "debit_on": date(2026, 11, 18),
}


def test_dates_in_words() -> None:
    assert spoken_date(date(2026, 11, 5)) == "November 5, 2026"
    assert short_date(date(2026, 11, 5)) == "Nov 5, 2026"


def test_a_card_part_with_a_fee_that_is_not_refunded() -> None:
    assert card_paragraph(brand="visa", last4="4242", amount_cents=9170, fees=[CONVENIENCE]) == (
        "You are paying $91.70 with your Visa card ending in 4242. A card convenience fee of $1.75 is "
        "added, for a total of $93.45. The fee is not refundable, even if the payment is refunded."
    )


def test_a_refundable_surcharge_and_no_fee() -> None:
    with_surcharge = card_paragraph(brand="mastercard", last4="4444", amount_cents=10000, fees=[SURCHARGE])
    assert "A credit card surcharge of $3.00 is added, for a total of $103.00." in with_surcharge
    assert with_surcharge.endswith("The surcharge is refunded with the payment if the payment is refunded.")
    assert card_paragraph(brand="visa", last4="5556", amount_cents=500, fees=[]) == (
        "You are paying $5.00 with your Visa card ending in 5556. No fee is added for this card."
    )


def test_the_tel_words_name_everything_nacha_asks_for() -> None:
    words = " ".join(
        tel_paragraphs(company=COMPANY, business_phone=BUSINESS_PHONE, bank_name="Paydesk Test Bank", **TEL)
    )
    for said in (
        "Today, November 15, 2026",  # the authorization's date
        "Dana Whitfield",
        "$91.70",
        "ending in 6789",
        "single-entry debit",
        "expected to settle on November 18, 2026",  # the date of the debit
        "revoke",
        BUSINESS_PHONE,
    ):
        assert said in words, said
    assert SCRIPT_VERSION == "tel-2026-2"


@given(
    name=st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=40),
    cents=st.integers(1, 10**9),
    days=st.integers(0, 30),
)
def test_the_tel_email_carries_the_words_read_aloud_word_for_word(name: str, cents: int, days: int) -> None:
    facts = {**TEL, "customer_name": name, "amount_cents": cents}
    facts["debit_on"] = facts["authorized_on"] + timedelta(days=days)
    read = tel_paragraphs(company=COMPANY, business_phone=BUSINESS_PHONE, bank_name="First Bank", **facts)
    _, body = tel_authorization(bank_label="First Bank", confirmation_number="PD-1", **facts)
    assert "\n\n".join(read) in body


def test_notice_words() -> None:
    returned = bank_payment_returned(
        confirmation_number="PD-7",
        amount_cents=9170,
        made_on=date(2026, 11, 12),
        return_code="R01",
        reason="insufficient funds",
        reopened=["2026-0042"],
    )
    assert returned == (
        "The bank payment PD-7 of $91.70 made on Nov 12, 2026 was returned by the bank: insufficient "
        "funds (R01). Invoice 2026-0042 is open again."
    )
    two = bank_payment_returned(
        confirmation_number="PD-8",
        amount_cents=100,
        made_on=date(2026, 11, 12),
        return_code="R02",
        reason="account closed",
        reopened=["A", "B"],
    )
    assert two.endswith("Invoices A and B are open again.")
    credit = bank_payment_returned(
        confirmation_number="PD-9",
        amount_cents=100,
        made_on=date(2026, 1, 2),
        return_code="R03",
        reason="x",
        reopened=[],
    )
    assert credit.endswith("The account credit it made was taken back.")
    assert autopay_failed(
        amount_cents=500, invoices=["A"], day=date(2026, 12, 6), why="The card was declined"
    ) == (
        "Autopay could not pay $5.00 for invoice A on Dec 6, 2026: The card was declined. "
        "Nothing was charged, and autopay is still on."
    )
    assert autopay_skipped(invoices=["A", "B", "C"], day=date(2026, 12, 6)).startswith(
        "Autopay did not run on Dec 6, 2026 for invoices A, B and C: nothing was left to pay."
    )
    assert scheduled_payment_failed(amount_cents=1234, pay_on=date(2026, 11, 16), why="Declined.") == (
        "The payment of $12.34 scheduled for Nov 16, 2026 did not go through: Declined. Nothing was charged."
    )
    assert "already paid" in scheduled_payment_skipped(amount_cents=1234, pay_on=date(2026, 11, 16))


def test_an_idle_session_is_never_cut_before_its_time() -> None:
    start = datetime(2026, 12, 2, 3, 0, 0)
    assert session_idle.touch_interval(900) == timedelta(seconds=5)
    assert session_idle.touch_interval(2) == timedelta(seconds=0.5)
    # The stored time trails the last request by less than one interval: idle only past idle + interval.
    assert not session_idle.is_idle(start, start + timedelta(seconds=905), 900)
    assert session_idle.is_idle(start, start + timedelta(seconds=905, microseconds=1), 900)
    assert not session_idle.touch_due(start, start + timedelta(seconds=4.9), 900)
    assert session_idle.touch_due(start, start + timedelta(seconds=5), 900)
    assert session_idle.is_background("1") and not session_idle.is_background(None)
    assert not session_idle.is_background("0")
