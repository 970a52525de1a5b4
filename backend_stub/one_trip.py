"""One trip to the thread pool per request.

FastAPI runs every sync dependency on the thread pool, one trip each (a generator twice: enter and exit), then
the sync endpoint, then (for a `response_model`) the answer's validation: six trips for an invoice page.
Each trip hands the GIL between the event loop and a worker; under 16 connections that cost more than the
queries. Here a dependency that does I/O is declared with `@in_request_thread`: FastAPI sees an `async def`
that only records the call (a `Deferred`), and a route of `OneTripRoute` computes the recorded calls in the
endpoint's own trip, in the order FastAPI would have (a dependency's own dependencies first), enters the
generators (the request's transaction) on an exit stack that closes when the endpoint returns, before the
answer is sent, and serialises the endpoint's model there too.

A route of another class (or one with a dependency that is not deferred but takes a deferred value) gets
them computed at once, each on its own trip, as FastAPI always did: the same answers, only slower.

No trip at all for a short read (`@short_read` on the endpoint) where the app allows it
(`app.state.short_reads_on_loop`, set for a SQLite file): the recorded calls and the endpoint run on the
event loop itself. Under 16 connections that is faster than any trip: each SQLite step releases the GIL
and a pool thread waits for it back behind the others (a page of 50 rows is 50 steps). A dependency
runs there only if it says it may (`on_loop`: a read, or a check that does no I/O); the first that may
not (a clerk's audited transaction, which writes and so may wait for the write lock) sends the rest of
the request, with what was already begun, to the thread pool.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager, AsyncExitStack, ExitStack, contextmanager, nullcontext
from typing import Any

from fastapi import routing as fastapi_routing
from fastapi.concurrency import contextmanager_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.models import _get_cache_key as fastapi_cache_key
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from backend_stub import shared_read
from backend_stub.dependency_plan import DEFERRED_FACTORY, plan_for
from backend_stub.route_index import DIRECT_APP

# While a OneTripRoute solves its dependencies: the calls the deferred ones recorded, in FastAPI's order.
_deferring: contextvars.ContextVar[list[Deferred] | None] = contextvars.ContextVar(
    "paydesk_deferring", default=None
)
_DEFERRED_MARK = DEFERRED_FACTORY  # the plan (backend_stub.dependency_plan) records through it
_SHORT_READ_MARK = "__paydesk_short_read__"
_RESULT_KEY = "paydesk_endpoint_result"  # the scope key a planned route's result waits in for FastAPI
# Whether the app lets this request's short reads run on the event loop (see the module docstring), and
# whether the request is running there now.
_loop_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("paydesk_loop_allowed", default=False)
_on_loop = shared_read.on_loop
OnLoop = bool | Callable[..., bool]


class _OffTheLoop(Exception):
    """A dependency that may not run on the event loop was reached there: go on in the thread pool."""


class Deferred:
    """A dependency's call with its arguments, computed once, in the request's trip to the thread pool."""

    __slots__ = ("_call", "_done", "_generator", "_kwargs", "_on_loop", "_value")

    def __init__(
        self, call: Callable[..., Any], kwargs: dict[str, Any], generator: bool, on_loop: OnLoop = False
    ) -> None:
        self._call, self._kwargs, self._generator, self._on_loop = call, kwargs, generator, on_loop
        self._done, self._value = False, None

    def value(self, stack: ExitStack) -> Any:
        if not self._done:
            kwargs = {name: resolve(arg, stack) for name, arg in self._kwargs.items()}
            if _on_loop.get() and not (
                self._on_loop is True or (callable(self._on_loop) and self._on_loop(**kwargs))
            ):
                raise _OffTheLoop
            if self._generator:
                self._value = stack.enter_context(contextmanager(self._call)(**kwargs))
            else:
                self._value = self._call(**kwargs)
            self._done = True
        return self._value


def resolve(arg: Any, stack: ExitStack) -> Any:
    return arg.value(stack) if isinstance(arg, Deferred) else arg


def _record(recorded: list[Deferred], deferred: Deferred) -> Deferred:
    recorded.append(deferred)
    return deferred


def _checks_before(error: Exception, recorded: list[Deferred]) -> None:
    """Raise what the recorded dependencies raise (401, 403, 404), else `error`: computed at once, they
    would have answered before the request's own input was checked. The transaction rolls back."""
    with ExitStack() as stack:
        for deferred in recorded:
            deferred.value(stack)
        raise error


