"""The rules no schema can state, by the `code` of the error each answers, for the operations that apply
them (routes/common.py `errors(..., rules=...)` writes them into the document: the answer's description
and its `x-error-codes`). A schema-valid request may be refused by these, and by nothing else that is
not about who asks (401, 403), what exists (404), the state of things (409) or how often (429)."""

from __future__ import annotations

from backend_stub.routes.common import Rules

CURSOR: Rules = {400: {"invalid_cursor": "a `cursor` this server did not give out for this list"}}

INSTRUMENTS: Rules = {
    400: {
        "invalid_card_number": "a card number is 12 to 19 digits that pass the Luhn check",
        "invalid_expiry": "the expiry month is 1 to 12, the year four digits, and the card not expired",
        "invalid_cvc": "the security code is 3 digits (4 on American Express)",
        "invalid_routing_number": "a routing number is 9 digits that pass the ABA checksum",
        "invalid_account_number": "a bank account number is 4 to 17 digits",
    },
    402: {"card_declined": "the processor declined the card (`decline_code` says why)"},
}

# What a payment checks (a quote lists the same as `problems` and answers 200).
PAYMENT: Rules = {
    400: {
        **INSTRUMENTS[400],
        "invalid_amount": "an amount is above $0.00 and at most $100,000.00",
        "too_many_invoices": "1 to 200 invoices",
        "duplicate_invoice": "each invoice once",
        "amount_above_balance": "an invoice's amount is at most its balance",
        "invalid_parts": "1 to 5 parts, at most one without an amount, one kind of method",
        "parts_mismatch": "the parts' amounts add up to the payment's",
        "card_amount_limit": "a card part is at most the card maximum ($1,000.00 by default)",
        "authorization_required": "a clerk's phone payment names the script read and the recording",
        "authorization_invalid": "a customer's payment is authorised `online`, a clerk's by `phone`",
        "invalid_email": "`receipt_email` is an email address",
    },
    402: {
        **INSTRUMENTS[402],
        "card_payment_limit": "an account makes at most 3 card payments in 5 days",
    },
}

SCHEDULE: Rules = {
    400: {
        **{code: PAYMENT[400][code] for code in ("invalid_amount", "too_many_invoices", "duplicate_invoice")},
        "amount_above_balance": PAYMENT[400]["amount_above_balance"],
        "invalid_email": PAYMENT[400]["invalid_email"],
        "date_in_past": "`pay_on` is today or later (the backend's today)",
        "date_after_due": "`pay_on` is on or before the due date of every invoice it pays",
        "method_required": "the scheduled payment has a saved method",
    }
}
SCHEDULE_CHANGE: Rules = {
    400: {**SCHEDULE[400], "invalid_amount": "only a payment of an amount changes its amount, above $0.00"}
}

STATEMENT: Rules = {
    400: {
        **CURSOR[400],
        "invalid_range": "`from` is on or before `to`",
        "range_too_old": "a statement goes back at most 36 months",
    }
}

EMAIL_CONFIRM: Rules = {
    400: {
        "code_format": "a code is 6 digits",
        "wrong_code": "the code emailed to the new address",
        "code_expired": "a code is good for 30 minutes",
    }
}

ACCOUNT_UPDATE: Rules = {
    400: {
        "empty_update": "at least one of the fields is sent",
        "invalid_phone": "a US phone number of 10 digits (area code and exchange not starting 0 or 1)",
        "invalid_address": "the service address, trimmed, is 1 to 300 characters",
        "phone_required": "text messages need a phone number",
    }
}

AUTOPAY: Rules = {400: {"method_required": "autopay turned on names the saved method it uses"}}

REFUND: Rules = {400: {"refund_too_large": "at most what the payment paid, less earlier refunds and fees"}}

PASSWORD_SET: Rules = {
    400: {
        "invalid_token": "a token this server gave out in a link",
        "token_expired": "a link is good for an hour",
        "token_used": "a link is used once",
        "weak_password": "at least 10 characters, not a common password",
    }
}

SEARCH: Rules = {
    400: {
        **CURSOR[400],
        "invalid_search": "`account_number` and `last_name` together, or `email` alone",
    }
}

CLOCK: Rules = {
    400: {
        "exactly_one_of": "exactly one of `advance_days` and `today`",
        "clock_backwards": "the clock only moves forward",
        "clock_overflow": "the clock stops at the year 9999",
    }
}
