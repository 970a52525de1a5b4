"""The planned dependency tree (backend_stub.dependency_plan) answers as FastAPI would, and a request made
while dependency overrides are set is left to FastAPI, which swaps them in."""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from backend_stub.one_trip import OneTripRoute, in_request_thread


@in_request_thread
def who() -> str:
    return "real"


def _app() -> FastAPI:
    router = APIRouter(route_class=OneTripRoute)

    @router.get("/who/{n}")
    def answer(n: int, name: Annotated[str, Depends(who)], limit: int = 5) -> dict:
        return {"n": n, "name": name, "limit": limit}

    app = FastAPI()
    app.include_router(router)
    return app


def test_the_plan_solves_params_and_dependencies() -> None:
    client = TestClient(_app())
    assert client.get("/who/3?limit=7").json() == {"n": 3, "name": "real", "limit": 7}
    refused = client.get("/who/x?limit=y")
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["path", "n"], ["query", "limit"]]


def test_an_override_is_used() -> None:
    app = _app()
    app.dependency_overrides[who] = lambda: "override"
    assert TestClient(app).get("/who/3").json() == {"n": 3, "name": "override", "limit": 5}


def test_through_the_route_index_a_planned_route_answers_the_same_and_overrides_still_apply() -> None:
    from backend_stub import route_index

    app = _app()
    route_index.install(app.router)  # a planned route is then served by its direct app
    client = TestClient(app)
    assert client.get("/who/3?limit=7").json() == {"n": 3, "name": "real", "limit": 7}
    assert client.get("/who/x").status_code == 422  # the error goes up to FastAPI's handler
    app.dependency_overrides[who] = lambda: "override"
    assert client.get("/who/3").json() == {"n": 3, "name": "override", "limit": 5}