def in_request_thread(
    call: Callable[..., Any] | None = None, *, io: bool = True, on_loop: OnLoop = False
) -> Any:
    """Declare a sync dependency (a function or a generator) that runs in the request's one trip to the
    thread pool. Its parameters are FastAPI's as usual (sub-dependencies, path, query, header...).
    `io=False`: a check that does no I/O; where it is not deferred it runs on the event loop at once.
    `on_loop`: True, or a test of its arguments: it only reads (briefly, never waiting for a lock), so a
    `@short_read` may run it on the event loop (a dependency with `io=False` always may)."""
    if call is None:
        return functools.partial(in_request_thread, io=io, on_loop=on_loop)
    on_loop = True if not io else on_loop
    # Annotations evaluated here, in the module of `call`: FastAPI reads the stub's, not those of `call`
    # (a `__wrapped__` would make FastAPI take the stub for the sync function it wraps).
    try:
        signature = inspect.signature(call, eval_str=True)
    except NameError:  # a closure's string annotations: FastAPI cannot read those either
        signature = inspect.signature(call)
    generator = inspect.isgeneratorfunction(call)
    if generator:

        async def deferred_generator(**kwargs: Any) -> Any:
            if (recorded := _deferring.get()) is not None:
                yield _record(recorded, Deferred(call, kwargs, generator=True, on_loop=on_loop))
                return
            async with contextmanager_in_threadpool(contextmanager(call)(**kwargs)) as value:
                yield value

        stub: Callable[..., Any] = deferred_generator
    else:

        async def deferred_function(**kwargs: Any) -> Any:
            if (recorded := _deferring.get()) is not None:
                return _record(recorded, Deferred(call, kwargs, generator=False, on_loop=on_loop))
            return await run_in_threadpool(call, **kwargs) if io else call(**kwargs)

        stub = deferred_function
    stub.__signature__ = signature  # type: ignore[attr-defined]
    stub.__name__, stub.__qualname__, stub.__doc__ = call.__name__, call.__qualname__, call.__doc__
    stub.__module__ = call.__module__
    setattr(stub, _DEFERRED_MARK, lambda kwargs: Deferred(call, kwargs, generator=generator, on_loop=on_loop))
    return stub


