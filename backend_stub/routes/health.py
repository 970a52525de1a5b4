"""GET /v1/health."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from backend_stub.one_trip import OneTripRoute
from backend_stub.schemas import Health

router = APIRouter(tags=["health"], route_class=OneTripRoute)

try:
    VERSION = version("paydesk")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    VERSION = "0.0.0"


@router.get("/v1/health", operation_id="getHealth", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=VERSION)
