"""The words a clerk reads aloud for a quoted payment (the quote's `script`): each card part's amount and
fee, each bank part's NACHA TEL authorization, in the parts' order. The TEL words are the ones the backend
emails for the payment (receipts.tel_authorization, from the same facts: the settlement date a payment
made today gets, the bank's name or "Bank account")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import RowMapping

from backend_stub import views
from backend_stub.billing.dates import ACH_SETTLEMENT_BUSINESS_DAYS, add_business_days
from backend_stub.billing.quote import Quote
from backend_stub.billing.scripts import SCRIPT_VERSION, card_paragraph, tel_paragraphs
from backend_stub.receipts import BUSINESS_PHONE, COMPANY


def script_for(result: Quote, account: RowMapping, today: date) -> dict:
    """{"version", "paragraphs"} for a clerk's quote on `account`, made `today`."""
    name = views.full_name(account["first_name"], account["last_name"])
    settles_on = add_business_days(today, ACH_SETTLEMENT_BUSINESS_DAYS)
    paragraphs: list[str] = []
    for part in result.parts:
        method = part.method
        if method.type == "ach":
            paragraphs += tel_paragraphs(
                company=COMPANY,
                business_phone=BUSINESS_PHONE,
                customer_name=name,
                account_number=account["account_number"],
                bank_name=method.bank_name or "Bank account",
                bank_last4=method.last4,
                amount_cents=part.amount_cents,
                authorized_on=today,
                debit_on=settles_on,
            )
        else:
            paragraphs.append(
                card_paragraph(
                    brand=method.brand, last4=method.last4, amount_cents=part.amount_cents, fees=part.fees
                )
            )
    return {"version": SCRIPT_VERSION, "paragraphs": paragraphs}