def short_read(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a OneTripRoute's endpoint as a short read: it reads through its dependencies' transaction or
    a short `reading()` of its own, and writes only through a transaction a dependency opens (which says
    whether it may run on the event loop). Where the app allows it the request makes no trip at all."""
    setattr(endpoint, _SHORT_READ_MARK, True)
    return endpoint


def _defers(dependant: Dependant) -> bool:
    """Whether the sub-dependency `dependant` yields a Deferred; raises if one that does not takes one."""
    below = [_defers(sub) for sub in dependant.dependencies]
    deferred = getattr(dependant.call, _DEFERRED_MARK, False)
    if any(below) and not deferred:
        raise _NotOneTrip
    return deferred


def _claims_shared_read(dependant: Dependant) -> bool:
    return any(
        getattr(sub.call, shared_read.CLAIMS, False) or _claims_shared_read(sub)
        for sub in dependant.dependencies
    )


class _NotOneTrip(Exception):
    pass


def _one_trip_possible(dependant: Dependant) -> bool:
    try:
        for sub in dependant.dependencies:
            _defers(sub)
    except _NotOneTrip:
        return False
    return getattr(dependant.call, _SHORT_READ_MARK, False) or not inspect.iscoroutinefunction(dependant.call)


def _has_params(dependant: Dependant) -> bool:
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    ) or any(_has_params(sub) for sub in dependant.dependencies)


def without_repeats(dependant: Dependant) -> Dependant:
    """The same dependencies, each shared one solved once. FastAPI solves a sub-dependency's whole tree
    every time it appears before it looks in its cache: the caller (token, bearer, engine) is under the
    account check, the transaction and the filters' check, 23 dependencies solved for 9 calls, 40% of an
    invoice page's time. A repeat is cut to a leaf that finds the first one's value in the cache. Only
    a repeat without parameters is cut (its first solving can fail on none, so its value is always
    there), and only where the leaf keeps FastAPI's cache key."""
    seen: set[Any] = set()

    def walk(node: Dependant) -> Dependant:
        subs = []
        for sub in node.dependencies:
            key = fastapi_cache_key(dependant=sub)
            if sub.use_cache and key in seen and not _has_params(sub):
                leaf = dataclasses.replace(sub, dependencies=[])
                if fastapi_cache_key(dependant=leaf) == key:
                    subs.append(leaf)
                    continue
            subs.append(walk(sub))
            seen.add(key)
        return dataclasses.replace(node, dependencies=subs)

    return walk(dependant)


class OneTripRoute(APIRoute):
    """A route whose deferred dependencies, endpoint and answer's serialisation share one trip to the
    thread pool (see the module docstring). Its endpoint must be a plain `def`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._shares_read = False  # whether the caller's read is handed on (set with the handler)
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = self._in_one_trip(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def _sharing(self) -> AbstractContextManager[None]:
        return shared_read.sharing() if self._shares_read else nullcontext()

    def _in_one_trip(self, endpoint: Callable[..., Any]) -> Callable[..., Any]:
        def finish(stack: ExitStack, kwargs: dict[str, Any]) -> Any:
            with stack:  # the request's transaction ends here, before the answer is made
                with self._sharing():
                    values = {name: resolve(arg, stack) for name, arg in kwargs.items()}
                result = endpoint(**values)
            return self._answer(result)

        if not getattr(endpoint, _SHORT_READ_MARK, False):

            @functools.wraps(endpoint)
            def run(**kwargs: Any) -> Any:
                return finish(ExitStack(), kwargs)

            return run

        @functools.wraps(endpoint)
        async def run_short_read(**kwargs: Any) -> Any:
            if not _loop_allowed.get():
                return await run_in_threadpool(finish, ExitStack(), kwargs)
            begun = None
            token = _on_loop.set(True)
            try:
                with ExitStack() as stack:
                    try:
                        with self._sharing():
                            values = {name: resolve(arg, stack) for name, arg in kwargs.items()}
                        result = endpoint(**values)
                    except _OffTheLoop:
                        begun = stack.pop_all()  # what was begun here ends in the thread
            finally:
                _on_loop.reset(token)
            if begun is not None:
                return await run_in_threadpool(finish, begun, kwargs)
            return self._answer(result)

        setattr(run_short_read, _SHORT_READ_MARK, True)
        return run_short_read

    def _answer(self, result: Any) -> Any:
        """The endpoint's model as JSON, as FastAPI would serialise it for this route; anything else (a
        Response, a dict, another model) is left to FastAPI."""
        if (
            isinstance(result, BaseModel)
            and type(result) is self.response_model
            and self.response_model_include is None
            and self.response_model_exclude is None
            and not (
                self.response_model_exclude_unset
                or self.response_model_exclude_defaults
                or self.response_model_exclude_none
            )
        ):
            return Response(
                result.model_dump_json(by_alias=self.response_model_by_alias),
                status_code=self.status_code or 200,
                media_type="application/json",
            )
        return result

    def get_route_handler(self) -> Callable[..., Any]:
        # A route included in a router is handled by FastAPI's per-inclusion copy of it (its context),
        # with a dependant of its own.
        context_var = getattr(fastapi_routing, "_effective_route_context_var", None)
        context = context_var.get() if context_var is not None else None
        route: Any = context if getattr(context, "original_route", None) is self else self
        route.dependant = without_repeats(route.dependant)
        self._shares_read = _claims_shared_read(route.dependant)
        if not _one_trip_possible(route.dependant):
            return super().get_route_handler()  # each dependency computed at once, on its own trip
        handler, planned = self._planned_handler(route)

        @functools.wraps(handler)
        async def one_trip(request: Any) -> Any:
            recorded: list[Deferred] = []
            token = _deferring.set(recorded)
            allowed = _loop_allowed.set(getattr(request.app.state, "short_reads_on_loop", False))
            try:
                return await handler(request)
            except RequestValidationError as error:
                if not recorded:
                    raise
                await run_in_threadpool(_checks_before, error, recorded)
                raise  # pragma: no cover - _checks_before always raises
            finally:
                _deferring.reset(token)
                _loop_allowed.reset(allowed)

        if planned and getattr(route, "max_body_size", None) is None:  # FastAPI's app applies a limit
            setattr(route, DIRECT_APP, _direct_app(one_trip))
        return one_trip

    def _planned_handler(self, route: Any) -> tuple[Callable[..., Any], bool]:
        """FastAPI's handler, with the tree solved by its plan (backend_stub.dependency_plan) where one
        can be made (never for a route with a body): the plan's values go to the endpoint, and its answer,
        unless a Response already, to FastAPI's own handler to serialise (it sees one dependency, the
        result, and an endpoint that returns it). `route.dependant` stays the real tree (OpenAPI reads
        it); it is swapped only while FastAPI builds that handler. With it, whether the tree was planned."""
        plan = plan_for(route.dependant)
        if plan is None:
            return super().get_route_handler(), False
        endpoint = route.dependant.call
        coroutine = inspect.iscoroutinefunction(endpoint)

        async def call_endpoint(values: dict[str, Any]) -> Any:
            if coroutine:
                return await endpoint(**values)
            return await run_in_threadpool(endpoint, **values)

        serialising_handler = self._serialising(route)
        fastapi_handler = super().get_route_handler()

        async def handler(request: Request) -> Any:
            # The plan solves the real tree; overridden dependencies are FastAPI's to swap in.
            if request.app.dependency_overrides:
                return await fastapi_handler(request)
            # What FastAPI's handler does for a route without a body, less its bookkeeping (a tenth of
            # an invoice page): solve, call, and hand a Response back as it is.
            result = await call_endpoint(await plan.solve(request, _deferring.get()))
            return await _answered(request, result, serialising_handler)

        return handler, True

    def _serialising(self, route: Any) -> Callable[..., Any]:
        """FastAPI's handler for a route whose one value is the endpoint's result: an answer that is not a
        Response yet (a model, a dict) is FastAPI's to serialise, as it would for this route. The route's
        real tree (OpenAPI reads it) is swapped out only while FastAPI builds that handler."""

        async def result_of(request: Request) -> Any:
            return request.scope.pop(_RESULT_KEY)

        async def give(result: Any) -> Any:
            return result

        serialising = Dependant(
            call=give,
            path=route.dependant.path,
            dependencies=[Dependant(call=result_of, name="result", request_param_name="request")],
        )
        real, body_field, route.dependant, route.body_field = (
            route.dependant,
            route.body_field,
            serialising,
            None,
        )
        try:
            return APIRoute.get_route_handler(self)
        finally:
            route.dependant, route.body_field = real, body_field


class BodyOneTripRoute(OneTripRoute):
    """A OneTripRoute whose endpoint takes one JSON body (a payment): FastAPI's solver, which a route with
    a body always needed, is a sixth of a payment's CPU time with the request's reading of its body. The
    usual request (`Content-Type: application/json`, a body its model takes) is solved by the plan of its
    other parameters (backend_stub.dependency_plan) and the body validated by FastAPI's own field for it;
    any other (no or another content type, JSON or a body the model refuses, a parameter the plan
    refuses, overridden dependencies) goes to FastAPI's handler, which answers it as it always did."""

    def _planned_handler(self, route: Any) -> tuple[Callable[..., Any], bool]:
        dependant = route.dependant
        if len(dependant.body_params) != 1:
            return super()._planned_handler(route)
        body_field = dependant.body_params[0]
        plan = plan_for(dataclasses.replace(dependant, body_params=[]))
        if plan is None:
            return super()._planned_handler(route)
        endpoint = dependant.call
        fastapi_handler = APIRoute.get_route_handler(self)  # one_trip (above) wraps the whole handler
        serialising_handler = self._serialising(route)

        async def handler(request: Request) -> Any:
            if request.app.dependency_overrides or request.headers.get("content-type") != "application/json":
                return await fastapi_handler(request)
            try:
                body = await request.body()
            except Exception as error:  # a client gone mid-body: what FastAPI answers (nobody reads it)
                raise HTTPException(status_code=400, detail="There was an error parsing the body") from error
            try:
                received = await request.json() if body else None
            except ValueError:  # FastAPI's handler answers bad JSON in its own words
                return await fastapi_handler(request)
            if received is None:
                return await fastapi_handler(request)
            value, errors = body_field.validate(received, {}, loc=("body",))
            if errors:
                return await fastapi_handler(request)
            recorded = _deferring.get()
            try:
                values = await plan.solve(request, recorded)
            except RequestValidationError:
                if recorded is not None:
                    recorded.clear()  # only recorded, never run: FastAPI's handler records them afresh
                return await fastapi_handler(request)
            values[body_field.name] = value
            return await _answered(request, await run_in_threadpool(endpoint, **values), serialising_handler)

        return handler, False  # FastAPI's handlers it falls back on need request_response's exit stacks


