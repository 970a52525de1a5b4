"""`paydesk-stub serve`: run the reference backend.

It binds the socket itself (so `--port 0` works and the real port is known), migrates and seeds the
database, then prints exactly one line, `paydesk-stub listening on http://HOST:PORT`, once the server
accepts connections. Exit codes: 0 normal, 2 bad usage, 1 anything else (one line on stderr).
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI
    from sqlalchemy import Engine

    from backend_stub.settings import Settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
DEFAULT_PORT = 8765


ENVIRONMENT = """environment:
  PAYDESK_DATA_DIR          folder of the default SQLite file (instead of the platformdirs user data dir)
  PAYDESK_CODE_TTL_SECONDS  life of a login code (default 600); tests shorten it to see expiry
  PAYDESK_PEPPER            server-side pepper for login-code hashes (default: one kept in the database)
  PAYDESK_FEE_POLICY        convenience (default) or surcharge; PAYDESK_SURCHARGE_BPS (default 300)
  PAYDESK_PROCESSOR_DELAY_MS  tests only: the fake processor sleeps this long per authorisation
  PAYDESK_FAULT             exit at a payment's after_intent, after_authorize, after_record or after_capture
"""


class StartupError(Exception):
    """An expected failure: one line on stderr, exit 1, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paydesk-stub",
        description="The Paydesk reference backend.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the HTTP server",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port, 0 for any free one (default 8765)"
    )
    serve.add_argument(
        "--db", default=None, help="SQLite file path or SQLAlchemy URL (default: user data dir)"
    )
    serve.add_argument(
        "--seed", choices=("demo", "large", "none"), default="none", help="fill an empty database"
    )
    serve.add_argument("--dev", action="store_true", help="turn on the /v1/dev/* endpoints")
    serve.add_argument(
        "--fee-policy",
        choices=("convenience", "surcharge"),
        default=None,
        help="card fees: a flat convenience fee (default) or a credit-card surcharge",
    )
    serve.add_argument(
        "--surcharge-bps",
        type=int,
        default=None,
        metavar="N",
        help="the surcharge in basis points, 0..300 (default 300)",
    )
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535, not {value}")
    return value


def data_dir() -> Path:
    override = os.environ.get("PAYDESK_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("paydesk", appauthor=False))


def resolve_db_url(db: str | None) -> str:
    """A URL is used as is; a plain path (or nothing: the data dir's file) means SQLite."""
    if db is None:
        return f"sqlite:///{data_dir() / 'paydesk-stub.db'}"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this. Without it a keep-alive client waits ~40 ms per request
        # (Nagle's algorithm against the client's delayed ACK) on a socket handed to uvicorn.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(f"port {port} on {host} is already in use: choose another --port") from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def prepare_database(db_url: str, seed: str):  # type: ignore[no-untyped-def]
    """Engine, migrations, seed; every expected failure becomes a StartupError."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

    from backend_stub.seed import seed as run_seed
    from backend_stub.store.db import create_db_engine, writing
    from backend_stub.store.migrate import upgrade

    try:
        engine = create_db_engine(db_url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise StartupError(f"bad database URL {_redact(db_url)}: {exc}") from None
    except OSError as exc:  # the SQLite file's folder cannot be made
        raise StartupError(f"cannot open the database {_redact(db_url)}: {exc.strerror or exc}") from None
    try:
        upgrade(engine)
        with writing(engine) as conn:
            run_seed(conn, seed)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StartupError(f"cannot open the database {_redact(db_url)}: {reason}") from None
    except (SQLAlchemyError, OSError) as exc:
        raise StartupError(f"database {_redact(db_url)} failed: {str(exc).splitlines()[0]}") from None
    return engine


def _redact(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def make_settings(
    db_url: str,
    *,
    dev: bool = False,
    fee_policy: str | None = None,
    surcharge_bps: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The server's Settings from its arguments and environment (`environ`, default os.environ)."""
    from backend_stub.settings import Settings

    try:
        return Settings.from_env(
            db_url, dev=dev, fee_policy=fee_policy, surcharge_bps=surcharge_bps, environ=environ
        )
    except ValueError as exc:
        raise StartupError(str(exc)) from None


def build_app(settings: Settings, seed: str) -> tuple[FastAPI, Engine]:
    """Migrate and seed `settings.db_url`, then the ASGI app on it: (app, engine)."""
    from backend_stub.app import create_app

    engine = prepare_database(settings.db_url, seed)
    return create_app(settings, engine=engine), engine


def server_config(app: FastAPI) -> uvicorn.Config:
    """How `serve` runs the app under uvicorn (tests serve in-process with exactly this)."""
    import uvicorn

    return uvicorn.Config(
        app,
        log_config=None,
        access_log=False,  # never log requests (bodies or tokens)
        log_level="warning",
        lifespan="off",
        server_header=False,
    )


def started_server(app: FastAPI, on_started: Callable[[], None]) -> uvicorn.Server:
    """A uvicorn server for `app` (as `server_config` says) that calls `on_started` once it listens."""
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_started()

    return _Server(server_config(app))


def listen_line(sock: socket.socket) -> str:
    """`paydesk-stub listening on http://HOST:PORT` for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    return f"paydesk-stub listening on http://{shown_host}:{port}"


def serve(args: argparse.Namespace) -> int:
    db_url = resolve_db_url(args.db)
    settings = make_settings(
        db_url, dev=args.dev, fee_policy=args.fee_policy, surcharge_bps=args.surcharge_bps
    )
    sock = bind_socket(args.host, args.port)
    app, engine = build_app(settings, args.seed)
    line = listen_line(sock)
    server = started_server(app, lambda: print(line, flush=True))
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it to the handler that was there before:
    # a no-op one, so a requested stop ends with exit code 0 instead of death by signal.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        engine.dispose()
    return EXIT_OK


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("uvicorn", "uvicorn.error", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # bad usage exits 2
    _configure_logging()
    try:
        if args.command == "serve":
            return serve(args)
    except StartupError as exc:
        print(f"paydesk-stub: {exc}", file=sys.stderr, flush=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:  # anything unexpected: still one line, no traceback
        print(f"paydesk-stub: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr, flush=True)
        return EXIT_ERROR
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
