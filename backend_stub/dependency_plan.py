"""A route's dependency tree, planned once and solved per request without FastAPI's bookkeeping.

FastAPI 0.16x solves a tree anew on every request: for each node it works out again whether the call is a
generator, a coroutine or a security scheme, builds its cache key and validates its (mostly empty)
parameter lists. For an invoice page (the caller, the account check, the transaction, the filters) that
was 35% of the request, more than its three queries. A `Plan` does that work once, when the route is
built, and then solves the tree as `fastapi.dependencies.utils.solve_dependencies` does: depth first, a
shared dependency once (the same cache key), each node's own parameters validated by FastAPI's own
`request_params_to_args` in FastAPI's order, a node whose inputs failed left uncalled while the others go
on, and all the errors raised together at the end; an exception a dependency raises goes up at once.

Only trees it can solve exactly are planned (`plan_for` answers None otherwise, and the route keeps
FastAPI's solver): no request body, no sync or generator dependency (`@in_request_thread` ones are
async stubs that record a `Deferred`: the plan records it directly), no `Response`, background tasks,
security scopes or websocket parameters. A request made while dependency overrides are set is FastAPI's
to solve (backend_stub.one_trip picks the handler).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from fastapi._compat import ModelField, field_annotation_is_sequence, get_missing_field_error
from fastapi.dependencies import utils as fastapi_utils
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.models import _get_cache_key as fastapi_cache_key
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

# The attribute an `@in_request_thread` stub carries: a function of the stub's keyword arguments that
# returns the Deferred the stub would have recorded (backend_stub.one_trip).
DEFERRED_FACTORY = "__paydesk_deferred__"


@dataclass(frozen=True, slots=True)
class _Param:
    """One path, query, header or cookie parameter, read as `request_params_to_args` reads it, with what
    that works out per request (its aliases, whether it is a list, its default) worked out once."""

    field: ModelField
    name: str
    where: str  # the loc's first part: path, query, header, cookie
    aliases: tuple[tuple[str, str], ...]  # (validation alias, request key), in preference order
    required: bool
    default: Any
    copy_default: bool  # a mutable default is copied for each request, as FastAPI does
    validate_default: bool

    def read(self, received: Any, values: dict[str, Any], errors: list[Any]) -> None:
        key = self.aliases[0][1]
        if len(self.aliases) > 1:
            key = next((pair[1] for pair in self.aliases if pair[1] in received), key)
        # `in` first: a missing key's `get` on Starlette's query parameters raises and catches a KeyError.
        value = received[key] if key in received else None  # noqa: SIM401 (see above)
        loc = (self.where, key)
        if value is None:
            if self.required:
                errors.append(get_missing_field_error(loc=loc))
                return
            value = deepcopy(self.default) if self.copy_default else self.default
            if not self.validate_default:
                values[self.name] = value
                return
        found, failed = self.field.validate(value, values, loc=loc)
        if failed:
            errors.extend(failed)
        else:
            values[self.name] = found


@dataclass(frozen=True, slots=True)
class _Node:
    name: str | None
    call: Callable[..., Any]
    key: Any  # FastAPI's cache key: a shared dependency is solved once per request
    use_cache: bool
    record: Callable[[dict[str, Any]], Any] | None  # a deferred stub's factory, else None
    params: tuple[tuple[str, tuple[_Param, ...]], ...]  # (where: path/query/header/cookie, its params)
    request_param_name: str | None
    connection_param_name: str | None  # a security scheme's `request: HTTPConnection`
    subs: tuple[_Node, ...]


@dataclass(frozen=True, slots=True)
class _Step:
    """One node of the tree in the plan's program: entered before its dependencies, finished after them
    (`finish`); `skip_to` is the step after its finish, where a node solved before in the request jumps."""

    node: _Node
    finish: bool
    skip_to: int


class Plan:
    """The solved values of a route's endpoint parameters, or a RequestValidationError.

    The tree is run as a flat program (each node entered, its dependencies, the node finished) by one
    loop, instead of one coroutine per node: the same order, cache and errors as a recursive solve."""

    def __init__(self, root: _Node) -> None:
        self._root = root
        self._steps = _program(root)

    async def solve(self, request: Request, recorded: list[Any] | None) -> dict[str, Any]:
        steps = self._steps
        cache: dict[Any, Any] = {}
        # One frame per node being solved: (its values, its errors); the root's is the first.
        frames: list[tuple[dict[str, Any], list[Any]]] = [({}, [])]
        at, end = 0, len(steps)
        while at < end:
            step = steps[at]
            node = step.node
            if not step.finish:
                if node.use_cache and node.key in cache:
                    # Solved before in this request, without errors (only those are kept): FastAPI would
                    # solve its tree again, to the same values, and then take the kept one.
                    if node.name is not None:
                        frames[-1][0][node.name] = cache[node.key]
                    at = step.skip_to
                    continue
                frames.append(({}, []))
                at += 1
                continue
            values, node_errors = frames.pop()
            _read_own(node, request, values, node_errors)
            parent_values, parent_errors = frames[-1]
            if node_errors:
                parent_errors.extend(node_errors)
            else:
                if node.record is not None:
                    solved = node.record(values)
                    if recorded is not None:
                        recorded.append(solved)
                else:
                    solved = await node.call(**values)
                if node.name is not None:
                    parent_values[node.name] = solved
                cache[node.key] = solved
            at += 1
        values, errors = frames[0]
        _read_own(self._root, request, values, errors)
        if errors:
            raise RequestValidationError(errors, body=None)
        return values


def _program(root: _Node) -> tuple[_Step, ...]:
    """The root's dependencies as steps, depth first, each node entered before its own and finished
    after them."""
    steps: list[_Step | None] = []

    def add(node: _Node) -> None:
        entered = len(steps)
        steps.append(None)  # filled once its subtree's length is known
        for sub in node.subs:
            add(sub)
        steps.append(_Step(node, finish=True, skip_to=len(steps) + 1))
        steps[entered] = _Step(node, finish=False, skip_to=len(steps))

    for sub in root.subs:
        add(sub)
    return tuple(step for step in steps if step is not None)


def _read_own(node: _Node, request: Request, values: dict[str, Any], errors: list[Any]) -> None:
    """The node's own parameters (after its dependencies, as FastAPI reads them), and the request."""
    for where, params in node.params:
        received = _source(request, where)
        for param in params:
            param.read(received, values, errors)
    if node.connection_param_name:
        values[node.connection_param_name] = request
    if node.request_param_name:
        values[node.request_param_name] = request


