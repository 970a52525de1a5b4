"""GET /v1/health: the server runs and its database answers."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from backend_stub.deps import EngineDep
from backend_stub.errors import ApiError
from backend_stub.one_trip import OneTripRoute
from backend_stub.routes.common import errors
from backend_stub.schemas import Health
from backend_stub.store.db import check_database

router = APIRouter(tags=["health"], route_class=OneTripRoute)
log = logging.getLogger("backend_stub")

try:
    VERSION = version("paydesk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    VERSION = "0.0.0"


@router.get("/v1/health", operation_id="getHealth", response_model=Health, responses=errors(503))
def health(engine: EngineDep) -> Health:
    try:
        check_database(engine)
    except Exception as exc:
        # The cause goes to the log (the engine hides statement parameters); the answer says what to do.
        log.warning("health: the database does not answer: %s", str(exc).splitlines()[0])
        raise ApiError(
            503, "server", "database_unavailable", "The server cannot reach its database. Try again soon."
        ) from exc
    return Health(status="ok", version=VERSION)
