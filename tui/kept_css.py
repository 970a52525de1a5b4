"""The stylesheet's parsed rules, kept between starts in the user cache dir.

Textual parses start.tcss and every shown widget's DEFAULT_CSS at each start (its Stylesheet keeps the
rules it parsed for the process only): a fifth of the instructions the sign-in screen's first frame
took after the imports (callgrind: 1271M -> 1170M with them kept; the bare app 929M). KeptStylesheet
looks each source up here first, and the app writes what it parsed anew after the first frame, as
Python keeps bytecode beside a module.

An entry is keyed as Textual keys its own cache (the CSS text itself, where it came from, its flags),
for one set of CSS variables (the theme's) and one installed Textual and Python: a changed source,
theme or Textual is parsed again. A file that cannot be read is parsed around; one that cannot be
written is left; nothing here ever fails the start.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

import textual
from textual.css.stylesheet import Stylesheet

# The first frame's rules, and those parsed after it (app.tcss: as many again, and only needed later).
PARTS = ("parsed-css-start.pickle", "parsed-css-later.pickle")
FORMAT = 1


def cache_dir() -> Path:
    """`PAYDESK_CACHE_DIR`, else the platform's user cache dir for Paydesk."""
    override = os.environ.get("PAYDESK_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs  # lazily, as tui/config.py does

    return Path(platformdirs.user_cache_dir("paydesk", appauthor=False))


def _installed() -> tuple[Any, ...]:
    """What the parsed rules depend on besides their text: Python, and this copy of Textual (a new
    install rewrites its files, so its css package's folder changes)."""
    package = Path(textual.__file__).parent
    return (FORMAT, sys.version_info[:2], os.stat(package / "css").st_mtime_ns, str(package))


class KeptStylesheet(Stylesheet):
    """A Stylesheet that takes the rules an earlier start parsed, for the same CSS variables."""

    def __init__(self, *, variables: dict[str, str] | None = None, folder: Path | None = None) -> None:
        super().__init__(variables=variables)
        self.kept_folder = folder if folder is not None else cache_dir()
        self._kept_variables: dict[str, str] | None = None  # the variables the kept rules are for
        self._kept: dict[tuple[Any, ...], list[Any]] = {}
        self._parts_read = 0
        self._used: dict[tuple[Any, ...], list[Any]] = {}  # what this start took or parsed
        self._parts_used: list[set[tuple[Any, ...]]] = []  # the keys of each part saved so far
        self._parsed_anew = False
        self._read_part()

    def _read_part(self) -> None:
        """Add the next part's rules (the first frame's, then the later ones')."""
        path = self.kept_folder / PARTS[self._parts_read]
        self._parts_read += 1
        try:
            with open(path, "rb") as file:
                kept = pickle.load(file)
            if kept["installed"] != _installed():
                return
            if self._kept_variables is None:
                self._kept_variables = kept["variables"]
            if kept["variables"] == self._kept_variables:
                self._kept.update(kept["rules"])
        except Exception:  # missing, unreadable, or from another Textual: parsed as Textual does
            return

    def _keeps(self) -> bool:
        """Whether rules parsed now are for the kept variables (the theme has not changed since)."""
        variables = self._variables
        if self._kept_variables is variables:
            return True
        if self._kept_variables != variables:
            if self._used:
                return False  # the theme changed after the start: parsed as Textual does
            self._kept = {}  # kept for another theme: this start's are kept instead
            self._parts_read = len(PARTS)
        self._kept_variables = variables  # compared once
        return True

    def _parse_rules(
        self,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[Any]:
        if not self._keeps():
            return super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
        key = (css, read_from, is_default_rules, tie_breaker, scope)
        rules = self._kept.get(key)
        while rules is None and self._parts_read < len(PARTS):  # the later part, when first needed
            self._read_part()
            rules = self._kept.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            if any(rule.errors for rule in rules):
                return rules
            self._parsed_anew = True
        self._used[key] = rules
        return rules

    def save_kept(self) -> None:
        """Write the rules used since the last save as the next part, for the next start, if any were
        parsed anew (atomically). Called after the first frame, then after app.tcss is read."""
        part = len(self._parts_used)
        if part == len(PARTS):
            return
        saved = set().union(*self._parts_used)
        keys = {key for key in self._used if key not in saved}
        self._parts_used.append(keys)
        if not self._parsed_anew or self._kept_variables is None:
            return
        if part == len(PARTS) - 1:
            self._parsed_anew = False
        rules = {key: self._used[key] for key in keys}
        kept = {"installed": _installed(), "variables": self._kept_variables, "rules": rules}
        path = self.kept_folder / PARTS[part]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}")
            with open(partial, "wb") as file:
                pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a read-only or full disk: the next start parses again
