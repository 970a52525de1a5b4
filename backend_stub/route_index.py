"""In front of FastAPI's router: the route that serves a request's method and path, found once.

FastAPI 0.165 keeps each included router as one entry of `app.router.routes`. For every request it asks
each entry in turn whether it serves the path (each asks each of its routes' patterns), then asks the
chosen router again, route by route, to hand the request over: a fifth of an invoice page's Python. What
those scans choose depends only on the method and the path (the routes are fixed once the app is built),
so the index remembers, for each (method, path) it saw served in full, the entry, the included route's
context and the scope each step added, and replays FastAPI's own steps with them. A path not seen yet,
and one no route serves in full (a wrong method: 405; none: 404), goes through FastAPI's scans as before.

Bounded: at most `MAX_PATHS` paths are remembered (the oldest is forgotten first), so paths made up by a
client cost one scan each and no memory beyond that. Relies on FastAPI's internals of the pinned
version (pyproject: fastapi <0.166); tests/unit/test_route_index.py checks that every route of the app
is reached as FastAPI reaches it, first seen and remembered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.routing import (
    _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY,
    _FASTAPI_INCLUDED_ROUTER_KEY,
    APIRoute,
    APIRouter,
    _apply_router_form_limits,
    _get_fastapi_scope,
    _IncludedRouter,
    _route_selected,
    _update_scope,
)
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

MAX_PATHS = 4096
# A route's context may carry, under this name, an ASGI app that serves a request it matched in full as
# its own app does (backend_stub.one_trip sets one for a planned route): the index calls it directly.
DIRECT_APP = "paydesk_direct_app"


@dataclass(frozen=True, slots=True)
class _Choice:
    """What FastAPI's scans chose for one (method, path): the router's entry and the scope it added;
    for an included router, also the route's context in it and the scope that added (else None)."""

    entry: BaseRoute
    entry_scope: Scope
    context: Any = None  # FastAPI's _EffectiveRouteContext of an APIRoute in an included router
    route_scope: Scope | None = None


class RouteIndex:
    """The router's entry point (`router.middleware_stack`): remembered choices, else FastAPI's scans."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._chosen: dict[tuple[str, str], _Choice] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router.app(scope, receive, send)
            return
        key = (scope["method"], scope["path"])
        choice = self._chosen.get(key)
        if choice is None:
            choice = self._full_match(scope)
            if choice is None:
                await self.router.app(scope, receive, send)  # FastAPI's own way to 404, 405, redirects
                return
            if len(self._chosen) >= MAX_PATHS:
                del self._chosen[next(iter(self._chosen))]
            self._chosen[key] = choice
        # APIRouter.app's steps for the first entry that matches in full ...
        _apply_router_form_limits(scope, self.router.form_limits)
        if "router" not in scope:
            scope["router"] = self.router
        entry = choice.entry
        _update_scope(scope, dict(choice.entry_scope))
        _route_selected(scope=scope, path=getattr(entry, "path_format", None), mount=isinstance(entry, Mount))
        if choice.context is None:
            await entry.handle(scope, receive, send)
            return
        # ... then _IncludedRouter.handle's and _handle_selected's for the APIRoute it matched.
        assert isinstance(entry, _IncludedRouter) and choice.route_scope is not None
        _apply_router_form_limits(scope, entry.include_context.form_limits)
        _get_fastapi_scope(scope)[_FASTAPI_INCLUDED_ROUTER_KEY] = entry
        _update_scope(scope, dict(choice.route_scope))
        context = choice.context
        path = getattr(context.starlette_route, "path_format", None) or context.path_format
        _route_selected(scope=scope, path=path, mount=False)
        _get_fastapi_scope(scope)[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = context
        scope["route"] = context.original_route
        direct = getattr(context, DIRECT_APP, None)
        if direct is not None:
            await direct(scope, receive, send)  # the method is one it serves: a full match
            return
        await context.original_route.handle(scope, receive, send)

    def warm_up(self) -> None:
        """Build now what FastAPI builds on the first request that reaches each included router: its
        routes' contexts and handlers (for this app about 45 ms, which a fresh worker's first caller
        waited for). Called at start, before the first request."""
        branches = [entry for entry in self.router.routes if isinstance(entry, _IncludedRouter)]
        while branches:
            branch = branches.pop()
            branches.extend(c for c in branch.effective_candidates() if isinstance(c, _IncludedRouter))

    def _full_match(self, scope: Scope) -> _Choice | None:
        """What APIRouter.app's scan chooses (the first entry that serves this scope in full; a full match
        wins over a partial one before it), and in an included router what its own scan chooses when
        that is an APIRoute; None if no entry serves it in full."""
        probe: dict[str, Any] = {**scope, "fastapi": dict(scope.get("fastapi", {}))}  # scans note there
        for entry in self.router.routes:
            match, entry_scope = entry.matches(probe)
            if match != Match.FULL:
                continue
            if not isinstance(entry, _IncludedRouter):
                return _Choice(entry, entry_scope)
            _update_scope(probe, entry_scope)
            _get_fastapi_scope(probe)[_FASTAPI_INCLUDED_ROUTER_KEY] = entry
            inner, route_scope, route, context = entry._match(probe)
            served_here = inner == Match.FULL and context is not None and context.original_route is route
            if served_here and isinstance(route, APIRoute):
                return _Choice(entry, entry_scope, context, route_scope)
            return _Choice(entry, entry_scope)  # a nested router or another kind: its own handle decides
        return None


def install(router: APIRouter) -> None:
    """Put the index in front of `router` (after its routes are all included)."""
    router.middleware_stack = RouteIndex(router)
