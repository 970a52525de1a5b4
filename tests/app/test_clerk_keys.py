"""The key counts of benchmarks/clerk_keys.py, asserted exactly: a phone card payment of the whole
balance from the search to the receipt, the wrap-up after it, and New call."""

from __future__ import annotations

from benchmarks.clerk_keys import TARGETS, count_clerk_keys
from tests.app.conftest import api_get
from tests.conftest import login

PAYMENT_KEYS = [
    "enter",  # search: the one match opens the identity check
    "enter",  # Identity confirmed
    "p",  # Pay, from the customer 360
    "enter",  # step 1: the balance preselected
    "enter",  # after the ZIP: to the review (the card fields moved on by themselves)
    "enter",  # Customer agreed: pays
]
WRAP_UP_KEYS = ["f4", "ctrl+s"]  # from the receipt: the note focused and "Paid" chosen; save
NEW_CALL_KEYS = ["ctrl+n"]


async def test_a_phone_card_payment_of_the_balance_takes_six_keys_and_the_call_ends_in_three(
    pay_server,
) -> None:
    clerk = login(pay_server.base_url, "clerk@example.com")
    (dana,) = api_get(pay_server, clerk, "/v1/clerk/accounts", email="dana@example.com")["items"]
    before = api_get(pay_server, clerk, f"/v1/accounts/{dana['id']}/summary")

    counts = await count_clerk_keys(pay_server.base_url, clerk)

    assert counts.payment == PAYMENT_KEYS and len(counts.payment) <= TARGETS["payment"]
    assert counts.wrap_up == WRAP_UP_KEYS and len(counts.wrap_up) <= TARGETS["wrap_up"]
    assert counts.new_call == NEW_CALL_KEYS and len(counts.new_call) <= TARGETS["new_call"]
    after = api_get(pay_server, clerk, f"/v1/accounts/{dana['id']}/summary")
    assert after["balance_due_cents"] == 0 and before["balance_due_cents"] > 0  # the whole balance
    (payment,) = api_get(pay_server, clerk, f"/v1/accounts/{dana['id']}/payments", limit=1)["items"]
    assert payment["channel"] == "phone" and payment["total_cents"] == counts.paid_cents
    (note,) = api_get(pay_server, clerk, f"/v1/accounts/{dana['id']}/notes")["items"]
    assert note["disposition"] == "paid"
