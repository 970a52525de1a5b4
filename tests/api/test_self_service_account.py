"""PATCH /v1/accounts/{id}: paperless, SMS, phone, billing email and service address, over HTTP."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error
from tests.api.identity import verify

DANA, LEE, SAM, CLERK = "dana@example.com", "lee@example.com", "sam@example.com", "clerk@example.com"


def _audit(api: Api, account_id: int) -> list[dict]:
    return api.ok("/v1/dev/audit", params={"account_id": account_id, "limit": 200})["items"]


def test_customer_changes_settings_and_each_change_is_audited(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    before = fresh.ok(f"/v1/accounts/{dana}", DANA)
    assert before["phone"] == "+1 541-555-0142" and before["sms_opt_in"] is False
    r = fresh.patch(
        f"/v1/accounts/{dana}",
        DANA,
        json={
            "paperless": True,
            "sms_opt_in": True,
            "phone": "(503) 555.0199",
            "email": "Dana.W@Example.com",
            "service_address": "  12 Oak St, Eugene, OR 97401 ",
        },
    )
    # Issue 10: the other fields change at once; the new email waits for its code (test_email_change).
    assert r.status_code == 202, r.text
    after = r.json()
    assert after == fresh.ok(f"/v1/accounts/{dana}", DANA)
    assert (after["paperless"], after["sms_opt_in"], after["phone"]) == (True, True, "+1 503-555-0199")
    assert (after["email"], after["pending_email"]) == (DANA, "dana.w@example.com")
    assert after["service_address"] == "12 Oak St, Eugene, OR 97401"
    [entry] = [e for e in _audit(fresh, dana) if e["action"] == "account.update"]
    assert entry["actor_user_id"] == fresh.ok("/v1/me", DANA)["user"]["id"]
    assert entry["detail"]["phone"] == {"old": "+1 541-555-0142", "new": "+15035550199"}
    assert entry["detail"]["paperless"] == {"old": False, "new": True}
    assert set(entry["detail"]) == {"paperless", "sms_opt_in", "phone", "service_address"}
    [asked] = [e for e in _audit(fresh, dana) if e["action"] == "account.email_change_requested"]
    assert asked["detail"]["email"] == {"old": DANA, "new": "dana.w@example.com"}
    # Nothing changed: the account is answered and nothing more is audited.
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"paperless": True})
    assert r.status_code == 200 and r.json() == after
    assert len([e for e in _audit(fresh, dana) if e["action"] == "account.update"]) == 1
    # Removing the phone turns texts off too.
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"phone": None})
    assert r.status_code == 200 and (r.json()["phone"], r.json()["sms_opt_in"]) == (None, False)


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"phone": "555-0142"}, "invalid_phone", "phone"),
        ({"phone": "+44 20 7946 0958"}, "invalid_phone", "phone"),
        ({"phone": "(041) 555-0142"}, "invalid_phone", "phone"),
        ({"email": "not-an-email"}, "invalid_email", "email"),
        ({"email": None}, "invalid_email", "email"),
        ({"service_address": "   "}, "invalid_address", "service_address"),
        ({"service_address": "x" * 301}, "invalid_address", "service_address"),
        ({"service_address": "1 Main St\n2nd line"}, "invalid_address", "service_address"),
        ({"paperless": "yes"}, "invalid_request", "paperless"),
        ({"paperless": None}, "invalid_request", "paperless"),
        ({"sms_opt_in": 1}, "invalid_request", "sms_opt_in"),
        ({}, "empty_update", None),
        ({"nickname": "D"}, "empty_update", None),
        # A valid change beside a bad one changes nothing either.
        ({"paperless": True, "phone": "12"}, "invalid_phone", "phone"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(demo: Api, body: dict, code: str, param: str | None) -> None:
    dana = demo.account_id(DANA)
    before = demo.ok(f"/v1/accounts/{dana}", DANA)
    assert_error(demo.patch(f"/v1/accounts/{dana}", DANA, json=body), 400, "invalid_request", code, param)
    assert demo.ok(f"/v1/accounts/{dana}", DANA) == before


def test_sms_needs_a_phone(demo: Api) -> None:
    sam = demo.account_id(SAM)  # no phone on file
    before = demo.ok(f"/v1/accounts/{sam}", SAM)
    assert before["phone"] is None
    r = demo.patch(f"/v1/accounts/{sam}", SAM, json={"sms_opt_in": True})
    assert "phone" in assert_error(r, 400, "invalid_request", "phone_required", "sms_opt_in")["message"]
    r = demo.patch(f"/v1/accounts/{sam}", SAM, json={"sms_opt_in": True, "phone": None})
    assert_error(r, 400, "invalid_request", "phone_required", "sms_opt_in")
    assert demo.ok(f"/v1/accounts/{sam}", SAM) == before


def test_sms_with_a_phone_in_the_same_request(fresh: Api) -> None:
    sam = fresh.account_id(SAM)
    r = fresh.patch(f"/v1/accounts/{sam}", SAM, json={"sms_opt_in": True, "phone": "541 555 0100"})
    assert r.status_code == 200, r.text
    assert (r.json()["sms_opt_in"], r.json()["phone"]) == (True, "+1 541-555-0100")


def test_another_account_is_404_and_unchanged(demo: Api) -> None:
    lee = demo.account_id(LEE)
    before = demo.ok(f"/v1/accounts/{lee}", LEE)
    for account_id in (lee, 987654):
        r = demo.patch(f"/v1/accounts/{account_id}", DANA, json={"paperless": False})
        assert_error(r, 404, "not_found", "not_found", None)
    assert_error(
        demo.patch(f"/v1/accounts/{lee}", json={"paperless": False}),
        401,
        "authentication",
        "not_authenticated",
    )
    assert demo.ok(f"/v1/accounts/{lee}", LEE) == before


def test_a_clerk_changes_any_account_and_is_audited(fresh: Api) -> None:
    lee = fresh.account_id(LEE)
    verify(fresh, lee)  # a clerk changes an account only after checking the caller
    r = fresh.patch(f"/v1/accounts/{lee}", CLERK, json={"paperless": False})
    assert r.status_code == 200 and r.json()["paperless"] is False
    entry = next(e for e in _audit(fresh, lee) if e["action"] == "account.update")
    assert entry["actor_user_id"] == fresh.ok("/v1/me", CLERK)["user"]["id"]
    assert entry["detail"] == {"paperless": {"old": True, "new": False}}
    assert fresh.ok(f"/v1/accounts/{lee}", LEE)["paperless"] is False
