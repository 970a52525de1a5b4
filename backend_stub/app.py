"""create_app(settings) -> FastAPI: routes, the one error shape, the engine on app.state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine, inspect
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from backend_stub import clock, mail_worker, owners, route_index
from backend_stub.errors import ApiError, error_body
from backend_stub.job_runner import JobRunner
from backend_stub.owners import Owner
from backend_stub.payments import recovery
from backend_stub.processor import Processor
from backend_stub.request_limits import RequestLimits
from backend_stub.request_log import RequestLog
from backend_stub.routes import (
    account_settings,
    accounts,
    audit,
    auth,
    autopay,
    clerk,
    dev,
    email_change,
    guest,
    health,
    identity_checks,
    invoices,
    me,
    messages,
    notes,
    notices,
    passwords,
    payment_methods,
    payment_undo,
    payments,
    scheduled,
    statement,
)
from backend_stub.routes.health import VERSION
from backend_stub.security_headers import SecurityHeaders
from backend_stub.settings import Settings
from backend_stub.store.db import create_db_engine, reads_on_event_loop

log = logging.getLogger("backend_stub")

DESCRIPTION = """The Paydesk reference backend. Money is integer cents (`*_cents`, USD); dates are ISO 8601;
times are UTC. Every error is `{"error": {"type", "code", "message", "param"}}`. Lists are
`{"items", "next_cursor", "total_count"}` with `limit` (1..200) and an opaque `cursor`."""


class PaydeskApp(FastAPI):
    """FastAPI with the request log outside everything else (backend_stub.request_log), then the
    security headers (backend_stub.security_headers) and the request limits (backend_stub.request_limits)
    around FastAPI's own stack: a refused body is logged and carries the headers like any answer."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        limited = RequestLimits(
            super().build_middleware_stack(), settings.max_body_bytes, settings.body_timeout_seconds
        )
        return RequestLog(SecurityHeaders(limited))


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The ASGI app. The database must already be migrated (the CLI does it before serving)."""
    app = PaydeskApp(
        title="Paydesk reference backend",
        version=VERSION,
        description=DESCRIPTION,
        docs_url="/docs" if settings.dev else None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_lifespan,
        telemetry=_telemetry(),
    )
    app.state.settings = settings
    app.state.engine = engine if engine is not None else create_db_engine(settings.db_url)
    clock.configure(app.state.engine, settings.timezone, dev=settings.dev)
    app.state.short_reads_on_loop = reads_on_event_loop(app.state.engine)  # backend_stub.one_trip
    app.state.processor = Processor(app.state.engine, delay_ms=settings.processor_delay_ms)
    # --smtp: a delivery thread to start()/stop() with the server (None: mail stays in the outbox).
    app.state.mail_delivery = mail_worker.for_settings(settings, app.state.engine)
    app.state.owner = _start_owner(app.state.engine, app.state.processor, settings)
    for module in (
        health,
        auth,
        me,
        accounts,
        account_settings,
        invoices,
        payments,
        payment_methods,
        clerk,
        messages,
        statement,
        passwords,
        autopay,
        scheduled,
        guest,
        identity_checks,  # issue 9 (i9-undo)
        payment_undo,
        notes,  # the clerk console (issue 9)
        audit,
        notices,
        email_change,  # verified billing email changes (issue 10)
    ):
        app.include_router(module.router)
    if settings.dev:
        app.include_router(dev.router)
    route_index.install(app.router)
    _install_error_handlers(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


_TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False}


def _telemetry() -> dict[str, bool] | None:
    """FastAPI's OpenTelemetry as FastAPI has it when a provider is set up before the app is built (as
    `opentelemetry-instrument` does); otherwise off. Unconfigured, FastAPI asked the three global
    providers on every request whether one had been set meanwhile: 3-4% of an invoice page. The request
    log (backend_stub.request_log) is the server's own record either way."""
    from fastapi.telemetry._api import _unconfigured  # what FastAPI's own check asks
    from opentelemetry import _logs, metrics, trace

    providers = (trace.get_tracer_provider(), metrics.get_meter_provider(), _logs.get_logger_provider())
    return _TELEMETRY_OFF if all(_unconfigured(provider) for provider in providers) else None


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start mail delivery (with --smtp) and the jobs runner (unless --no-jobs) with the server; at
    shutdown, after the last request, stop them (the round in progress finishes) off the event loop."""
    settings: Settings = app.state.settings
    delivery = app.state.mail_delivery  # --smtp: mail goes out as soon as it is committed
    if delivery is not None:
        delivery.start()  # here, not in create_app: each worker process starts its own after the fork
    runner = None
    if settings.jobs_every_seconds is not None:
        runner = JobRunner(app.state.engine, app.state.processor, settings, settings.jobs_every_seconds)
        app.state.jobs = runner.start()
    index = app.router.middleware_stack
    if isinstance(index, route_index.RouteIndex):
        # Before the first request, not in it; through the thread pool, which its first use imports
        # (anyio's backend: 14 ms) and starts.
        await anyio.to_thread.run_sync(index.warm_up)
    try:
        yield
    finally:
        if runner is not None:
            await asyncio.to_thread(runner.stop)
        if delivery is not None:
            await asyncio.to_thread(delivery.stop)
        # Last, the process's heartbeat (when one runs): its lease covers the work that just finished.
        owner = getattr(app.state, "owner", None)
        if owner is not None:
            await asyncio.to_thread(owner.stop)


def _start_owner(engine: Engine, processor: Processor, settings: Settings) -> Owner:
    """This process's owner of payment work (its lease renewed by a daemon heartbeat; `stop()` ends it),
    and the recovery of what dead owners left, before the first request. On a database not migrated yet
    (the OpenAPI export's empty one) nothing starts: nothing could be paid there."""
    owner = owners.register(owners.Owner(engine))
    if inspect(engine).has_table("process_leases"):
        owner.start()
        settled = recovery.recover(engine, processor, settings)
        if settled:
            log.info("recovered %d unfinished payments or keys left by a stopped server", settled)
    return owner


def _json_error(status: int, body: dict, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _json_error(exc.status, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = list(first.get("loc", ()))
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]  # only the leading source: a field may itself be named "body" (contact us)
        if first.get("loc", ("",))[0] == "path":
            # A path id that is not a positive integer names nothing that exists.
            return _json_error(404, error_body("not_found", "not_found", "No such resource."))
        if first.get("type") == "json_invalid":
            return _json_error(
                400, error_body("invalid_request", "invalid_request", "The body is not valid JSON.")
            )
        param = next((str(part) for part in reversed(loc) if isinstance(part, str)), None)
        message = str(first.get("msg", "Invalid input."))
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        code = "invalid_request"
        if param == "email":
            code, message = "invalid_email", "Enter a valid email address, like name@example.com"
        readable = f"{param}: {message}." if param else f"{message}."
        return _json_error(400, error_body("invalid_request", code, readable.replace("..", "."), param))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            body = error_body("not_found", "not_found", "No such route: check the method and the path.")
        elif exc.status_code == 405:
            body = error_body(
                "invalid_request", "method_not_allowed", "That method is not allowed on this path."
            )
        elif exc.status_code < 500:
            body = error_body("invalid_request", "invalid_request", str(exc.detail))
        else:
            body = error_body("server", "internal_error", "Something went wrong on the server. Try again.")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; a path served by two routes
            # (GET list, POST create) must name both.
            headers["Allow"] = ", ".join(_allowed_methods(app, request.url.path))
        return _json_error(exc.status_code, body, headers or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _json_error(
            500,
            error_body(
                "server", "internal_error", "Something went wrong on the server. Try again in a minute."
            ),
        )


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method of every route whose path matches. FastAPI keeps an included router as one
    `_IncludedRouter` entry of `app.router.routes` (not its routes): `iter_route_contexts` walks into it."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.router.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(route.methods or ())
    return sorted(methods)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, made to say exactly what the server does:
    - a request that fails validation answers the house 400 here (a path id that is not one: 404), never
      FastAPI's 422:
      that default 422 goes, and a 422 a route documents itself (`idempotency_key_reused`) stays;
    - a query or header parameter is absent or a value, never null (FastAPI writes `anyOf [T, null]` for
      an optional one), and an `Idempotency-Key` is required (a missing one is a 400);
    - an operation that takes a body can answer 413 (over 64 KiB) and 408 (not sent in time): the request
      limits (request_limits.py) answer before the route is reached."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            if _is_fastapi_validation_answer(responses.get("422")):
                del responses["422"]
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                parameter["schema"] = _not_null(parameter["schema"])
                if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key":
                    parameter["required"] = True
            if operation.get("requestBody") or any(p["in"] != "path" for p in parameters):
                responses.setdefault("400", _error_answer("Bad input: `param` names the field."))
            if operation.get("requestBody"):
                responses.setdefault("408", _error_answer("The body came too slowly (`request_timeout`)."))
                responses.setdefault("413", _error_answer("The body is over 64 KiB (`request_too_large`)."))
            if any(parameter["in"] == "path" for parameter in parameters):
                responses.setdefault("404", _error_answer("No such resource (or not yours)."))
    components = schema.get("components", {}).get("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def _is_fastapi_validation_answer(response: dict[str, Any] | None) -> bool:
    content = (response or {}).get("content", {}).get("application/json", {})
    return content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError")


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    variants = [v for v in schema.get("anyOf", []) if v != {"type": "null"}]
    if len(variants) == 1 and len(schema["anyOf"]) == 2:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**rest, **variants[0]}
    return schema


def _error_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
