"""The few reads every request makes, straight through the driver's cursor.

SQLAlchemy's `Connection.execute` costs about 60 µs of Python per statement here (execution context,
events, the result's row processors) and 3 µs per fetched row, while SQLite answers the session lookup
in 10 µs and a page of 50 invoices in 100 µs. An invoice page makes four such statements and fetches 52
rows: two thirds of its database time was SQLAlchemy's. `mappings` runs a statement built once (a
module constant) in the connection's own transaction, on the same DBAPI connection, with SQLAlchemy's
own bind and result processors (dates and times stored on SQLite as SQLAlchemy writes them), so its
rows are the values `conn.execute(...).mappings()` gives, as plain dicts. Driver errors come back as
SQLAlchemy's (`sqlalchemy.exc.DBAPIError` and its kinds), as they would from `conn.execute`.

For reads of constant statements only: the compiled form is kept per statement and dialect for the
life of the process. No events fire for these statements (`before_cursor_execute` listeners do not
see them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.sql import Executable


@dataclass(slots=True)
class _Compiled:
    sql: str
    binds: Callable[[Mapping[str, Any]], Any]  # the driver's parameters from the caller's
    keys: tuple[str, ...]  # each result column's label
    types: tuple[Any, ...]  # each result column's SQLAlchemy type
    processors: list[Callable[[Any], Any] | None] | None = None  # per result column, found at first use


_COMPILED: dict[tuple[int, str], tuple[Executable, _Compiled]] = {}
_LOCK = threading.Lock()


def _run(conn: Connection, compiled: Any, params: Mapping[str, Any], cursor: Any) -> None:
    """`compiled` run on `params` in the driver's `cursor`, its errors wrapped as SQLAlchemy's are. (The
    callers close the cursor: a context manager here cost a tenth of a short statement.)"""
    parameters = compiled.binds(params)
    try:
        cursor.execute(compiled.sql, parameters)
    except conn.dialect.loaded_dbapi.Error as error:
        dbapi_error = conn.dialect.loaded_dbapi.Error
        raise exc.DBAPIError.instance(compiled.sql, parameters, error, dbapi_error) from error


def _cursor(conn: Connection) -> Any:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    return dbapi.cursor()


def mappings(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every row of `statement` (a constant) with `params`, as dicts keyed by column label."""
    compiled = _compiled(conn, statement)
    cursor = _cursor(conn)
    try:
        _run(conn, compiled, params, cursor)
        try:
            rows = cursor.fetchall()
        except conn.dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(
                compiled.sql, params, error, conn.dialect.loaded_dbapi.Error
            ) from error
        if compiled.processors is None:
            _learn_results(conn, compiled, cursor.description)
    finally:
        cursor.close()
    keys, processors = compiled.keys, compiled.processors
    assert processors is not None
    if not any(processors):
        return [dict(zip(keys, row, strict=True)) for row in rows]
    return [
        {
            key: (fn(value) if fn is not None else value)
            for key, fn, value in zip(keys, processors, row, strict=True)
        }
        for row in rows
    ]


def first(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> dict[str, Any] | None:
    found = mappings(conn, statement, params)
    return found[0] if found else None


def execute(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> int:
    """Run `statement` (a constant write that returns no rows) with `params`; the rows it changed. A
    write that returns rows (`INSERT ... RETURNING`) goes through `mappings`."""
    cursor = _cursor(conn)
    try:
        _run(conn, _compiled(conn, statement), params, cursor)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _compiled(conn: Connection, statement: Executable) -> _Compiled:
    key = (id(statement), conn.dialect.name)
    entry = _COMPILED.get(key)
    if entry is not None and entry[0] is statement:
        return entry[1]
    with _LOCK:
        compiled = statement.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
        processors = compiled._bind_processors  # SQLAlchemy's own: what `conn.execute` applies
        # The values written into the statement itself (the callers give the named ones).
        literal = {k: v for k, v in compiled.construct_params(_check=False).items() if v is not None}

        def full(params: Mapping[str, Any]) -> dict[str, Any]:
            values = {**literal, **params}
            for name, process in processors.items():
                if name in values and values[name] is not None:
                    values[name] = process(values[name])
            return values

        if compiled.positional:
            order = compiled.positiontup

            def binds(params: Mapping[str, Any]) -> Any:
                values = full(params)
                return tuple(values[name] for name in order)
        else:
            binds = full
        made = _Compiled(
            sql=str(compiled),
            binds=binds,
            keys=tuple(column[0] for column in compiled._result_columns),
            types=tuple(column[3] for column in compiled._result_columns),
        )
        _COMPILED[key] = (statement, made)
        return made


def _learn_results(conn: Connection, compiled: _Compiled, description: Any) -> None:
    """The result processors of each column, as SQLAlchemy picks them (they may depend on the type the
    driver reports): learnt from the first execution's cursor description."""
    compiled.processors = [
        type_._cached_result_processor(conn.dialect, described[1])
        for type_, described in zip(compiled.types, description or (), strict=False)
    ]
