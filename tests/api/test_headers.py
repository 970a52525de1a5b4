"""The headers every answer carries (issue 10 items 7 and 8): `Cache-Control: no-store` on every API
answer (the account, its payments, the invoice PDF, the statement CSV, tokens, errors) and
`X-Content-Type-Options: nosniff` on every answer; a 405 names the methods its path allows in `Allow`."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.conftest import Api
from tests.api.paying import CLERK, DANA, VISA, Payer, body, card, invoices_target, singles


def assert_private(r: httpx.Response) -> None:
    assert r.headers.get("cache-control") == "no-store", (r.request.url, dict(r.headers))
    assert r.headers.get("x-content-type-options") == "nosniff", (r.request.url, dict(r.headers))


def test_the_account_its_invoices_pdf_and_csv_are_never_stored(demo: Api) -> None:
    account = demo.account_id(DANA)
    invoice = demo.invoices(DANA)["items"][0]["id"]
    for path, params, media in [
        ("/v1/me", {}, "application/json"),
        (f"/v1/accounts/{account}", {}, "application/json"),
        (f"/v1/accounts/{account}/summary", {}, "application/json"),
        (f"/v1/accounts/{account}/invoices", {}, "application/json"),
        (f"/v1/accounts/{account}/payments", {}, "application/json"),
        (f"/v1/accounts/{account}/payment-methods", {}, "application/json"),
        (f"/v1/invoices/{invoice}", {}, "application/json"),
        (f"/v1/invoices/{invoice}/pdf", {}, "application/pdf"),
        (f"/v1/accounts/{account}/statement", {"format": "csv"}, "text/csv"),
    ]:
        r = demo.get(path, DANA, params=params)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith(media), path
        assert_private(r)
    # A clerk's view of the same account, too.
    clerk = demo.get(f"/v1/accounts/{account}", CLERK)
    assert clerk.status_code == 200
    assert_private(clerk)


def test_a_payment_its_replay_and_its_receipt_view_are_never_stored(fresh: Api) -> None:
    dana = Payer(fresh, DANA)
    payment = body(invoices_target(singles(dana)[0]["id"]), card(VISA))
    quote = dana.quote(payment)
    assert quote.status_code == 200
    assert_private(quote)
    first = dana.pay(payment, key="headers-test-key", fees=quote.json()["fees_cents"])
    assert first.status_code == 201, first.text
    assert_private(first)
    replay = dana.pay(payment, key="headers-test-key", fees=quote.json()["fees_cents"])
    assert replay.status_code == 201 and replay.headers.get("idempotent-replayed") == "true"
    assert_private(replay)
    view = fresh.get(f"/v1/payments/{first.json()['id']}", DANA)
    assert view.status_code == 200
    assert_private(view)


def test_tokens_errors_and_public_answers_carry_the_headers(demo: Api) -> None:
    login = httpx.post(f"{demo.base_url}/v1/auth/code", json={"email": "sam@example.com"})
    assert login.status_code == 202
    assert_private(login)
    for r in (
        demo.http.get("/v1/me"),  # 401
        demo.get("/v1/accounts/999999", DANA),  # 404
        demo.http.get("/v1/health"),
    ):
        assert_private(r)
    # Outside the API (the OpenAPI document, a path no route serves): nosniff, cacheable.
    for path in ("/openapi.json", "/nothing-here"):
        r = demo.http.get(path)
        assert r.headers.get("x-content-type-options") == "nosniff", path


# -- Allow on 405 --

_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v1/accounts/1", "GET, PATCH"),
        ("PUT", "/v1/health", "GET"),
        ("DELETE", "/v1/accounts/1/payments", "GET, POST"),
        ("POST", "/v1/invoices/1/pdf", "GET"),
        ("GET", "/v1/auth/code", "POST"),
    ],
)
def test_a_405_names_the_allowed_methods(demo: Api, method: str, path: str, allow: str) -> None:
    r = demo.http.request(method, path)
    assert r.status_code == 405, r.text
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert r.headers["allow"] == allow


def test_every_path_of_the_openapi_document_answers_405_with_its_methods(demo: Api) -> None:
    paths = demo.http.get("/openapi.json").json()["paths"]
    templates = {template: _path_regex(template) for template in paths}
    checked = 0
    for template in paths:
        concrete = re.sub(r"\{[^}]+\}", "1", template)
        # The methods of every documented path this concrete path matches (a literal segment may
        # also fit another path's parameter).
        allowed = {
            verb.upper()
            for other, regex in templates.items()
            if regex.match(concrete)
            for verb in paths[other]
            if verb.upper() in _VERBS
        }
        unused = next((verb for verb in _VERBS if verb not in allowed), None)
        assert unused is not None, template
        r = demo.http.request(unused, concrete)
        assert r.status_code == 405, (unused, concrete, r.text)
        assert r.headers["allow"] == ", ".join(sorted(allowed)), (unused, concrete)
        checked += 1
    assert checked >= 30
