"""backend_stub.one_trip: on a OneTripRoute the deferred dependencies, the endpoint and the end of the
request's transaction share one thread of the pool; on a plain route the same dependencies still work, each
on its own trip; a deferred check's error still answers before the request's own input is checked."""

# No `from __future__ import annotations`: the dependencies are closures (FastAPI reads their annotations).
import contextvars
import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from backend_stub.one_trip import OneTripRoute, in_request_thread, short_read, without_repeats


class Answer(BaseModel):
    threads: int
    order: list[str]


# Set by the first dependency: each trip to the thread pool runs in a fresh copy of the event loop's
# context, so only the steps of the same trip see it.
trip: contextvars.ContextVar[object | None] = contextvars.ContextVar("trip", default=None)


def _app(route_class: type[APIRoute]) -> tuple[FastAPI, list[tuple[str, object | None]]]:
    seen: list[tuple[str, object | None]] = []

    def note(what: str) -> None:
        assert threading.current_thread() is not threading.main_thread() or what == "account"
        seen.append((what, trip.get()))

    @in_request_thread
    def caller(who: Annotated[str, Query()] = "ok") -> str:
        trip.set(object())
        note("caller")
        if who == "stranger":
            raise HTTPException(401, "who are you")
        return who

    @in_request_thread
    def transaction(who: Annotated[str, Depends(caller)]) -> Iterator[str]:
        note("begin")
        yield f"tx of {who}"
        note("commit")

    @in_request_thread(io=False)
    def account(who: Annotated[str, Depends(caller)], tx: Annotated[str, Depends(transaction)]) -> str:
        note("account")
        return f"{who}'s account in {tx}"

    router = APIRouter(route_class=route_class)

    @router.get("/thing", response_model=Answer)
    def thing(
        acct: Annotated[str, Depends(account)], tx: Annotated[str, Depends(transaction)], n: int = 1
    ) -> Answer:
        note("endpoint")
        assert acct == "ok's account in tx of ok" and tx == "tx of ok"
        return Answer(threads=0, order=[])

    app = FastAPI()
    app.include_router(router)
    return app, seen


def test_one_trip_route_runs_dependencies_endpoint_and_commit_on_one_thread() -> None:
    app, seen = _app(OneTripRoute)
    with TestClient(app) as client:
        assert client.get("/thing").status_code == 200
    assert [what for what, _ in seen] == ["caller", "begin", "account", "endpoint", "commit"]
    assert len({id(t) for _, t in seen}) == 1 and seen[0][1] is not None  # all in the caller's trip


def test_a_plain_route_computes_the_same_dependencies_at_once() -> None:
    app, seen = _app(APIRoute)
    with TestClient(app) as client:
        assert client.get("/thing").status_code == 200
    assert [what for what, _ in seen] == ["caller", "begin", "account", "endpoint", "commit"]
    assert [t is seen[0][1] for _, t in seen] == [True, False, False, False, False]  # a trip each


def test_a_deferred_check_answers_before_a_bad_query() -> None:
    for route_class in (OneTripRoute, APIRoute):
        app, seen = _app(route_class)
        with TestClient(app) as client:
            assert client.get("/thing", params={"who": "stranger", "n": "x"}).status_code == 401
            assert client.get("/thing", params={"n": "x"}).status_code == 422  # FastAPI's own, no handler
        assert "endpoint" not in [what for what, _ in seen]
        # The transaction was begun for the check and ended with the error (never committed).
        assert [what for what, _ in seen].count("commit") == 0


def _short_read_app(allowed: bool) -> tuple[FastAPI, list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []

    def note(what: str) -> None:
        seen.append((what, threading.get_ident()))

    async def on_the_loop() -> int:  # an async dependency runs on the event loop's thread
        return threading.get_ident()

    @in_request_thread(on_loop=True)
    def caller(who: Annotated[str, Query()] = "customer") -> str:
        note("caller")
        return who

    def reads_only(who: str) -> bool:
        return who != "clerk"  # a clerk's transaction writes: it may wait for the write lock

    @in_request_thread(on_loop=reads_only)
    def transaction(who: Annotated[str, Depends(caller)]) -> Iterator[str]:
        note("begin")
        yield f"tx of {who}"
        note("commit")

    router = APIRouter(route_class=OneTripRoute)

    @router.get("/read", response_model=Answer)
    @short_read
    def read(tx: Annotated[str, Depends(transaction)], loop: Annotated[int, Depends(on_the_loop)]) -> Answer:
        note("endpoint")
        seen.append(("loop", loop))
        return Answer(threads=0, order=[tx])

    app = FastAPI()
    app.state.short_reads_on_loop = allowed
    app.include_router(router)
    return app, seen


def test_a_short_read_runs_on_the_event_loop_where_the_app_allows_it() -> None:
    app, seen = _short_read_app(allowed=True)
    with TestClient(app) as client:
        answer = client.get("/read")
    assert answer.status_code == 200 and answer.json()["order"] == ["tx of customer"]
    assert [what for what, _ in seen] == ["caller", "begin", "endpoint", "loop", "commit"]
    assert len({thread for _, thread in seen}) == 1  # no trip to the thread pool at all


def test_a_dependency_that_may_not_run_on_the_loop_sends_the_rest_to_one_thread() -> None:
    app, seen = _short_read_app(allowed=True)
    with TestClient(app) as client:
        assert client.get("/read", params={"who": "clerk"}).json()["order"] == ["tx of clerk"]
    threads = dict(seen)
    assert [what for what, _ in seen] == ["caller", "begin", "endpoint", "loop", "commit"]
    assert threads["caller"] == threads["loop"]  # the caller was read on the loop, once
    assert threads["begin"] == threads["endpoint"] == threads["commit"] != threads["loop"]


def test_a_short_read_makes_one_trip_where_the_app_does_not_allow_the_loop() -> None:
    app, seen = _short_read_app(allowed=False)
    with TestClient(app) as client:
        assert client.get("/read").status_code == 200
    threads = dict(seen)
    assert len({threads[what] for what in ("caller", "begin", "endpoint", "commit")}) == 1
    assert threads["caller"] != threads["loop"]


def _size(dependant: Dependant) -> int:
    return 1 + sum(_size(sub) for sub in dependant.dependencies)


def test_a_shared_dependency_without_parameters_is_solved_once() -> None:
    """FastAPI walks a sub-dependency's whole tree wherever it appears; the repeats are cut to leaves
    that FastAPI's cache answers, and the answers stay the same."""
    from backend_stub.routes.accounts import list_invoices

    full = get_dependant(path="/v1/accounts/{account_id}/invoices", call=list_invoices)
    cut = without_repeats(full)
    assert _size(cut) < _size(full) - 8  # the caller's tree (caller, token, bearer, engine) once, not 4 times
    calls = {id(d.call) for d in _walk(full)}
    assert {id(d.call) for d in _walk(cut)} == calls  # every dependency is still there

    # A shared dependency with parameters stays whole wherever it appears (its check may fail).
    async def who(name: Annotated[str, Query()] = "x") -> str:
        return name

    async def check(name: Annotated[str, Depends(who)]) -> str:
        return name

    async def endpoint(a: Annotated[str, Depends(check)], b: Annotated[str, Depends(who)]) -> str:
        return a + b

    whole = get_dependant(path="/", call=endpoint)
    assert _size(whole) == 4 and _size(without_repeats(whole)) == 4


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)
