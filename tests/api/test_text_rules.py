"""The text rule (backend_stub/schemas/base.py): every free-text field of every request body, and every
free-text query parameter, refuses NUL and the other control characters with a 400 that names the field,
on SQLite and PostgreSQL alike; newline and tab are allowed only in the multi-line fields (a Contact-us
message, a note). Nothing is stored.

The table below names each field with a request that would otherwise get past validation; a walk over the
served OpenAPI document proves the table leaves no string field out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_stub.schemas.base import (
    EMAIL_PATTERN,
    MULTILINE_TEXT,
    MULTILINE_TEXT_NOT_BLANK,
    PLAIN_TEXT,
    PLAIN_TEXT_NOT_BLANK,
)
from tests.api.conftest import Api, assert_error

CLERK, DANA = "clerk@example.com", "dana@example.com"
RULES = {PLAIN_TEXT, PLAIN_TEXT_NOT_BLANK, MULTILINE_TEXT, MULTILINE_TEXT_NOT_BLANK, EMAIL_PATTERN}
DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
BAD = ["\x00", "\x07"]  # NUL (PostgreSQL refuses it in text) and BEL (no text holds one)
LINE_BREAKS = ["\n", "\t", "\r"]  # not in a one-line field (and \r in none)

CARD = {"type": "card", "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
CARD |= {"name": "Dana Whitfield", "postal_code": "97201"}
BANK = {"type": "ach", "routing_number": "110000000", "account_number": "000123456789"}
BANK |= {"account_type": "checking", "holder_name": "Dana Whitfield"}
PAY = {
    "target": {"type": "balance"},
    "parts": [{"method": CARD}],
    "accepted_fees_cents": 175,
    "receipt_email": "dana@example.com",
    "authorization": {"kind": "online", "script_version": "v1", "recording_ref": "r1"},
}


def _card(**fields: str) -> dict:
    return PAY | {"parts": [{"method": CARD | fields}]}


def _bank(**fields: str) -> dict:
    return PAY | {"parts": [{"method": BANK | fields}], "accepted_fees_cents": 0}


def _auth(**fields: str) -> dict:
    return PAY | {"authorization": PAY["authorization"] | fields}


# (operationId, field, one line?, who, method, path (with {dana}), how to send a bad value)
Send = Callable[[str], dict]
FIELDS: list[tuple[str, str, bool, str | None, str, str, Send]] = [
    (
        "updateAccount",
        "email",
        True,
        DANA,
        "PATCH",
        "/v1/accounts/{dana}",
        lambda v: {"json": {"email": f"a{v}@b.co"}},
    ),
    ("updateAccount", "phone", True, DANA, "PATCH", "/v1/accounts/{dana}", lambda v: {"json": {"phone": v}}),
    (
        "updateAccount",
        "service_address",
        True,
        DANA,
        "PATCH",
        "/v1/accounts/{dana}",
        lambda v: {"json": {"service_address": f"1 Main St{v}"}},
    ),
    (
        "sendMessage",
        "subject",
        True,
        DANA,
        "POST",
        "/v1/accounts/{dana}/messages",
        lambda v: {"json": {"subject": f"Hi{v}", "body": "Hello"}},
    ),
    (
        "sendMessage",
        "body",
        False,
        DANA,
        "POST",
        "/v1/accounts/{dana}/messages",
        lambda v: {"json": {"subject": "Hi", "body": f"Hello{v}there"}},
    ),
    (
        "createNote",
        "body",
        False,
        CLERK,
        "POST",
        "/v1/accounts/{dana}/notes",
        lambda v: {"json": {"body": f"Called{v}back", "disposition": "other"}},
    ),
    *[
        (
            "addPaymentMethod",
            field,
            True,
            DANA,
            "POST",
            "/v1/accounts/{dana}/payment-methods",
            lambda v, f=field: {"json": CARD | {f: f"{CARD[f]}{v}"}},
        )
        for field in ("number", "cvc", "name", "postal_code")
    ],
    *[
        (
            "addPaymentMethod",
            field,
            True,
            DANA,
            "POST",
            "/v1/accounts/{dana}/payment-methods",
            lambda v, f=field: {"json": BANK | {f: f"{BANK[f]}{v}"}},
        )
        for field in ("routing_number", "account_number", "holder_name")
    ],
    *[
        (
            operation,
            field,
            True,
            DANA,
            "POST",
            path,
            lambda v, f=field, make=make, base=base: {
                "json": make(**{f: f"{base[f]}{v}"}),
                "headers": {"Idempotency-Key": uuid.uuid4().hex},
            },
        )
        for operation, path in (
            ("quotePayment", "/v1/accounts/{dana}/payments/quote"),
            ("createPayment", "/v1/accounts/{dana}/payments"),
        )
        for make, base, fields in (
            (_card, CARD, ("number", "cvc", "name", "postal_code")),
            (_bank, BANK, ("routing_number", "account_number", "holder_name")),
            (_auth, PAY["authorization"], ("script_version", "recording_ref")),
            (lambda **f: PAY | f, PAY, ("receipt_email",)),
        )
        for field in fields
    ],
    (
        "createScheduledPayment",
        "receipt_email",
        True,
        DANA,
        "POST",
        "/v1/accounts/{dana}/scheduled-payments",
        lambda v: {
            "json": {
                "target": {"type": "balance"},
                "method": {"type": "saved", "payment_method_id": 1},
                "pay_on": "2026-11-20",
                "receipt_email": f"dana@example.com{v}",
            }
        },
    ),
    (
        "requestLoginCode",
        "email",
        True,
        None,
        "POST",
        "/v1/auth/code",
        lambda v: {"json": {"email": f"a{v}@b.co"}},
    ),
    (
        "verifyLoginCode",
        "email",
        True,
        None,
        "POST",
        "/v1/auth/code/verify",
        lambda v: {"json": {"email": f"a{v}@b.co", "code": "123456"}},
    ),
    (
        "confirmEmailChange",
        "code",
        True,
        DANA,
        "POST",
        "/v1/accounts/{dana}/email/confirm",
        lambda v: {"json": {"code": f"123{v}456"}},
    ),
    (
        "verifyLoginCode",
        "code",
        True,
        None,
        "POST",
        "/v1/auth/code/verify",
        lambda v: {"json": {"email": "nobody@example.org", "code": f"123{v}456"}},
    ),
    (
        "loginWithPassword",
        "email",
        True,
        None,
        "POST",
        "/v1/auth/login",
        lambda v: {"json": {"email": f"a{v}@b.co", "password": "long enough password"}},
    ),
    (
        "loginWithPassword",
        "password",
        True,
        None,
        "POST",
        "/v1/auth/login",
        lambda v: {"json": {"email": "nobody@example.org", "password": f"long enough{v}password"}},
    ),
    (
        "forgotPassword",
        "account_number",
        True,
        None,
        "POST",
        "/v1/auth/password/forgot",
        lambda v: {"json": {"account_number": f"4100{v}012345", "email": "nobody@example.org"}},
    ),
    (
        "forgotPassword",
        "email",
        True,
        None,
        "POST",
        "/v1/auth/password/forgot",
        lambda v: {"json": {"account_number": "4100012345", "email": f"a{v}@b.co"}},
    ),
    (
        "setPassword",
        "token",
        True,
        None,
        "POST",
        "/v1/auth/password/set",
        lambda v: {"json": {"token": f"tok{v}en", "password": "long enough password"}},
    ),
    (
        "setPassword",
        "password",
        True,
        None,
        "POST",
        "/v1/auth/password/set",
        lambda v: {"json": {"token": "token", "password": f"long enough{v}password"}},
    ),
    ("signup", "email", True, None, "POST", "/v1/auth/signup", lambda v: {"json": {"email": f"a{v}@b.co"}}),
    (
        "guestLookup",
        "account_number",
        True,
        None,
        "POST",
        "/v1/guest/lookup",
        lambda v: {"json": {"account_number": f"4100{v}012345", "last_name": "Whitfield"}},
    ),
    (
        "guestLookup",
        "last_name",
        True,
        None,
        "POST",
        "/v1/guest/lookup",
        lambda v: {"json": {"account_number": "4100012345", "last_name": f"White{v}field"}},
    ),
    *[
        (
            operation,
            "reason",
            True,
            CLERK,
            "POST",
            f"/v1/payments/1/{operation.removesuffix('Payment')}",
            lambda v: {"json": {"reason": f"Paid{v}twice"}, "headers": {"Idempotency-Key": uuid.uuid4().hex}},
        )
        for operation in ("voidPayment", "refundPayment")
    ],
    *[
        (
            "searchAccounts",
            field,
            True,
            CLERK,
            "GET",
            "/v1/clerk/accounts",
            lambda v, f=field, q=query: {"params": q | {f: f"{q[f]}{v}"}},
        )
        for query, fields in (
            ({"account_number": "4100012345", "last_name": "Whitfield"}, ("account_number", "last_name")),
            ({"email": "dana@example.com"}, ("email",)),
        )
        for field in fields
    ],
    (
        "listInvoices",
        "number",
        True,
        DANA,
        "GET",
        "/v1/accounts/{dana}/invoices",
        lambda v: {"params": {"number": f"INV{v}1"}},
    ),
    (
        "devListOutbox",
        "to",
        True,
        None,
        "GET",
        "/v1/dev/outbox",
        lambda v: {"params": {"to": f"dana{v}@x.co"}},
    ),
    *[
        (
            operation,
            "cursor",
            True,
            CLERK,
            "GET",
            path,
            lambda v, q=query: {"params": q | {"cursor": f"AB{v}"}},
        )
        for operation, path, query in (
            ("listAccountAudit", "/v1/accounts/{dana}/audit", {}),
            ("listInvoices", "/v1/accounts/{dana}/invoices", {}),
            ("listNotes", "/v1/accounts/{dana}/notes", {}),
            ("listNotices", "/v1/accounts/{dana}/notices", {}),
            ("listPayments", "/v1/accounts/{dana}/payments", {}),
            ("listScheduledPayments", "/v1/accounts/{dana}/scheduled-payments", {}),
            ("getStatement", "/v1/accounts/{dana}/statement", {}),
            ("searchAccounts", "/v1/clerk/accounts", {"email": "dana@example.com"}),
            ("listMyAudit", "/v1/clerk/audit", {}),
            ("devListAudit", "/v1/dev/audit", {}),
            ("devListOutbox", "/v1/dev/outbox", {"to": "dana@example.com"}),
        )
    ],
]


def _string_fields(schema: dict, components: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """Every string schema under `schema` (enums, consts and formats such as dates are not text)."""
    if "$ref" in schema:
        yield from _string_fields(components[schema["$ref"].split("/")[-1]], components, path)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for variant in schema.get(key, []):
            yield from _string_fields(variant, components, path)
    for name, sub in schema.get("properties", {}).items():
        yield from _string_fields(sub, components, (*path, name))
    if schema.get("type") == "array":
        yield from _string_fields(schema["items"], components, path)
    if schema.get("type") == "string" and not {"enum", "const", "format"} & set(schema):
        yield path[-1] if path else "", schema


def _document_fields() -> dict[tuple[str, str], set[str]]:
    """(operationId, field) -> the patterns the document states for it, for every text field it takes."""
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    components = doc["components"]["schemas"]
    found: dict[tuple[str, str], set[str]] = {}
    for operations in doc["paths"].values():
        for op in operations.values():
            schemas = [(p["name"], p["schema"]) for p in op.get("parameters", []) if p["in"] == "query"]
            if "requestBody" in op:
                schemas.append(("", op["requestBody"]["content"]["application/json"]["schema"]))
            for name, schema in schemas:
                for field, string in _string_fields(schema, components, (name,) if name else ()):
                    found.setdefault((op["operationId"], field), set()).add(string.get("pattern", ""))
    return found


def test_every_text_field_states_the_rule_and_is_in_the_table() -> None:
    fields = _document_fields()
    for (operation, field), patterns in fields.items():
        assert len(patterns) == 1 and patterns <= RULES, (operation, field, patterns)
    assert fields.keys() == {(operation, field) for operation, field, *_ in FIELDS}
    # Newline and tab are allowed only where a person writes lines: a Contact-us message and a note.
    multi = {key for key, patterns in fields.items() if patterns & {MULTILINE_TEXT, MULTILINE_TEXT_NOT_BLANK}}
    assert multi == {("sendMessage", "body"), ("createNote", "body")}


def _send(api: Api, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
    url = path.format(dana=api.account_id(DANA))
    headers = kwargs.pop("headers", {})
    if who:
        headers["Authorization"] = f"Bearer {api.token(who)}"
    return api.http.request(method, url, headers=headers, **kwargs)


def _stored(api: Api) -> tuple:
    """What a refused request could have written: messages (the support mail), notes, saved methods."""
    dana = api.account_id(DANA)
    support = api.ok("/v1/dev/outbox", params={"to": "support@paydesk.example"})["total_count"]
    notes = api.ok(f"/v1/accounts/{dana}/notes", CLERK)["total_count"]
    methods = api.ok(f"/v1/accounts/{dana}/payment-methods", DANA)["total_count"]
    return support, notes, methods


@pytest.mark.parametrize(
    ("operation", "field", "one_line", "who", "method", "path", "send"),
    FIELDS,
    ids=[f"{operation}-{field}" for operation, field, *_ in FIELDS],
)
def test_a_control_character_is_a_400_that_names_the_field(
    demo: Api, operation: str, field: str, one_line: bool, who: str | None, method: str, path: str, send: Send
) -> None:
    before = _stored(demo)
    for bad in BAD + (LINE_BREAKS if one_line else ["\r"]):
        response = _send(demo, who, method, path, **send(bad))
        error = assert_error(response, 400, "invalid_request", response.json()["error"]["code"], field)
        assert error["code"] in {"invalid_request", "invalid_email"}, (bad, error)
        assert field in error["message"], error
    assert _stored(demo) == before


def test_a_message_and_a_note_keep_their_lines_and_tabs(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    sent = fresh.post(
        f"/v1/accounts/{dana}/messages", DANA, json={"subject": "Two lines", "body": "First\n\tSecond"}
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == "First\n\tSecond"
    [mail] = fresh.ok("/v1/dev/outbox", params={"to": "support@paydesk.example"})["items"]
    assert "First\n\tSecond" in mail["body"]
    note = fresh.post(
        f"/v1/accounts/{dana}/notes", CLERK, json={"body": "Called\n\tback", "disposition": "other"}
    )
    assert note.status_code == 201, note.text
    assert note.json()["body"] == "Called\n\tback"
