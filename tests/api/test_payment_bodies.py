"""A payment's (and a quote's) body sent as `application/json` is validated without FastAPI's solver
(one_trip.BodyOneTripRoute); any other content type still goes through FastAPI's handler. Both must
answer every request alike: the same request sent both ways gets the same status and the same body (a
payment's own id and confirmation number aside), whether it pays, is refused by a rule, by validation,
by its JSON, by its path or by its caller."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.api.conftest import Api
from tests.api.paying import DANA, Payer, ach, body, card

FAST = "application/json"
FASTAPI = "application/json; charset=utf-8"  # not the fast path's one content type: FastAPI's handler
AMOUNT = {"type": "amount", "amount_cents": 1_00}


def _send(
    api: Api, path: str, content: bytes, content_type: str, token: str | None, key: str | None = "new"
) -> httpx.Response:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = uuid.uuid4().hex if key == "new" else key
    return api.http.post(path, content=content, headers=headers)


def _answer(response: httpx.Response) -> tuple[int, object]:
    try:
        answer = response.json()
    except ValueError:
        return response.status_code, response.text
    if response.status_code == 201:  # a new payment each time: what differs is its identity
        answer = {k: v for k, v in answer.items() if k not in ("id", "confirmation_number")}
        for part in answer.get("parts", []):
            part.pop("id", None)
        for allocation in answer.get("allocations", []):
            allocation.pop("part_id", None)
    return response.status_code, answer


def _paying(amount_cents: int = 1_00) -> dict:
    return {**body({"type": "amount", "amount_cents": amount_cents}, ach()), "accepted_fees_cents": 0}


CASES = {
    "pays": (json.dumps(_paying()).encode(), 201),
    "a rule refuses it (the receipt address)": (
        json.dumps({**_paying(), "receipt_email": "not-an-address"}).encode(),
        400,
    ),
    "stale fees": (json.dumps({**_paying(), "accepted_fees_cents": 99}).encode(), 409),
    "the model refuses it": (json.dumps(body(AMOUNT, {"type": "cash"})).encode(), 400),
    "a field of the wrong type": (json.dumps({**_paying(), "accepted_fees_cents": "zero"}).encode(), 400),
    "not JSON": (b"{not json", 400),
    "JSON but not an object": (b"[]", 400),
    "an empty body": (b"", 400),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_payment_answers_alike_on_the_fast_path_and_fastapis(fresh: Api, case: str) -> None:
    dana = Payer(fresh, DANA)
    content, status = CASES[case]
    path = f"/v1/accounts/{dana.account_id}/payments"
    token = fresh.token(DANA)
    fast = _answer(_send(fresh, path, content, FAST, token))
    slow = _answer(_send(fresh, path, content, FASTAPI, token))
    assert fast[0] == status, fast
    assert fast == slow


def test_the_caller_and_the_path_are_checked_first_on_both_paths(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    good, bad = json.dumps(_paying()).encode(), json.dumps(body(AMOUNT, {"type": "cash"})).encode()
    path = f"/v1/accounts/{dana.account_id}/payments"
    token = fresh.token(DANA)
    for content in (good, bad):
        for token_sent, where, status in (
            (None, path, 401),  # no caller: 401 before the body is looked at
            ("not-a-token", path, 401),
            (token, "/v1/accounts/0/payments", 404),  # no such account id
            # an id no account has: checked by the payment itself, so after the body's validation
            (token, "/v1/accounts/999999/payments", 404 if content == good else 400),
        ):
            fast = _answer(_send(fresh, where, content, FAST, token_sent))
            slow = _answer(_send(fresh, where, content, FASTAPI, token_sent))
            assert fast[0] == status and fast == slow, (where, token_sent, fast, slow)
    # The key: missing, and too long (a header the route checks itself).
    for key in (None, "k" * 300):
        fast = _answer(_send(fresh, path, good, FAST, token, key=key))
        slow = _answer(_send(fresh, path, good, FASTAPI, token, key=key))
        assert fast[0] == 400 and fast == slow


def test_a_replayed_key_answers_the_same_on_both_paths(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    path = f"/v1/accounts/{dana.account_id}/payments"
    token = fresh.token(DANA)
    key = uuid.uuid4().hex
    content = json.dumps(_paying(2_00)).encode()
    first = _send(fresh, path, content, FAST, token, key=key)
    again = _send(fresh, path, content, FASTAPI, token, key=key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()


def test_a_quote_answers_alike_on_both_paths(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    path = f"/v1/accounts/{dana.account_id}/payments/quote"
    token = fresh.token(DANA)
    for content in (
        json.dumps(body(AMOUNT, card())).encode(),
        json.dumps(body({"type": "nope"}, card())).encode(),
        b"{not json",
    ):
        fast = _answer(_send(fresh, path, content, FAST, token, key=None))
        slow = _answer(_send(fresh, path, content, FASTAPI, token, key=None))
        assert fast == slow
