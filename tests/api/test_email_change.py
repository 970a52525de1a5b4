"""Issue 10, finding 1: a billing email change is verified by a code sent to the new address, so an
unverified address can never become a way in (sign-up, reset, code or password login), for a customer's
change and a clerk's alike. Over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import Api, assert_error
from tests.api.identity import CLERK, expire, verify
from tests.api.mailbox import email_change_code, outbox

DANA, LEE = "dana@example.com", "lee@example.com"
DANA_NUMBER, LEE_NUMBER = "4100012345", "4100067890"
EVE, ATTACKER = "eve@example.net", "attacker@example.org"
PASSWORD = "Blue-Heron-42"


def _kinds(api: Api, to: str) -> list[str]:
    return [item["kind"] for item in outbox(api.base_url, to)]


def _mail(api: Api, to: str, kind: str) -> list[dict]:
    return [item for item in outbox(api.base_url, to) if item["kind"] == kind]


def _audit(api: Api, account_id: int, action: str) -> list[dict]:
    items = api.ok("/v1/dev/audit", params={"account_id": account_id, "limit": 200})["items"]
    return [e for e in items if e["action"] == action]


def _user_id(api: Api, email: str) -> int:
    return api.ok("/v1/me", email)["user"]["id"]


def _confirm(api: Api, account_id: int, code: object, as_: str) -> httpx.Response:
    return api.post(f"/v1/accounts/{account_id}/email/confirm", as_, json={"code": code})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _no_way_in(api: Api, email: str, account_number: str) -> None:
    """Nothing binds to an unconfirmed address: sign-up, reset, code and password login all give
    nothing, and not one link or code lands in its mailbox."""
    before = _kinds(api, email)
    assert api.post("/v1/auth/signup", json={"email": email}).status_code == 202
    r = api.post("/v1/auth/password/forgot", json={"account_number": account_number, "email": email})
    assert r.status_code == 202
    assert api.post("/v1/auth/code", json={"email": email}).status_code == 202
    after = _kinds(api, email)
    assert after == before, after  # no signup, password_reset or login_code mail
    r = api.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert_error(r, 401, "authentication", "invalid_credentials")
    r = api.post("/v1/auth/code/verify", json={"email": email, "code": "000000"})
    assert r.status_code == 401, r.text


def test_the_customer_takeover_path_is_refused_at_each_step(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": "Eve@Example.net", "paperless": True})
    assert r.status_code == 202, r.text
    body = r.json()
    # The other field changes at once; the email waits for its code.
    assert (body["email"], body["pending_email"], body["paperless"]) == (DANA, EVE, True)
    assert fresh.ok(f"/v1/accounts/{dana}", DANA) == body
    # The old address is told at the request, naming the new one; the code goes to the new one only.
    [told] = _mail(fresh, DANA, "email_change_requested")
    assert EVE in told["body"] and DANA_NUMBER in told["body"] and "not you" in told["body"]
    assert _mail(fresh, DANA, "email_change_code") == []
    code = email_change_code(fresh.base_url, EVE)
    assert code not in told["body"]
    # The unconfirmed address learns nothing that opens the account (a guest lookup needs number and name).
    [sent] = _mail(fresh, EVE, "email_change_code")
    assert DANA_NUMBER not in sent["body"] and "Whitfield" not in sent["body"]
    _no_way_in(fresh, EVE, DANA_NUMBER)
    # Still nobody's billing email: a clerk's search by it finds nothing.
    found = fresh.ok("/v1/clerk/accounts", CLERK, params={"email": EVE})
    assert found["total_count"] == 0
    [asked] = _audit(fresh, dana, "account.email_change_requested")
    assert asked["actor_user_id"] == _user_id(fresh, DANA)
    assert asked["detail"]["email"] == {"old": DANA, "new": EVE}

    r = _confirm(fresh, dana, code, DANA)
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["pending_email"]) == (EVE, None)
    assert fresh.ok(f"/v1/accounts/{dana}", DANA) == r.json()
    [changed] = _mail(fresh, DANA, "email_changed")
    assert EVE in changed["body"] and "not you" in changed["body"]
    [done] = _audit(fresh, dana, "account.email_change_confirmed")
    assert done["actor_user_id"] == _user_id(fresh, DANA)
    assert done["detail"]["email"] == {"old": DANA, "new": EVE}
    # The code worked once.
    assert_error(_confirm(fresh, dana, code, DANA), 409, "conflict", "no_pending_email", "code")
    # Confirmed, the address is verified: now (and only now) it may sign up for the account.
    assert fresh.post("/v1/auth/signup", json={"email": EVE}).status_code == 202
    assert _kinds(fresh, EVE).count("signup") == 1


def test_the_clerk_takeover_path_is_refused_at_each_step(fresh: Api) -> None:
    lee = fresh.account_id(LEE)
    # No identity check: no change asked, no mail to anyone.
    r = fresh.patch(f"/v1/accounts/{lee}", CLERK, json={"email": ATTACKER})
    assert_error(r, 403, "permission", "identity_check_required")
    assert outbox(fresh.base_url, ATTACKER) == [] and _mail(fresh, LEE, "email_change_requested") == []
    assert fresh.ok(f"/v1/accounts/{lee}", LEE)["pending_email"] is None

    check = verify(fresh, lee)
    r = fresh.patch(f"/v1/accounts/{lee}", CLERK, json={"email": ATTACKER})
    assert r.status_code == 202, r.text
    assert (r.json()["email"], r.json()["pending_email"]) == (LEE, ATTACKER)
    assert fresh.ok(f"/v1/accounts/{lee}", LEE)["email"] == LEE  # the customer sees it waiting too
    assert fresh.ok(f"/v1/accounts/{lee}", LEE)["pending_email"] == ATTACKER
    [told] = _mail(fresh, LEE, "email_change_requested")
    assert ATTACKER in told["body"]
    _no_way_in(fresh, ATTACKER, LEE_NUMBER)
    [asked] = _audit(fresh, lee, "account.email_change_requested")
    assert asked["actor_user_id"] == _user_id(fresh, CLERK)
    assert asked["detail"]["email"] == {"old": LEE, "new": ATTACKER}

    # The code the customer reads out, typed by a clerk whose check has run out: refused, not counted.
    code = email_change_code(fresh.base_url, ATTACKER)
    expire(fresh.server.db_url, check["id"])
    assert_error(_confirm(fresh, lee, code, CLERK), 403, "permission", "identity_check_required")
    assert fresh.ok(f"/v1/accounts/{lee}", LEE)["email"] == LEE
    verify(fresh, lee)
    r = _confirm(fresh, lee, code, CLERK)
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["pending_email"]) == (ATTACKER, None)
    assert _mail(fresh, LEE, "email_changed") != []
    [done] = _audit(fresh, lee, "account.email_change_confirmed")
    assert done["actor_user_id"] == _user_id(fresh, CLERK)
    assert done["detail"]["email"] == {"old": LEE, "new": ATTACKER}


def test_five_wrong_codes_kill_the_change(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    code = email_change_code(fresh.base_url, EVE)
    for _ in range(4):
        error = assert_error(_confirm(fresh, dana, _wrong(code), DANA), 400, "invalid_request", "wrong_code")
        assert error["param"] == "code" and EVE in error["message"]
    assert_error(_confirm(fresh, dana, _wrong(code), DANA), 429, "rate_limited", "code_dead", "code")
    # Dead: even the right code is refused, and nothing is pending any more.
    assert_error(_confirm(fresh, dana, code, DANA), 429, "rate_limited", "code_dead", "code")
    account = fresh.ok(f"/v1/accounts/{dana}", DANA)
    assert (account["email"], account["pending_email"]) == (DANA, None)
    assert len(_audit(fresh, dana, "account.email_change_wrong_code")) == 4
    assert len(_audit(fresh, dana, "account.email_change_dead")) == 1
    # A new request is a new code, and it works.
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    r = _confirm(fresh, dana, email_change_code(fresh.base_url, EVE), DANA)
    assert r.status_code == 200 and r.json()["email"] == EVE


def _expire_changes(db_url: str) -> None:
    """Move every change's expiry into the past, in the server's database (no waiting 30 minutes)."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE email_changes SET expires_at = :past"), {"past": datetime(2000, 1, 1)})
    finally:
        engine.dispose()


