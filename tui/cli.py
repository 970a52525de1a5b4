"""The `paydesk` command: `paydesk [--server URL] [--theme NAME]`, `paydesk demo [--seed ...]`, and the
scriptable commands (`paydesk login`, `summary`, `invoices`, `pay`, ...: tui/commands/).

Every subcommand registers itself with a `handler` (`set_defaults(handler=...)`): a callable that takes
the parsed arguments and returns the exit status (it may raise CliError or UsageError). A package adds
its own command with one line in `build_parser`, such as `browser_command.register(commands)`.

Nothing heavy is imported up front so `paydesk --help` is instant; argparse loads when a parser is
built (never for the plain `paydesk [--server URL] [--theme NAME]`: plain_app_options), and the app,
textual, httpx, pydantic, rich and the command modules inside the handlers. This module never
imports backend_stub: the demo starts it as a child process (tui/demo.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

PROG = "paydesk"


class CliError(Exception):
    """An expected failure: printed as one line on stderr, exit status 1, no traceback."""


class UsageError(CliError):
    """A value on the command line that cannot be used (such as an unknown theme): exit status 2.

    `usage=True` prints the usage line first, as argparse does for what it refuses itself."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("paydesk")
    except PackageNotFoundError:
        return "0+unknown"


_TAKES_VALUE = ("--server", "--theme")


