"""How the commands print: rich tables that fit the terminal (dollars as $1,234.56), `--json` (the
API's own JSON, one document on stdout) and `--csv` (a header row, dollars as 1234.56 as the
statement CSV has them)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich import box
from rich.console import Console
from rich.table import Table

from tui.money import format_cents

_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        # highlight=False: no colouring of numbers a person must read as they are; markup off, as
        # every text here is the server's.
        _console = Console(highlight=False, markup=False, soft_wrap=False)
    return _console


def err_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False)


def say(text: str) -> None:
    """A line for the person (stdout): plain text, wrapped to the terminal."""
    console().print(text)


def note(text: str) -> None:
    """A line on stderr: what stdout (a JSON document, a CSV) must not hold."""
    print(text, file=sys.stderr)


def dollars(cents: int | None) -> str:
    return "" if cents is None else format_cents(cents)


def plain_dollars(cents: int) -> str:
    """-12550 -> "-125.50": two decimals, a minus for negatives, no $ or commas (as the statement CSV)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def print_json(document: Any, out: IO[str] | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


class JsonList:
    """A list document written item by item (`--all` streams every page): `{"items": [...],
    "next_cursor": ..., "total_count": N}`, the API's own list envelope."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.count = 0
        self.out.write('{\n  "items": [')

    def add(self, items: Iterable[Any]) -> None:
        for item in items:
            self.out.write(("," if self.count else "") + "\n    " + json.dumps(item, ensure_ascii=False))
            self.count += 1
        self.out.flush()

    def close(self, next_cursor: str | None, total_count: int) -> None:
        tail = {"next_cursor": next_cursor, "total_count": total_count}
        ending = "\n  ]" if self.count else "]"
        self.out.write(ending + "".join(f',\n  "{k}": {json.dumps(v)}' for k, v in tail.items()) + "\n}\n")


def csv_writer(header: Sequence[str], out: IO[str] | None = None) -> Any:
    writer = csv.writer(out or sys.stdout, lineterminator="\r\n")
    writer.writerow(header)
    return writer


class Column:
    def __init__(
        self, title: str, *, money: bool = False, width: int | None = None, wrap: bool = False
    ) -> None:
        self.title = title
        self.money = money
        self.width = width
        self.wrap = wrap


def table(columns: Sequence[Column], *, title: str | None = None, header: bool = True) -> Table:
    """A table as wide as the terminal at most; money right-aligned, long text folded or cut with …."""
    # SIMPLE_HEAD: a rule under the header and no side borders, so a table fits 80 columns.
    grid = Table(
        title=title,
        show_header=header,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        expand=False,
        title_justify="left",
    )
    for column in columns:
        grid.add_column(
            column.title,
            justify="right" if column.money else "left",
            no_wrap=not column.wrap,
            overflow="fold" if column.wrap else "ellipsis",
            min_width=column.width,
            max_width=None,
        )
    return grid


def show(renderable: Any) -> None:
    console().print(renderable)
