"""Notices: a returned bank payment, a failed autopay and a failed or skipped scheduled payment, said in
words on the account, once per event, driven through the dev clock as the due work really runs them.
The account's customer and clerks read them; `seen` is per notice; another account's is 404."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.conftest import Api, assert_error
from tests.api.paying import CLERK, DANA, LEE, Payer, ach, advance, body, card, invoices_target, singles


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def _short(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}, {day.year}"


def _notices(api: Api, account_id: int, as_: str = DANA, **params: object) -> dict:
    return api.ok(f"/v1/accounts/{account_id}/notices", as_, params=params)


def _saved_card(api: Api, payer: Payer) -> int:
    method = {k: v for k, v in card().items() if k != "save"}
    r = api.post(f"/v1/accounts/{payer.account_id}/payment-methods", payer.email, json=method)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_returned_bank_payment_makes_one_notice_in_words(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    invoice = singles(dana)[0]
    paid = dana.paid(body(invoices_target(invoice["id"]), ach("000222222227")))  # returned R01
    assert _notices(fresh, dana.account_id)["items"] == []
    advance(fresh, 10)
    page = _notices(fresh, dana.account_id)
    [notice] = [n for n in page["items"] if n["kind"] == "bank_payment_returned"]
    amount = invoice["balance_cents"]
    assert notice == {
        "id": notice["id"],
        "kind": "bank_payment_returned",
        "message": (
            f"The bank payment {paid['confirmation_number']} of {_dollars(amount)} made on Nov 15, 2026 "
            "was returned by the bank: insufficient funds (R01). "
            f"Invoice {invoice['number']} is open again."
        ),
        "created_on": paid["settles_on"],
        "seen": False,
    }
    advance(fresh, 30)  # the clock moving on writes nothing twice
    assert [n["id"] for n in _notices(fresh, dana.account_id)["items"]] == [notice["id"]]
    # A clerk reads the same list (audited); reading does not mark it seen.
    assert _notices(fresh, dana.account_id, CLERK)["items"] == [notice]
    audit = fresh.http.get("/v1/dev/audit", params={"account_id": dana.account_id}).json()["items"]
    assert audit[0]["action"] == "notices.list"
    # The customer marks it seen, again and again: the same answer.
    for _ in range(2):
        r = fresh.post(f"/v1/notices/{notice['id']}/seen", DANA)
        assert r.status_code == 200, r.text
        assert r.json() == {**notice, "seen": True}
    assert _notices(fresh, dana.account_id, CLERK)["items"][0]["seen"] is True
    # Another customer neither sees nor marks it; no such notice is the same 404.
    assert_error(fresh.get(f"/v1/accounts/{dana.account_id}/notices", LEE), 404, "not_found", "not_found")
    assert_error(fresh.post(f"/v1/notices/{notice['id']}/seen", LEE), 404, "not_found", "not_found")
    assert_error(fresh.post("/v1/notices/999999/seen", DANA), 404, "not_found", "not_found")
    assert_error(
        fresh.post(f"/v1/notices/{notice['id']}/seen", None), 401, "authentication", "not_authenticated"
    )
    r = fresh.post(f"/v1/notices/{notice['id']}/seen", CLERK)
    assert r.status_code == 200 and r.json()["seen"] is True


def test_a_failed_autopay_makes_one_notice(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first = sorted(lee.open_invoices(), key=lambda i: i["due_on"])[0]
    method_id = fresh.ok(f"/v1/accounts/{lee.account_id}", LEE)["autopay"]["payment_method_id"]
    r = fresh.http.post(
        f"/v1/dev/payment-methods/{method_id}/behaviour", json={"behaviour": "insufficient_funds"}
    )
    assert r.status_code == 200, r.text
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    advance(fresh, 1)
    failed = [n for n in _notices(fresh, lee.account_id, LEE)["items"] if n["kind"] == "autopay_failed"]
    assert len(failed) == 1
    [notice] = failed
    assert notice["created_on"] == first["due_on"] and notice["seen"] is False
    message = notice["message"]
    amount = first["balance_cents"]
    assert message.startswith(f"Autopay could not pay {_dollars(amount)} for invoice {first['number']} on ")
    assert message.endswith("Nothing was charged, and autopay is still on.")
    assert "insufficient" in message.lower()


def test_a_failed_and_a_skipped_scheduled_payment_each_make_one_notice(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    method_id = _saved_card(fresh, dana)
    due = sorted(singles(dana), key=lambda i: i["due_on"])
    declined, paid_first = [i for i in due if i["due_on"] >= "2026-11-16"][:2]

    def schedule(invoice: dict) -> dict:
        r = fresh.post(
            f"/v1/accounts/{dana.account_id}/scheduled-payments",
            DANA,
            json={
                "target": {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
                "method": {"type": "saved", "payment_method_id": method_id},
                "pay_on": "2026-11-16",
                "receipt_email": DANA,
                "accepted_fees_cents": 175,  # the card's convenience fee
            },
        )
        assert r.status_code == 201, r.text
        return r.json()

    schedule(declined)
    schedule(paid_first)
    dana.paid(body(invoices_target(paid_first["id"]), card()))  # nothing left for its scheduled run
    fresh.http.post(f"/v1/dev/payment-methods/{method_id}/behaviour", json={"behaviour": "generic_decline"})
    advance(fresh, 1)
    advance(fresh, 5)
    by_kind: dict[str, list[dict]] = {}
    for notice in _notices(fresh, dana.account_id)["items"]:
        by_kind.setdefault(notice["kind"], []).append(notice)
    [failed] = by_kind["scheduled_payment_failed"]
    [skipped] = by_kind["scheduled_payment_skipped"]
    amount = declined["balance_cents"]
    assert failed["message"].startswith(
        f"The payment of {_dollars(amount)} scheduled for Nov 16, 2026 did not go through: "
    )
    assert failed["message"].endswith("Nothing was charged.") and failed["created_on"] == "2026-11-16"
    assert "already paid" in skipped["message"] and "Nov 16, 2026" in skipped["message"]


def test_notices_page_newest_first(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    for invoice in singles(dana)[:3]:
        dana.paid(body(invoices_target(invoice["id"]), ach("000111111113")))  # returned R02
    advance(fresh, 10)
    first = _notices(fresh, dana.account_id, limit=2)
    assert first["total_count"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
    rest = _notices(fresh, dana.account_id, limit=2, cursor=first["next_cursor"])
    ids = [n["id"] for n in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and rest["next_cursor"] is None
    assert all("account closed (R02)" in n["message"] for n in first["items"] + rest["items"])


def test_an_autopay_that_cannot_run_makes_a_notice(fresh: Api) -> None:
    """Three card payments in the days before the due date: the card limit stops autopay's card payment
    before the processor is asked (a refused plan, not a decline)."""
    lee = Payer(fresh, LEE)
    first, second = sorted(lee.open_invoices(), key=lambda i: i["due_on"])
    day_before = date.fromisoformat(first["due_on"]) - timedelta(days=1)
    if day_before.isoformat() > "2026-11-15":
        fresh.http.post("/v1/dev/clock", json={"today": day_before.isoformat()})
    for _ in range(3):
        lee.paid(body(invoices_target(second["id"], amounts={second["id"]: 100}), card(), email=LEE))
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    [notice] = [n for n in _notices(fresh, lee.account_id, LEE)["items"] if n["kind"] == "autopay_failed"]
    assert notice["created_on"] == first["due_on"]
    assert notice["message"].startswith(
        f"Autopay could not pay {_dollars(first['balance_cents'])} for invoice"
    )
    assert lee.invoice(first["id"])["status"] == "open"


def test_an_autopay_with_nothing_left_to_pay_makes_a_skipped_notice(fresh: Api) -> None:
    lee = Payer(fresh, LEE)
    first = sorted(lee.open_invoices(), key=lambda i: i["due_on"])[0]
    lee.paid(body(invoices_target(first["id"]), card(), email=LEE))
    fresh.http.post("/v1/dev/clock", json={"today": first["due_on"]})
    advance(fresh, 1)
    kinds = [n["kind"] for n in _notices(fresh, lee.account_id, LEE)["items"]]
    assert kinds.count("autopay_skipped") == 1 and "autopay_failed" not in kinds
    [notice] = [n for n in _notices(fresh, lee.account_id, LEE)["items"] if n["kind"] == "autopay_skipped"]
    assert notice["message"] == (
        f"Autopay did not run on {_short(first['due_on'])} for invoice {first['number']}: nothing was left "
        "to pay. Nothing was charged."
    )


def test_who_may_read_notices(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    assert fresh.ok(f"/v1/accounts/{dana}/notices", CLERK)["total_count"] >= 0
    assert_error(fresh.get("/v1/accounts/999999/notices", CLERK), 404, "not_found", "not_found")
    assert_error(fresh.get(f"/v1/accounts/{dana}/notices", None), 401, "authentication", "not_authenticated")
    r = fresh.http.post("/v1/guest/lookup", json={"account_number": "4100012345", "last_name": "Whitfield"})
    assert r.status_code == 200, r.text
    guest = {"Authorization": f"Bearer {r.json()['token']}"}
    assert_error(
        fresh.http.get(f"/v1/accounts/{dana}/notices", headers=guest), 403, "permission", "guest_forbidden"
    )
    assert_error(fresh.http.post("/v1/notices/1/seen", headers=guest), 403, "permission", "guest_forbidden")
