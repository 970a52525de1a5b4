"""What `paydesk web` checks before it serves: the address, the server, the theme; then it serves,
with the demo backend started once for every browser session when `--demo` is given."""

from __future__ import annotations

import ipaddress
import os
import sys

PROG = "paydesk"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(
    *,
    host: str,
    port: int,
    demo: bool,
    allow_remote_dev: bool,
    server_option: str | None,
    theme_option: str | None,
) -> int:
    """Serve until Ctrl+C or SIGTERM; the exit status (2 bad usage, 1 a failure, with one line)."""
    if not 0 <= port <= 65535:
        return _usage(f"--port must be between 0 and 65535, not {port}.")
    if demo and server_option is not None:
        return _usage(f"`{PROG} web --demo` runs its own server; drop --server.")
    if demo and not is_loopback(host) and not allow_remote_dev:
        return _usage(
            f"--demo on {host}, an address other than loopback, needs --allow-remote-dev: anyone who "
            "reaches it could read the demo inbox and move the demo clock."
        )
    from textual.theme import BUILTIN_THEMES

    from tui.config import ConfigError, config_path, load_config, resolve_server, start_theme

    try:
        start_theme(theme_option, None, BUILTIN_THEMES)
    except ValueError as exc:
        return _usage(str(exc))

    from tui.browser.server import ServeError, serve

    try:
        if demo:
            from tui.demo import DemoError, demo_backend

            try:
                with demo_backend("demo") as server_url:
                    return serve(host, port, server_url, demo=True, theme=theme_option)
            except DemoError as exc:
                return _fail(str(exc))
        # (a demo works on any machine, even one with a broken config file: it reads none here)
        try:
            server_url = resolve_server(server_option, os.environ, load_config())
        except ConfigError as exc:
            return _fail(str(exc))
        if server_url is None:
            return _fail(
                "no server is set: use --server URL, set PAYDESK_SERVER, or put "
                f'server_url = "https://…" in {config_path()}; or try it with `{PROG} web --demo`.'
            )
        if not is_loopback(host):
            print(f"{PROG} web: serving on {host}, reachable from other machines.", file=sys.stderr)
        return serve(host, port, server_url, demo=False, theme=theme_option)
    except ServeError as exc:
        return _fail(str(exc))


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1
