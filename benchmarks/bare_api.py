"""The yardsticks for the API's throughput: a bare FastAPI app on the same server stack as `paydesk-stub
serve` (uvicorn with the same config: httptools, uvloop, one worker).

    python benchmarks/bare_api.py --pages PAGES.json --db naive.db

- `GET /page/{name}`: a constant answer, one of PAGES.json's (the benchmark saves a real invoice page and a
  real /v1/me there first, so each yardstick answers the same bytes, the same size, as the real route). It is
  the idiomatic bare endpoint: an `async def` (no I/O) returning a pydantic model built once at start, with
  `response_model`, serialised by FastAPI's own fast path for each request.
- `POST /insert`: the naive write: a sync endpoint inserting one row per POST (the Idempotency-Key and the
  body) into a SQLite file, in WAL with synchronous=NORMAL like Paydesk, one connection per pool thread.

Prints `paydesk-stub listening on http://127.0.0.1:PORT` once it listens, like the real server.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi import FastAPI, Request, Response  # noqa: E402
from pydantic import BaseModel, RootModel  # noqa: E402

from backend_stub import cli  # noqa: E402
from backend_stub.schemas import InvoicePage, Me  # noqa: E402

MODELS: dict[str, type[BaseModel]] = {"invoices": InvoicePage, "me": Me}


def bare_app(pages: dict[str, Any], db_path: Path) -> FastAPI:
    app = FastAPI()
    constants = {name: MODELS.get(name, RootModel[Any]).model_validate(body) for name, body in pages.items()}

    for name, model in constants.items():

        def constant(model: BaseModel = model) -> Any:
            async def page() -> BaseModel:
                return model

            return page

        app.get(f"/page/{name}", response_model=type(model))(constant())

    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(db_path, timeout=15, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    with sqlite3.connect(db_path) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, key TEXT UNIQUE, body TEXT)")

    @app.post("/insert", status_code=201)
    def insert(request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        conn = connection()
        cursor = conn.execute("INSERT INTO rows (key, body) VALUES (?, ?) RETURNING id", (key, key))
        row_id = cursor.fetchone()[0]
        return Response(json.dumps({"id": row_id}), status_code=201, media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="JSON object: name -> constant answer")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file for POST /insert")
    args = parser.parse_args()
    app = bare_app(json.loads(args.pages.read_text()), args.db)
    sock = cli.bind_socket("127.0.0.1", 0)
    line = cli.listen_line(sock)
    server = cli.started_server(app, lambda: print(line, flush=True))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
