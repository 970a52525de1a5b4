"""backend_stub.route_index: every request reaches the route FastAPI's own scan picks, with the same
answer, whether the path was seen before or not; paths no route serves in full answer as before."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from backend_stub import cli, route_index


def _app(tmp_path: Path, indexed: bool) -> FastAPI:
    settings = cli.make_settings(f"sqlite:///{tmp_path / 'routes.db'}", dev=True, jobs_every=None, environ={})
    app, _engine = cli.build_app(settings, "none")
    if not indexed:
        app.router.middleware_stack = app.router.app  # FastAPI's scan alone
    return app


def _call(app: FastAPI, method: str, path: str) -> tuple[int, Any, Any]:
    """The status, and the route and path parameters FastAPI left in the scope (no token: each route
    stops at its first check)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    asyncio.run(app(scope, receive, send))
    return status[0], scope.get("route"), scope.get("path_params")


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    """Each route's methods on a path made from its template (ids 7), a wrong method, and no route."""
    requests = []
    for context in iter_route_contexts(app.router.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        path = re.sub(r"\{[^}]+\}", "7", route.path_format)
        requests += [(method, path) for method in sorted(route.methods)]
        requests.append(("PATCH", path))
    return [*requests, ("GET", "/v1/nothing/here"), ("GET", "/v1/accounts/7/invoices/")]


def test_each_request_reaches_the_route_fastapi_picks(tmp_path: Path) -> None:
    indexed, scanned = _app(tmp_path, indexed=True), _app(tmp_path, indexed=False)
    requests = _requests(scanned)
    assert len(requests) > 90  # every route of the app, twice
    for method, path in requests:
        expected = _call(scanned, method, path)
        assert _call(indexed, method, path) == expected, (method, path)  # first seen
        assert _call(indexed, method, path) == expected, (method, path)  # remembered


def test_the_index_forgets_the_oldest_path_past_its_bound(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(route_index, "MAX_PATHS", 3)
    app = _app(tmp_path, indexed=True)
    index = app.router.middleware_stack
    assert isinstance(index, route_index.RouteIndex)
    for n in range(1, 6):
        assert _call(app, "GET", f"/v1/invoices/{n}")[0] == 401
    assert [path for _method, path in index._chosen] == ["/v1/invoices/3", "/v1/invoices/4", "/v1/invoices/5"]


def test_the_routes_are_built_at_start_not_by_the_first_request(tmp_path: Path, monkeypatch) -> None:
    """FastAPI builds an included router's route handlers on the first request that reaches it (a fresh
    worker's first caller waited about 45 ms for it): the index builds them while the app starts."""
    app = _app(tmp_path, indexed=True)
    built: list[str] = []
    real = APIRoute.get_route_handler

    def counted(route: APIRoute) -> Any:
        built.append(route.path)
        return real(route)

    monkeypatch.setattr(APIRoute, "get_route_handler", counted)

    async def started_then_first_request() -> int:
        async with app.router.lifespan_context(app):
            at_start = len(built)
            await asyncio.to_thread(_call, app, "GET", "/v1/me")
            return at_start

    at_start = asyncio.run(started_then_first_request())
    assert at_start > 20  # every route of every included router, once
    assert len(built) == at_start  # and nothing more for the first request