async def _answered(request: Request, result: Any, serialising_handler: Callable[..., Any]) -> Any:
    """A planned endpoint's result as its answer: a Response as it is; anything else FastAPI's to
    serialise (`OneTripRoute._serialising`), which asserts the exit stacks request_response makes: the
    direct app (below) has none, so they are made here for it."""
    if isinstance(result, Response):
        return result
    request.scope[_RESULT_KEY] = result
    if "fastapi_inner_astack" in request.scope:
        return await serialising_handler(request)
    async with AsyncExitStack() as inner, AsyncExitStack() as function:
        request.scope["fastapi_inner_astack"] = inner
        request.scope["fastapi_function_astack"] = function
        return await serialising_handler(request)


def _direct_app(handler: Callable[[Request], Any]) -> Callable[..., Any]:
    """FastAPI's `request_response(handler)` for a planned route (a twentieth of an invoice page), for
    backend_stub.route_index to call: the request, the handler, its Response sent. Without the two exit
    stacks per request (a planned tree has no generator FastAPI would close; the handler makes them
    where it hands a result to FastAPI's serialiser) and without the route's own exception wrapper (an
    error goes up to Starlette's ExceptionMiddleware, which answers it with the same handlers). While
    dependency overrides are set (tests) the route's own app, FastAPI's, serves."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["app"].dependency_overrides:
            await scope["route"].handle(scope, receive, send)
            return
        response = await handler(Request(scope, receive, send))
        await response(scope, receive, send)

    return app
