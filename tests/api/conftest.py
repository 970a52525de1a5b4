"""API test fixtures: shared read-mostly demo servers (one per database), a large-seed server, and a
small client that logs in once per user per server (login codes are rate limited per email)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import login
from tests.support.stub import StubServer, fresh_postgres_database, postgres_available, serve_stub


class Api:
    """An httpx client on one server that remembers one token per email."""

    def __init__(self, server: StubServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.http = httpx.Client(base_url=server.base_url, timeout=15)
        self._tokens: dict[str, str] = {}

    def token(self, email: str) -> str:
        if email not in self._tokens:
            self._tokens[email] = login(self.base_url, email)
        return self._tokens[email]

    def get(self, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, headers=self._auth(as_), **kwargs)

    def post(self, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, headers=self._auth(as_), **kwargs)

    def patch(self, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, headers=self._auth(as_), **kwargs)

    def put(self, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.http.put(path, headers=self._auth(as_), **kwargs)

    def delete(self, path: str, as_: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, headers=self._auth(as_), **kwargs)

    def ok(self, path: str, as_: str | None = None, **kwargs: Any) -> Any:
        response = self.get(path, as_, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def account_id(self, email: str) -> int:
        return self.ok("/v1/me", email)["accounts"][0]["id"]

    def invoices(self, email: str, **params: Any) -> dict:
        return self.ok(f"/v1/accounts/{self.account_id(email)}/invoices", email, params=params)

    def _auth(self, email: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email)}"} if email else {}

    def close(self) -> None:
        self.http.close()


def assert_error(response: httpx.Response, status: int, type_: str, code: str, param: Any = ...) -> dict:
    """The one error shape, exactly: {"error": {"type", "code", "message", "param"}}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"type", "code", "message", "param"}, error
    assert (error["type"], error["code"]) == (type_, code), error
    assert isinstance(error["message"], str) and error["message"], error
    if param is not ...:
        assert error["param"] == param, error
    return error


def _servers(request: pytest.FixtureRequest, workdir: Path, seed: str) -> Iterator[StubServer]:
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database(seed) as url, serve_stub(url, workdir, seed=seed) as server:
            yield server
    else:
        with serve_stub(f"sqlite:///{workdir / f'{seed}.db'}", workdir, seed=seed) as server:
            yield server


DB_PARAMS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DB_PARAMS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A demo server per database, shared by tests that only read (clerk reads add audit rows)."""
    for server in _servers(request, tmp_path_factory.mktemp(f"demo-{request.param}"), "demo"):
        api = Api(server)
        yield api
        api.close()


@pytest.fixture(scope="session", params=DB_PARAMS)
def large(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The large seed (10,000 invoices for big@example.com) per database."""
    for server in _servers(request, tmp_path_factory.mktemp(f"large-{request.param}"), "large"):
        api = Api(server)
        yield api
        api.close()


@pytest.fixture(params=DB_PARAMS)
def kept_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A demo database that outlives its server, so another server can serve it with other settings
    (a fee policy changed between two runs, say)."""
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432")
        with fresh_postgres_database("demo") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'demo.db'}"


@pytest.fixture
def fresh(fresh_server: StubServer) -> Iterator[Api]:
    """A client on a brand-new demo server (for tests that change data or use up rate limits)."""
    api = Api(fresh_server)
    yield api
    api.close()
