"""`paydesk-stub serve`: run the reference backend; `paydesk-stub jobs`: run the due work once (cron);
`paydesk-stub backup`: an online copy of a SQLite database.

`serve` binds the socket itself (so `--port 0` works and the real port is known), migrates and seeds the
database, then prints exactly one line, `paydesk-stub listening on http://HOST:PORT`, once the server
(every worker, with `--workers N`) accepts connections. SIGTERM stops it gracefully: in-flight requests
finish, the jobs round in progress finishes, exit 0. Exit codes: 0 normal, 2 bad usage (and `backup` of
a PostgreSQL database: use pg_dump), 1 anything else (one line on stderr).
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
DEFAULT_JOBS_EVERY_SECONDS = 60.0
GRACEFUL_SHUTDOWN_SECONDS = 30  # in-flight requests get this long after SIGTERM


ENVIRONMENT = """environment:
  PAYDESK_DATA_DIR          folder of the default SQLite file (instead of the platformdirs user data dir)
  PAYDESK_CODE_TTL_SECONDS  life of a login code (default 600); tests shorten it to see expiry
  PAYDESK_PEPPER            server-side pepper for login-code hashes (default: one kept in the database)
  PAYDESK_TIMEZONE          the business's IANA time zone for its dates (default America/Los_Angeles)
  PAYDESK_FEE_POLICY        convenience (default) or surcharge; PAYDESK_SURCHARGE_BPS (default 300)
  PAYDESK_PROCESSOR_DELAY_MS  tests only: the fake processor sleeps this long per authorisation
  PAYDESK_SMTP_URL          deliver mail by SMTP, like --smtp (the flag wins)
  PAYDESK_MAIL_FROM         the From address of every email (default billing@paydesk.example)
  PAYDESK_BUSINESS_NAME     the From name of every email (default Paydesk Utilities)
  PAYDESK_MAIL_MAX_ATTEMPTS  SMTP attempts before a message is marked failed (default 8)
  PAYDESK_TRUSTED_PROXIES   proxies whose X-Forwarded-For is believed, comma-separated (like --trusted-proxy)
  PAYDESK_FAULT             exit at a payment's after_intent, after_authorize, after_record or after_capture
  PAYDESK_HEADER_TIMEOUT_SECONDS  a request's headers must arrive within this of the connection's start
                            or the previous answer, or the connection is closed (default 10)
  PAYDESK_BODY_TIMEOUT_SECONDS    a request's body must arrive within this of its headers, or 408 (default 30)
  PAYDESK_MAX_CONNECTIONS   connections one process serves at once; beyond them a request is 503
                            (default 1000)
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
        "--allow-remote-dev",
        action="store_true",
        help="let --dev listen on a host that is not loopback (it serves every login code, unauthenticated)",
    )
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
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="worker processes (default 1; on SQLite more than one serialises writes per file)",
    )
    serve.add_argument(
        "--jobs-every",
        type=_positive_seconds,
        default=DEFAULT_JOBS_EVERY_SECONDS,
        metavar="SECONDS",
        help="run what fell due at start and then every SECONDS (default 60)",
    )
    serve.add_argument(
        "--no-jobs", action="store_true", help="run no background jobs (for cron: paydesk-stub jobs)"
    )
    serve.add_argument(
        "--smtp",
        default=None,
        metavar="URL",
        help="deliver mail by SMTP: smtp://host:port, smtp+starttls://, smtps://user:pass@host[:port] "
        "(default: mail stays in the outbox, the demo's inbox)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        type=_proxies,
        default=[],
        metavar="ADDR",
        help="a proxy (address or network) whose X-Forwarded-For names the client; repeat it or separate "
        "them with commas (default: none, the client is the socket's address)",
    )

    jobs = commands.add_parser(
        "jobs",
        help="run the due work once and exit (for cron)",
        description="Run what fell due (bank settlements and returns, autopay, scheduled payments, "
        "recovery, mail retries, clean-up) once, on the real clock, and exit: 0 when every task ran, "
        "1 when one failed.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    jobs.add_argument(
        "--db", default=None, help="SQLite file path or SQLAlchemy URL (default: user data dir)"
    )

    backup = commands.add_parser(
        "backup",
        help="an online backup of a SQLite database (PostgreSQL: use pg_dump)",
        description="Copy a SQLite database to PATH with SQLite's online backup API, while servers run. "
        "For PostgreSQL it says to use pg_dump and exits 2.",
    )
    backup.add_argument("--db", required=True, help="SQLite file path or sqlite:/// URL")
    backup.add_argument("path", metavar="PATH", help="the backup file to write (replaced if it exists)")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 86400 seconds, not {text}")
    return value


