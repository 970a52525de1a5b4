"""Contact us: POST /v1/accounts/{id}/messages stores the message, emails the business and the customer."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error

DANA, LEE, CLERK = "dana@example.com", "lee@example.com", "clerk@example.com"
SUPPORT = "support@paydesk.example"


def _outbox(api: Api, to: str) -> list[dict]:
    return api.ok("/v1/dev/outbox", params={"to": to, "limit": 200})["items"]


def test_a_message_is_stored_and_emailed_both_ways(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    r = fresh.post(
        f"/v1/accounts/{dana}/messages",
        DANA,
        json={"subject": "  Meter reading ", "body": "My meter reads 1234.\nPlease check."},
    )
    assert r.status_code == 201, r.text
    message = r.json()
    assert message["subject"] == "Meter reading" and message["body"] == "My meter reads 1234.\nPlease check."
    assert message["account_id"] == dana and message["business_phone"] == "1-800-555-0142"
    assert message["created_by"] == fresh.ok("/v1/me", DANA)["user"]["id"] and message["message"]
    [to_business] = _outbox(fresh, SUPPORT)
    assert to_business["kind"] == "contact" and to_business["subject"] == "[4100012345] Meter reading"
    assert "My meter reads 1234." in to_business["body"] and DANA in to_business["body"]
    [ack] = [m for m in _outbox(fresh, DANA) if m["kind"] == "contact_ack"]
    assert "Meter reading" in ack["subject"] and "1-800-555-0142" in ack["body"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"subject": "", "body": "x"}, "subject"),
        ({"subject": "   ", "body": "x"}, "subject"),
        ({"subject": "x" * 201, "body": "x"}, "subject"),
        ({"subject": "a\nb", "body": "x"}, "subject"),
        ({"subject": "Hi", "body": ""}, "body"),
        ({"subject": "Hi", "body": " \n "}, "body"),
        ({"subject": "Hi", "body": "x" * 5001}, "body"),
        ({"subject": "Hi"}, "body"),
        ({"subject": 5, "body": "x"}, "subject"),
    ],
)
def test_bad_messages_are_400_and_send_nothing(demo: Api, body: dict, param: str) -> None:
    dana = demo.account_id(DANA)
    before = len(_outbox(demo, SUPPORT))
    r = demo.post(f"/v1/accounts/{dana}/messages", DANA, json=body)
    assert_error(r, 400, "invalid_request", "invalid_request", param)
    assert len(_outbox(demo, SUPPORT)) == before


def test_another_account_is_404(demo: Api) -> None:
    before = len(_outbox(demo, SUPPORT))
    for account_id in (demo.account_id(LEE), 987654):
        r = demo.post(f"/v1/accounts/{account_id}/messages", DANA, json={"subject": "Hi", "body": "x"})
        assert_error(r, 404, "not_found", "not_found")
    assert_error(
        demo.post(f"/v1/accounts/{account_id}/messages", json={"subject": "Hi", "body": "x"}),
        401,
        "authentication",
        "not_authenticated",
    )
    assert len(_outbox(demo, SUPPORT)) == before