def test_an_expired_code_no_longer_works(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    assert_error(_confirm(fresh, dana, "123456", DANA), 409, "conflict", "no_pending_email", "code")
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    code = email_change_code(fresh.base_url, EVE)
    _expire_changes(fresh.server.db_url)
    assert fresh.ok(f"/v1/accounts/{dana}", DANA)["pending_email"] is None
    assert_error(_confirm(fresh, dana, code, DANA), 400, "invalid_request", "code_expired", "code")
    assert fresh.ok(f"/v1/accounts/{dana}", DANA)["email"] == DANA


def test_a_new_request_supersedes_the_old_code(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": "first@example.net"}).status_code == 202
    first = email_change_code(fresh.base_url, "first@example.net")
    # Another address replaces the pending one.
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE})
    assert r.status_code == 202 and r.json()["pending_email"] == EVE
    old = email_change_code(fresh.base_url, EVE)
    # The same address again is a resend: a new code, the old one dead.
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE})
    assert r.status_code == 202 and r.json()["pending_email"] == EVE
    assert _kinds(fresh, EVE).count("email_change_code") == 2
    new = email_change_code(fresh.base_url, EVE)
    for stale in {first, old} - {new}:  # (a repeat of the same 6 digits is one in a million)
        assert_error(_confirm(fresh, dana, stale, DANA), 400, "invalid_request", "wrong_code", "code")
    r = _confirm(fresh, dana, new, DANA)
    assert r.status_code == 200 and r.json()["email"] == EVE
    assert len(_mail(fresh, DANA, "email_change_requested")) == 3  # the old address told each time