class _Unplannable(Exception):
    pass


def _source(request: Request, where: str) -> Any:
    if where == "path":
        return request.path_params
    if where == "query":
        return request.query_params
    if where == "header":
        return request.headers
    return request.cookies


def plan_for(dependant: Dependant) -> Plan | None:
    """The plan of the endpoint's tree, or None where only FastAPI's own solver is exact."""
    try:
        root = _node(dependant, is_root=True)
    except _Unplannable:
        return None
    return Plan(root)


def _node(dependant: Dependant, *, is_root: bool = False) -> _Node:
    if (
        dependant.body_params
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.websocket_param_name
        or dependant.own_oauth_scopes
    ):
        raise _Unplannable("a parameter only FastAPI's solver fills")
    call = dependant.call
    record = getattr(call, DEFERRED_FACTORY, None)
    if not is_root and record is None and not _is_plain_coroutine(call):
        raise _Unplannable("a sync or generator dependency")
    params = tuple(
        (where, tuple(_param(field, where) for field in fields))
        for where, fields in (
            ("path", dependant.path_params),
            ("query", dependant.query_params),
            ("header", dependant.header_params),
            ("cookie", dependant.cookie_params),
        )
        if fields
    )
    return _Node(
        name=dependant.name,
        call=call,  # type: ignore[arg-type]
        key=fastapi_cache_key(dependant=dependant),
        use_cache=dependant.use_cache,
        record=record,
        params=params,
        request_param_name=dependant.request_param_name,
        connection_param_name=dependant.http_connection_param_name,
        subs=tuple(_node(sub) for sub in dependant.dependencies),
    )


_IMMUTABLE = (str, int, float, bool, bytes, type(None), tuple, frozenset)


def _param(field: ModelField, where: str) -> _Param:
    """A plain parameter; anything `request_params_to_args` reads another way (a model of parameters, a
    list, a JSON value) is left to FastAPI's solver."""
    if (
        fastapi_utils._get_param_model(field) is not None
        or fastapi_utils._is_json_field(field)
        or field_annotation_is_sequence(field.field_info.annotation)
    ):
        raise _Unplannable("a parameter read another way")
    info = field.field_info
    return _Param(
        field=field,
        name=field.name,
        where=where,
        aliases=tuple(fastapi_utils._get_param_aliases(field)),
        required=info.is_required(),
        default=field.default,
        copy_default=not isinstance(field.default, _IMMUTABLE),
        validate_default=bool(info.validate_default),
    )


def _is_plain_coroutine(call: Any) -> bool:
    """An `async def` (or an object whose `__call__` is one, like a security scheme), not a generator."""
    if inspect.iscoroutinefunction(call):
        return True
    dunder = getattr(call, "__call__", None)  # noqa: B004 - the method itself, not callable()
    return not inspect.isclass(call) and inspect.iscoroutinefunction(dunder)
