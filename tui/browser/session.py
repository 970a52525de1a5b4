"""One browser session's app: `python -m tui.browser.session --server URL [--demo] [--theme NAME]`,
run by textual-serve for each page that connects (the WebDriver speaks to the page through stdio).

The session signs in for itself: its token lives in memory only, never the keyring, the token file
or PAYDESK_TOKEN, so a browser never inherits a session stored on the machine that serves it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import PaydeskApp


def main(argv: Sequence[str] | None = None) -> int:
    app = session_app(argv)
    app.run()
    return app.return_code or 0


def session_app(argv: Sequence[str] | None = None) -> PaydeskApp:
    """The app of one browser session, not started yet."""
    parser = argparse.ArgumentParser(prog="paydesk-web-session")
    parser.add_argument("--server", required=True)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--theme")
    args = parser.parse_args(argv)

    from tui.app import PaydeskApp
    from tui.config import ConfigError, load_config, start_theme
    from tui.credentials import MemoryTokenStore

    try:
        saved_theme = load_config().theme
    except ConfigError:
        saved_theme = None
    # The person in the browser may not be the machine's user: their theme choice is not saved.
    app = PaydeskApp(args.server, demo=args.demo, token_store=MemoryTokenStore(), save_theme=False)
    theme = start_theme(args.theme, saved_theme, app.available_themes)
    if theme is not None:
        app.theme = theme
    return app


if __name__ == "__main__":
    sys.exit(main())