def _proxies(text: str) -> str:
    from ipaddress import ip_network

    for entry in text.split(","):
        try:
            ip_network(entry.strip(), strict=False)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not an IP address or network (such as 10.0.0.1 or 10.0.0.0/8): {entry.strip()!r}"
            ) from None
    return text


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
    jobs_every: float | None = DEFAULT_JOBS_EVERY_SECONDS,
    smtp_url: str | None = None,
    trusted_proxies: Sequence[str] = (),
) -> Settings:
    """The server's Settings from its arguments and environment (`environ`, default os.environ).
    `jobs_every`: seconds between background jobs rounds, None for none (`--no-jobs`)."""
    from backend_stub.settings import Settings

    try:
        return Settings.from_env(
            db_url,
            dev=dev,
            fee_policy=fee_policy,
            surcharge_bps=surcharge_bps,
            environ=environ,
            jobs_every_seconds=jobs_every,
            smtp_url=smtp_url,
            trusted_proxies=trusted_proxies,
        )
    except ValueError as exc:
        raise StartupError(str(exc)) from None


def build_app(settings: Settings, seed: str) -> tuple[FastAPI, Engine]:
    """Migrate and seed `settings.db_url`, then the ASGI app on it: (app, engine)."""
    from backend_stub.app import create_app

    engine = prepare_database(settings.db_url, seed)
    announce_clock(engine, settings)
    return create_app(settings, engine=engine), engine


def announce_clock(engine: Engine, settings: Settings) -> None:
    """Once at start: without --dev a date pinned in the database (a seed's, the dev clock's) is ignored."""
    from backend_stub import clock
    from backend_stub.store.db import reading

    if settings.dev:
        return
    with reading(engine) as conn:
        pinned = clock.pinned(conn)
    if pinned is not None:
        logging.getLogger("backend_stub").warning(
            "the database pins today to %s (a seed or the dev clock); without --dev that is ignored: "
            "today is the real date in %s, %s",
            pinned.isoformat(),
            settings.timezone,
            clock.real_today(settings.timezone).isoformat(),
        )


def worker_app(settings: Settings) -> FastAPI:
    """The app factory each `--workers` process calls (pickled by name with `settings`): the same app
    on the same settings. The parent migrated and seeded the database before spawning it."""
    from backend_stub.app import create_app

    _configure_logging()
    return create_app(settings)


def server_config(
    app: FastAPI | Callable[[], FastAPI],
    settings: Settings | None = None,
    workers: int = 1,
    factory: bool = False,
) -> uvicorn.Config:
    """How `serve` runs the app under uvicorn (tests serve in-process with exactly this). `app` is the
    app, or with `factory` a function each worker process calls to build it. The protocol closes a
    connection whose headers are late and answers 503 beyond the connection cap (http_protocol), as
    `settings` say (None: the defaults, for a bare app such as the benchmark's)."""
    from backend_stub.http_protocol import ServerConfig
    from backend_stub.settings import Settings

    limits = settings if settings is not None else Settings
    return ServerConfig(
        app,
        header_timeout_seconds=limits.header_timeout_seconds,
        limit_concurrency=limits.max_connections,
        factory=factory,
        workers=workers,  # explicit: WEB_CONCURRENCY in the environment must not change it
        log_config=None,
        access_log=False,  # never log requests (bodies or tokens)
        log_level="warning",
        lifespan="on",  # starts and stops the jobs runner (app.py)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        server_header=False,
        # The client's address is the socket's unless --trusted-proxy says otherwise (client_address.py):
        # uvicorn's own X-Forwarded-For handling (which trusts 127.0.0.1 by default) stays off.
        proxy_headers=False,
    )


