"""`paydesk web`: the app served to a browser through textual-serve (tui/browser/server.py), one app
process per browser session (tui/browser/session.py), every page asset served locally (static/).

Only argparse here: `paydesk --help` must stay instant; the handler loads the rest when it runs.
"""

from __future__ import annotations

import argparse
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(commands: Any) -> argparse.ArgumentParser:
    """Add `paydesk web` to the `paydesk` subcommands (argparse's subparsers action)."""
    web = commands.add_parser(
        "web",
        help="serve the app to a web browser (textual-serve; loopback only unless --host says so)",
        description="Serve the Paydesk app to a web browser. Each browser tab runs its own app, which "
        "signs in for itself (no session stored on this machine is used). Everything the page needs is "
        "served from here: it works offline.",
    )
    web.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    web.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"the port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    web.add_argument(
        "--demo", action="store_true", help="start the bundled demo backend and serve the demo app"
    )
    web.add_argument(
        "--allow-remote-dev",
        action="store_true",
        help="allow --demo on an address other than loopback (anyone who reaches it reads the demo inbox)",
    )
    # SUPPRESS: the subcommand's default would overwrite `paydesk --server URL web`.
    web.add_argument("--server", metavar="URL", default=argparse.SUPPRESS, help="the Paydesk server")
    web.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="a Textual theme")
    web.set_defaults(handler=run_web)
    return web


def run_web(args: argparse.Namespace) -> int:
    from tui.browser.command import run

    return run(
        host=args.host,
        port=args.port,
        demo=args.demo,
        allow_remote_dev=args.allow_remote_dev,
        server_option=getattr(args, "server", None),
        theme_option=getattr(args, "theme", None),
    )
