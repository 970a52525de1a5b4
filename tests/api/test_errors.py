"""Health, and the one error shape for every client mistake: never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error


def test_health(demo: Api) -> None:
    response = demo.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and isinstance(body["version"], str) and body["version"]


def test_unknown_route_is_404_in_the_error_shape(demo: Api) -> None:
    assert_error(demo.get("/v1/nowhere"), 404, "not_found", "not_found", None)
    assert_error(demo.get("/"), 404, "not_found", "not_found", None)


def test_wrong_method_is_405_in_the_error_shape(demo: Api) -> None:
    response = demo.http.delete("/v1/health")
    assert_error(response, 405, "invalid_request", "method_not_allowed", None)


def test_no_token_and_bad_tokens_are_401(demo: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic abc"},
        {"Authorization": ""},
    ):
        response = demo.http.get("/v1/me", headers=headers)
        assert_error(response, 401, "authentication", "not_authenticated")
    assert_error(demo.http.post("/v1/auth/logout"), 401, "authentication", "not_authenticated")


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"[]", b'"dana@example.com"', b'{"email": 12}', b'{"email": null}', b"{}"],
)
def test_bad_bodies_are_400(demo: Api, content: bytes) -> None:
    response = demo.http.post("/v1/auth/code", content=content, headers={"Content-Type": "application/json"})
    error = assert_error(response, 400, "invalid_request", response.json()["error"]["code"])
    assert error["code"] in {"invalid_request", "invalid_email"}


def test_bad_email_names_the_field(demo: Api) -> None:
    error = assert_error(
        demo.post("/v1/auth/code", json={"email": "not-an-email"}),
        400,
        "invalid_request",
        "invalid_email",
        "email",
    )
    assert "email" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts/abc",
        "/v1/accounts/0",
        "/v1/accounts/-1",
        "/v1/accounts/1.5",
        "/v1/accounts/99999999999999999999999",
        "/v1/invoices/x",
        "/v1/invoices/9223372036854775808",
        "/v1/invoices/2147483648",
        "/v1/accounts/2147483648/invoices",
        "/v1/accounts/abc/summary",
        "/v1/accounts/%20/invoices",
    ],
)
def test_non_integer_or_out_of_range_ids_are_404(demo: Api, path: str) -> None:
    assert_error(demo.get(path, "dana@example.com"), 404, "not_found", "not_found")


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": 10**30}, "limit"),
        ({"status": "late"}, "status"),
        ({"kind": "double"}, "kind"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),  # base64 of "[]"
        ({"cursor": "WyJ4IiwxXQ"}, "cursor"),  # ["x", 1]: not a date
        ({"cursor": "WyIyMDI2LTAxLTAxIiwtMV0"}, "cursor"),  # ["2026-01-01", -1]
        ({"cursor": "WyIyMDI2LTAxLTAxIiwxZTQwMF0"}, "cursor"),  # a huge number
    ],
)
def test_bad_list_queries_are_400_with_param(demo: Api, params: dict, param: str) -> None:
    account_id = demo.account_id("dana@example.com")
    response = demo.get(f"/v1/accounts/{account_id}/invoices", "dana@example.com", params=params)
    error = assert_error(response, 400, "invalid_request", response.json()["error"]["code"], param)
    assert error["code"] in {"invalid_request", "invalid_cursor"}


def test_limit_200_is_allowed(demo: Api) -> None:
    assert demo.invoices("dana@example.com", limit=200)["total_count"] == 11


def test_an_unexpected_exception_is_a_generic_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In-process: a bug answers 500 server/internal_error without internals, and is logged."""
    import asyncio

    import httpx

    from backend_stub.app import create_app
    from backend_stub.settings import Settings

    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'x.db'}"))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals 4242424242424242")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/boom")

    response = asyncio.run(call())
    error = assert_error(response, 500, "server", "internal_error", None)
    assert "secret" not in error["message"] and "4242" not in response.text
    app.state.engine.dispose()
