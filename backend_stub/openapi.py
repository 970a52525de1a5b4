"""Write (or check) docs/openapi.json: `python -m backend_stub.openapi [--check] [PATH]`.

The document is generated with the dev endpoints on, so it describes everything the server can serve.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def document() -> str:
    from backend_stub.app import create_app
    from backend_stub.settings import Settings

    app = create_app(Settings(db_url="sqlite://", dev=True))
    try:
        return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    finally:
        app.state.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend_stub.openapi")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from the app")
    args = parser.parse_args(argv)
    text = document()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"{args.path} is out of date: run python -m backend_stub.openapi", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
