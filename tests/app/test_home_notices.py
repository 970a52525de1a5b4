"""Home says in words what happened to the customer's money without them asking (a returned bank payment
here), from the account's notices, until the customer marks it seen."""

from __future__ import annotations

import uuid

import httpx

from tests.api.paying import ach, body, invoices_target
from tests.app.conftest import api_get, make_app, on_home, screen_text, wait_for, wait_for_text
from tests.conftest import login
from tui.widgets.notice_banner import NoticeBanner

RETURNED_R01 = "000222222227"  # the processor's test bank account returned for insufficient funds


def _returned_bank_payment(server, token: str) -> tuple[dict, dict]:
    """Dana pays her oldest open single invoice from the R01 account; the clock passes its settlement."""
    (account,) = api_get(server, token, "/v1/me")["accounts"]
    invoices = api_get(server, token, f"/v1/accounts/{account['id']}/invoices", status="open")["items"]
    invoice = min((i for i in invoices if i["children_count"] == 0), key=lambda i: (i["due_on"], i["id"]))
    payment = body(invoices_target(invoice["id"]), ach(RETURNED_R01)) | {"accepted_fees_cents": 0}
    r = httpx.post(
        f"{server.base_url}/v1/accounts/{account['id']}/payments",
        json=payment,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    assert httpx.post(f"{server.base_url}/v1/dev/clock", json={"advance_days": 10}).status_code == 200
    return account, r.json()


async def test_a_returned_bank_payment_is_said_on_home_until_seen(pay_server) -> None:
    dana = login(pay_server.base_url, "dana@example.com")
    account, paid = _returned_bank_payment(pay_server, dana)
    (notice,) = api_get(pay_server, dana, f"/v1/accounts/{account['id']}/notices")["items"]
    app = make_app(pay_server.base_url, dana)
    async with app.run_test(size=(100, 36)) as pilot:
        await on_home(pilot)
        await wait_for_text(pilot, paid["confirmation_number"])
        banner = app.screen.query_one(NoticeBanner)
        lines = (line.strip().lstrip("█").strip() for line in screen_text(app).splitlines())
        words = " ".join(" ".join(lines).split())
        assert notice["message"] in words and "n: got it" in words  # the server's words, whole
        assert app.screen.check_action("dismiss_notice", ()) is True
        await pilot.press("n")
        await wait_for(pilot, lambda: banner.first is None, "the notice dismissed")
        assert paid["confirmation_number"] not in screen_text(app) and "got it" not in screen_text(app)
        assert app.screen.check_action("dismiss_notice", ()) is False
    (after,) = api_get(pay_server, dana, f"/v1/accounts/{account['id']}/notices")["items"]
    assert after == {**notice, "seen": True}
    # Seen, it does not come back on the next start.
    app = make_app(pay_server.base_url, dana)
    async with app.run_test(size=(100, 36)) as pilot:
        await on_home(pilot)
        assert "insufficient funds" not in screen_text(app)