def started_server(app: FastAPI, on_started: Callable[[], None]) -> uvicorn.Server:
    """A uvicorn server for `app` (as `server_config` says) that calls `on_started` once it listens."""
    import uvicorn

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_started()

    return _Server(server_config(app, getattr(app.state, "settings", None)))


def listen_line(sock: socket.socket) -> str:
    """`paydesk-stub listening on http://HOST:PORT` for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    return f"paydesk-stub listening on http://{shown_host}:{port}"


def serve(args: argparse.Namespace) -> int:
    from backend_stub.listen_host import RemoteDevRefused, host_warnings

    try:
        warnings = host_warnings(args.host, args.dev, args.allow_remote_dev)
    except RemoteDevRefused as exc:
        print(f"paydesk-stub: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    for warning in warnings:
        print(f"paydesk-stub: {warning}", file=sys.stderr, flush=True)
    db_url = resolve_db_url(args.db)
    settings = make_settings(
        db_url,
        dev=args.dev,
        fee_policy=args.fee_policy,
        surcharge_bps=args.surcharge_bps,
        jobs_every=None if args.no_jobs else args.jobs_every,
        smtp_url=args.smtp,
        trusted_proxies=args.trusted_proxy,
    )
    sock = bind_socket(args.host, args.port)
    if args.workers > 1:
        return _serve_workers(settings, args.seed, sock, args.workers)
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


def _serve_workers(settings: Settings, seed: str, sock: socket.socket, workers: int) -> int:
    """`--workers N`: migrate and seed once here, then N processes each build the app from `settings`."""
    import functools

    from backend_stub.workers import serve_workers

    engine = prepare_database(settings.db_url, seed)
    try:
        announce_clock(engine, settings)
        sqlite = engine.dialect.name == "sqlite"
    finally:
        engine.dispose()  # the workers open their own connections
    if sqlite:
        print(
            f"paydesk-stub: warning: {workers} workers on SQLite: writes are serialised per database "
            "file (one writer at a time, the others wait); use PostgreSQL for parallel writes",
            file=sys.stderr,
            flush=True,
        )
    line = listen_line(sock)
    config = server_config(functools.partial(worker_app, settings), settings, workers=workers, factory=True)
    try:
        started = serve_workers(config, sock, lambda: print(line, flush=True))
    finally:
        sock.close()
    if not started:
        raise StartupError("a worker process could not start: see the lines above")
    return EXIT_OK


def run_jobs(args: argparse.Namespace) -> int:
    """`paydesk-stub jobs`: one round of every task on the real clock, then exit."""
    from backend_stub import clock
    from backend_stub.job_runner import run_once
    from backend_stub.processor import Processor

    settings = make_settings(resolve_db_url(args.db), dev=False, jobs_every=None)
    engine = prepare_database(settings.db_url, "none")
    try:
        announce_clock(engine, settings)
        clock.configure(engine, settings.timezone, dev=False)
        outcome = run_once(engine, Processor(engine, delay_ms=settings.processor_delay_ms), settings)
    finally:
        engine.dispose()
    print("; ".join(f"{name}: {what}" for name, what in outcome.done.items()) or "nothing ran", flush=True)
    if outcome.failed:
        raise StartupError(f"jobs failed: {', '.join(outcome.failed)} (see the lines above)")
    return EXIT_OK


def run_backup(args: argparse.Namespace) -> int:
    """`paydesk-stub backup --db URL PATH`: SQLite's online backup to PATH; PostgreSQL: use pg_dump."""
    from backend_stub.backup import BackupError, NotSqlite, backup

    try:
        dest = backup(resolve_db_url(args.db), Path(args.path))
    except NotSqlite as exc:
        print(f"paydesk-stub: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    except BackupError as exc:
        raise StartupError(str(exc)) from None
    print(f"paydesk-stub: backed up to {dest}", flush=True)
    return EXIT_OK


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    # The format names no source line, thread or process: the logging HOWTO's "Optimization" switches
    # stop every record from looking them up (the caller's frame was walked for each request's line).
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    for noisy in ("uvicorn", "uvicorn.error", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # bad usage exits 2
    _configure_logging()
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "jobs":
            return run_jobs(args)
        if args.command == "backup":
            return run_backup(args)
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