def test_the_current_email_cancels_a_pending_change(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    code = email_change_code(fresh.base_url, EVE)
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": "DANA@example.com"})
    assert r.status_code == 200, r.text
    assert (r.json()["email"], r.json()["pending_email"]) == (DANA, None)
    assert_error(_confirm(fresh, dana, code, DANA), 409, "conflict", "no_pending_email", "code")
    assert len(_audit(fresh, dana, "account.email_change_cancelled")) == 1
    # A PATCH without an email leaves a pending change alone.
    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"paperless": True})
    assert r.status_code == 200 and r.json()["pending_email"] == EVE


def test_change_requests_are_throttled_per_account(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    for n in range(5):
        r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": f"new{n}@example.net"})
        assert r.status_code == 202, r.text
    before = fresh.ok(f"/v1/accounts/{dana}", DANA)
    r = fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": "sixth@example.net", "paperless": True})
    assert_error(r, 429, "rate_limited", "too_many_requests", "email")
    assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60
    # Refused whole: the other field is not changed, no code and no warning is sent.
    assert fresh.ok(f"/v1/accounts/{dana}", DANA) == before
    assert outbox(fresh.base_url, "sixth@example.net") == []
    assert len(_mail(fresh, DANA, "email_change_requested")) == 5
    # The last pending change still confirms.
    r = _confirm(fresh, dana, email_change_code(fresh.base_url, "new4@example.net"), DANA)
    assert r.status_code == 200 and r.json()["email"] == "new4@example.net"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 345", 123456, None, ""])
def test_a_malformed_code_is_400(demo: Api, code: object) -> None:
    dana = demo.account_id(DANA)
    assert_error(_confirm(demo, dana, code, DANA), 400, "invalid_request", "invalid_request", "code")


def test_another_account_is_404_and_a_guest_or_nobody_is_refused(demo: Api) -> None:
    lee = demo.account_id(LEE)
    for account_id in (lee, 987654):
        assert_error(_confirm(demo, account_id, "123456", DANA), 404, "not_found", "not_found", None)
    r = demo.http.post(f"/v1/accounts/{lee}/email/confirm", json={"code": "123456"})
    assert_error(r, 401, "authentication", "not_authenticated")


def test_racing_tries_are_each_counted_once_and_one_right_code_wins_once(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    token = fresh.token(DANA)

    def confirm(code: str) -> httpx.Response:
        with httpx.Client(base_url=fresh.base_url, timeout=30) as client:
            return client.post(
                f"/v1/accounts/{dana}/email/confirm",
                json={"code": code},
                headers={"Authorization": f"Bearer {token}"},
            )

    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    code = email_change_code(fresh.base_url, EVE)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(confirm, [_wrong(code)] * 8))
    codes = sorted(r.json()["error"]["code"] for r in answers)
    assert codes == ["code_dead"] * 4 + ["wrong_code"] * 4, codes

    assert fresh.patch(f"/v1/accounts/{dana}", DANA, json={"email": EVE}).status_code == 202
    code = email_change_code(fresh.base_url, EVE)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(confirm, [code] * 6))
    assert sorted(r.status_code for r in answers) == [200] + [409] * 5
    assert len(_mail(fresh, DANA, "email_changed")) == 1
    assert len(_audit(fresh, dana, "account.email_change_confirmed")) == 1