def command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv`: its first word that is not an option or an option's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _TAKES_VALUE:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _version_action() -> type[argparse.Action]:
    import argparse

    class _VersionAction(argparse.Action):
        """Like argparse's "version" action, but reads the version only when asked."""

        def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
            super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

        def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
            print(f"{PROG} {version()}")
            parser.exit()

    return _VersionAction


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: only the scriptable command it names is built, so `paydesk` alone starts
    without building a dozen parsers (`paydesk --help` lists them all); without `argv`, all of them."""
    import argparse  # here: the plain `paydesk` start never builds a parser (plain_app_options)

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Paydesk: invoices and payments in your terminal.",
        epilog="Try it without a server: `paydesk demo`.",
    )
    parser.add_argument("--version", action=_version_action(), help="show the version and exit")
    parser.add_argument(
        "--server", metavar="URL", help="the Paydesk server (default: $PAYDESK_SERVER, then config.toml)"
    )
    parser.add_argument("--theme", metavar="NAME", help="a Textual theme, e.g. nord or textual-light")
    parser.set_defaults(handler=_app_handler)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _register_demo(commands)
    from tui.browser import register as register_web  # argparse only: --help stays instant

    register_web(commands)
    from tui.commands import parsers as scriptable  # argparse only: the handlers load when they run

    scriptable.register(commands, _which(argv, scriptable))
    return parser


def _which(argv: Sequence[str] | None, scriptable: Any) -> object:
    if argv is None:
        return scriptable.EVERY
    named = command_in(argv)
    if named in scriptable.HELP:
        return named
    if named is None and not {"-h", "--help"} & set(argv):
        return None  # the app itself
    return None if named == "demo" else scriptable.LISTED  # help, or an unknown command's choices


def _register_demo(commands: Any) -> None:
    import argparse

    demo = commands.add_parser(
        "demo",
        help="run the app against a bundled demo server (offline, nothing saved)",
        description="Start the bundled reference backend with demo data in a temporary folder, "
        "open the app against it, and stop the server when the app exits.",
    )
    demo.add_argument(
        "--seed", choices=("demo", "large"), default="demo", help="demo data: demo (default) or large"
    )
    # SUPPRESS: without it the subcommand's default would overwrite `paydesk --theme X demo`.
    demo.add_argument("--theme", metavar="NAME", default=argparse.SUPPRESS, help="a Textual theme")
    demo.set_defaults(handler=_demo_handler)


def _app_handler(args: argparse.Namespace) -> int:
    return run_app(args.server, args.theme)


def _demo_handler(args: argparse.Namespace) -> int:
    if args.server is not None:
        raise UsageError(f"`{PROG} demo` runs its own server; drop --server.", usage=True)
    return run_demo(args.seed, args.theme)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `paydesk` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    plain = plain_app_options(argv)
    if plain is not None:  # the app itself, as argparse would read it, without building the parsers
        return _run_handler(lambda: run_app(*plain), argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
        if getattr(args, "bare", False):  # the guess missed the command (an odd spelling): build all
            parser = build_parser()
            args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version (0) and bad usage (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    return _run_handler(lambda: args.handler(args), argv, parser)


def plain_app_options(argv: Sequence[str]) -> tuple[str | None, str | None] | None:
    """(server, theme) for `paydesk` with at most `--server URL` and `--theme NAME`, each once and
    spelled out; None for anything else, which argparse reads. Building the parsers for these was a
    fiftieth of the instructions to the sign-in screen's first frame."""
    options: dict[str, str] = {}
    for at in range(0, len(argv), 2):
        option, value = argv[at], argv[at + 1] if at + 1 < len(argv) else None
        if option not in _TAKES_VALUE or option in options or value is None or value.startswith("-"):
            return None
        options[option] = value
    return options.get("--server"), options.get("--theme")


def _run_handler(
    handler: Callable[[], int], argv: Sequence[str], parser: argparse.ArgumentParser | None = None
) -> int:
    try:
        return int(handler())
    except UsageError as exc:
        if exc.usage:
            (parser or build_parser(argv)).print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted.", file=sys.stderr)
        return 130


def run_app(server_option: str | None, theme_option: str | None) -> int:
    from tui.config import ConfigError, config_path, load_config, resolve_server

    try:
        config = load_config()
        server_url = resolve_server(server_option, os.environ, config)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if server_url is None:
        raise CliError(
            "no server is set: use --server URL, set PAYDESK_SERVER, or put "
            f'server_url = "https://…" in {config_path()}; or try it offline with `{PROG} demo`.'
        )
    from tui.credentials import MemoryTokenStore, TokenStore

    # remember_me = false: the session lives only as long as the app (PAYDESK_TOKEN still works).
    env_token = os.environ.get("PAYDESK_TOKEN")
    store = TokenStore(server_url) if config.remember_me else MemoryTokenStore(env_token)
    # Nothing here touches the network: the app itself says when the server cannot be reached,
    # with a retry.
    return _run_ui(server_url, theme_option, config.theme, demo=False, token_store=store)


def run_demo(seed: str, theme_option: str | None) -> int:
    from tui.config import ConfigError, load_config
    from tui.credentials import MemoryTokenStore
    from tui.demo import DemoError, demo_backend

    try:
        config_theme = load_config().theme
    except ConfigError:
        config_theme = None  # a demo works on any machine, even one with a broken config file
    try:
        # The server starts behind the sign-in screen (from a cached seeded database): the app's
        # first requests wait in its socket's backlog until it answers.
        with demo_backend(seed, behind=True) as server_url:
            # A demo never touches the keyring or the token file.
            return _run_ui(server_url, theme_option, config_theme, demo=True, token_store=MemoryTokenStore())
    except DemoError as exc:
        raise CliError(str(exc)) from None


def _run_ui(
    server_url: str, theme_option: str | None, config_theme: str | None, *, demo: bool, token_store: Any
) -> int:
    import gc

    gc.disable()  # no collector passes over the start's imports and first frame: the app enables it
    from tui.app import PaydeskApp

    app = PaydeskApp(server_url, demo=demo, token_store=token_store)
    _apply_theme(app, theme_option, config_theme)
    app.run()
    return app.return_code or 0


def _apply_theme(app: Any, theme_option: str | None, config_theme: str | None) -> None:
    available = app.available_themes
    if theme_option is not None:
        if theme_option not in available:
            names = ", ".join(sorted(available))
            raise UsageError(f"there is no theme {theme_option!r}; choose one of: {names}.")
        app.theme = theme_option
    elif config_theme in available:  # an unknown theme in the config file is not worth failing over
        app.theme = config_theme


if __name__ == "__main__":
    sys.exit(main())
