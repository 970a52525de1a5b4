"""Login codes: sending, verifying, limits, expiry, and logout."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, assert_error
from tests.conftest import latest_code
from tests.support.stub import serve_stub

SENT = {"status": "sent", "message": "If that email has an account, a code is on its way."}


def _request(api: Api, email: str) -> httpx.Response:
    return api.post("/v1/auth/code", json={"email": email})


def _verify(api: Api, email: str, code: str) -> httpx.Response:
    return api.post("/v1/auth/code/verify", json={"email": email, "code": code})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.subprocess_server  # reads the server's log
def test_code_login_gives_a_token_for_12_hours(fresh: Api) -> None:
    response = _request(fresh, "Dana@Example.com")  # emails are case-insensitive
    assert response.status_code == 202 and response.json() == SENT
    mail = fresh.ok("/v1/dev/outbox", params={"to": "dana@example.com"})["items"][0]
    assert mail["kind"] == "login_code" and mail["to"] == "dana@example.com"
    code = latest_code(fresh.base_url, "dana@example.com")
    assert code not in mail["subject"]
    response = _verify(fresh, "dana@example.com", code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"] == {
        "id": body["user"]["id"],
        "email": "dana@example.com",
        "name": "Dana Whitfield",
        "role": "customer",
    }
    assert len(body["token"]) >= 40 and body["expires_at"].endswith("Z")
    me = fresh.http.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["user"] == body["user"]
    # A used code cannot be used again.
    assert_error(_verify(fresh, "dana@example.com", code), 401, "authentication", "invalid_code", "code")
    # The code never reaches the server log.
    assert code not in fresh.server.log_text()
    # The mail is logged as queued, by its kind, never by its address.
    assert "mail queued: #" in fresh.server.log_text()
    assert "dana@example.com" not in fresh.server.log_text()


def test_five_wrong_codes_kill_the_code_and_a_new_one_works(fresh: Api) -> None:
    email = "lee@example.com"
    assert _request(fresh, email).status_code == 202
    code = latest_code(fresh.base_url, email)
    for _ in range(4):
        assert_error(_verify(fresh, email, _wrong(code)), 401, "authentication", "invalid_code", "code")
    assert_error(_verify(fresh, email, _wrong(code)), 429, "rate_limited", "code_dead", "code")
    # Dead for good, even with the right code.
    assert_error(_verify(fresh, email, code), 429, "rate_limited", "code_dead", "code")
    assert_error(_verify(fresh, email, _wrong(code)), 429, "rate_limited", "code_dead", "code")
    # A new request gives a new live code.
    assert _request(fresh, email).status_code == 202
    assert _verify(fresh, email, latest_code(fresh.base_url, email)).status_code == 200


def test_a_new_code_supersedes_the_older_one(fresh: Api) -> None:
    email = "sam@example.com"
    _request(fresh, email)
    first = latest_code(fresh.base_url, email)
    _request(fresh, email)
    second = latest_code(fresh.base_url, email)
    if first != second:
        assert_error(_verify(fresh, email, first), 401, "authentication", "invalid_code")
    assert _verify(fresh, email, second).status_code == 200


def test_rate_limit_is_the_same_for_known_and_unknown_emails(fresh: Api) -> None:
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers: dict[str, list[httpx.Response]] = {}
    for email in ("dana@example.com", unknown):
        answers[email] = [_request(fresh, email) for _ in range(6)]
    for email, responses in answers.items():
        assert [r.status_code for r in responses] == [202] * 5 + [429], email
        assert all(r.json() == SENT for r in responses[:5])
        error = assert_error(responses[5], 429, "rate_limited", "too_many_requests", "email")
        assert 1 <= int(responses[5].headers["Retry-After"]) <= 15 * 60, error
    known, other = answers["dana@example.com"][5], answers[unknown][5]
    assert known.json() == other.json()
    assert (
        known.headers["Retry-After"] == other.headers["Retry-After"]
        or abs(int(known.headers["Retry-After"]) - int(other.headers["Retry-After"])) <= 1
    )
    # Only the known address got mail: five codes.
    assert fresh.ok("/v1/dev/outbox", params={"to": "dana@example.com"})["total_count"] == 5
    assert fresh.ok("/v1/dev/outbox", params={"to": unknown})["total_count"] == 0


def test_unknown_email_gets_202_and_no_mail_and_cannot_verify(demo: Api) -> None:
    email = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    response = _request(demo, email)
    assert response.status_code == 202 and response.json() == SENT
    assert demo.ok("/v1/dev/outbox", params={"to": email}) == {
        "items": [],
        "next_cursor": None,
        "total_count": 0,
    }
    assert_error(_verify(demo, email, "123456"), 401, "authentication", "invalid_code", "code")


@pytest.mark.parametrize("code", ["", "1234567890123456789012345678901234"])
def test_verify_rejects_malformed_input_with_400(demo: Api, code: str) -> None:
    assert_error(_verify(demo, "dana@example.com", code), 400, "invalid_request", "invalid_request", "code")


def test_logout_revokes_the_token(fresh: Api) -> None:
    token = fresh.token("dana@example.com")
    auth = {"Authorization": f"Bearer {token}"}
    assert fresh.http.get("/v1/me", headers=auth).status_code == 200
    response = fresh.http.post("/v1/auth/logout", headers=auth)
    assert response.status_code == 204 and response.content == b""
    assert_error(fresh.http.get("/v1/me", headers=auth), 401, "authentication", "not_authenticated")
    assert_error(fresh.http.post("/v1/auth/logout", headers=auth), 401, "authentication", "not_authenticated")


def test_codes_expire(tmp_path: Path) -> None:
    """PAYDESK_CODE_TTL_SECONDS shortens the 10-minute life of a code so expiry is testable."""
    with serve_stub(
        f"sqlite:///{tmp_path / 'ttl.db'}", tmp_path, extra_env={"PAYDESK_CODE_TTL_SECONDS": "1"}
    ) as s:
        httpx.post(f"{s.base_url}/v1/auth/code", json={"email": "dana@example.com"}).raise_for_status()
        code = latest_code(s.base_url, "dana@example.com")
        time.sleep(1.3)
        response = httpx.post(
            f"{s.base_url}/v1/auth/code/verify", json={"email": "dana@example.com", "code": code}
        )
        assert_error(response, 401, "authentication", "code_expired", "code")
