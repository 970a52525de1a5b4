"""The words a clerk reads aloud, in the quote (`script`): none for a customer; for a clerk each card
part's amount and fee, each bank part's NACHA TEL authorization, the same words the backend emails in
writing for a phone bank payment."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.paying import CLERK, DANA, Payer, ach, body, card, invoices_target, outbox, singles

PHONE = {"kind": "phone", "script_version": "tel-2026-2"}


def test_a_customers_quote_has_no_script(demo: Api) -> None:
    dana = Payer(demo, DANA)
    quote = dana.quoted(body(invoices_target(singles(dana)[0]["id"]), card()))
    assert quote["script"] is None


def test_the_bank_words_read_aloud_are_the_words_emailed(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    clerk = Payer(fresh, CLERK, account_id=dana.account_id)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), ach()) | {"authorization": PHONE}
    script = clerk.quoted(payment)["script"]
    assert script["version"] == "tel-2026-2" and len(script["paragraphs"]) == 3
    words = "\n".join(script["paragraphs"])
    for said in ("November 15, 2026", "Dana Whitfield", "ending in 6789", "1-800-555-0142", "revoke"):
        assert said in words, said
    assert "single-entry debit" in words and "4100012345" in words
    paid = clerk.paid(payment)
    assert paid["status"] == "pending"
    [tel] = outbox(fresh, DANA, "ach_authorization")
    assert "\n\n".join(script["paragraphs"]) in tel["body"]  # word for word, in order
    assert paid["confirmation_number"] in tel["body"]


def test_a_card_part_names_the_amount_and_the_fee_that_is_not_refunded(demo: Api) -> None:
    dana = Payer(demo, DANA)
    clerk = Payer(demo, CLERK, account_id=dana.account_id)
    invoice = singles(dana)[0]
    quote = clerk.quoted(
        body(invoices_target(invoice["id"], amounts={invoice["id"]: 5000}), card()) | {"authorization": PHONE}
    )
    assert quote["script"]["paragraphs"] == [
        "You are paying $50.00 with your Visa card ending in 4242. A card convenience fee of $1.75 is "
        "added, for a total of $51.75. The fee is not refundable, even if the payment is refunded."
    ]


def test_a_split_payment_reads_both(demo: Api) -> None:
    dana = Payer(demo, DANA)
    clerk = Payer(demo, CLERK, account_id=dana.account_id)
    invoice = singles(dana)[0]
    payment = body(invoices_target(invoice["id"]), card(), ach(), amounts=[1000, None]) | {
        "authorization": PHONE
    }
    paragraphs = clerk.quoted(payment)["script"]["paragraphs"]
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("You are paying $10.00 with your Visa card ending in 4242.")
    assert paragraphs[1].startswith("Today, November 15, 2026, you, Dana Whitfield, authorize")
