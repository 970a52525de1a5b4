"""The cold start (issue 11): the first frame is whole, and what the sign-in screen does not show waits.

- The first frame written with "Sign in" is the whole screen (border, email box, footer keys), not
  only what changed after Textual dropped a frame drawn inside its start batch.
- Rules an earlier start parsed are taken from the cache dir (tui/kept_css.py): the same rules and
  the same screen as when parsed, sign-in by code and by password working; another theme, another
  Textual or a broken file is parsed as Textual does.
- Nothing of the API client, the keyring or another screen is imported before that first frame.
"""

from __future__ import annotations

import ast
import os
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from textual.css import parse as css_parse
from textual.css.stylesheet import Stylesheet
from textual.layout import Layout
from textual.widgets import Input

from tests.app.conftest import on_home, on_screen, screen_text, wait_for, wait_for_text
from tests.conftest import latest_code
from tests.support.stub import StubServer
from tests.support.terminal import Terminal
from tui import kept_css
from tui.credentials import MemoryTokenStore
from tui.kept_css import PARTS, KeptStylesheet
from tui.screens.login import LoginScreen
from tui.screens.passwords import PasswordLoginScreen
from tui.screens.verify_code import VerifyCodeScreen

from .conftest import make_app

SIZE = (100, 30)
DANA = "dana@example.com"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAYDESK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS sources Textual's parser is run on, by where they were read from."""
    seen: list[str] = []
    real = css_parse.parse

    def counted(scope, css, read_from, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(read_from[1] or Path(read_from[0]).name)
        return real(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr("textual.css.stylesheet.parse", counted)
    return seen


def _rules_of(stylesheet: Stylesheet) -> list[tuple[object, ...]]:
    """Each rule as it applies: its selectors, declarations (a layout by its name: each parse makes
    a new one), origin and tie breaker."""

    def value(v: object) -> object:
        return v.name if isinstance(v, Layout) else v

    rules = [
        (rule.selectors, {k: value(v) for k, v in rule.styles.get_rules().items()}, rule.is_default_rules,
         rule.tie_breaker)
        for rule in stylesheet.rules
    ]  # fmt: skip
    return rules


async def _start(app, pilot) -> str:  # type: ignore[no-untyped-def]
    """To the sign-in screen with app.tcss read (both parts of the kept rules written by then)."""
    await on_screen(pilot, LoginScreen)
    await wait_for(pilot, lambda: app._screens_css_read, "app.tcss read after the first frame")
    return app.export_screenshot()


async def test_kept_rules_give_the_same_screen_and_sign_in_works(
    pay_server: StubServer, cache: Path, parses: list[str]
) -> None:
    first = make_app(pay_server.base_url)
    async with first.run_test(size=SIZE) as pilot:
        shot = await _start(first, pilot)
        rules = _rules_of(first.stylesheet)
    assert {"start.tcss", "app.tcss", "Button.DEFAULT_CSS"} <= set(parses)
    assert sorted(p.name for p in cache.iterdir()) == sorted(PARTS)

    parses.clear()
    store = MemoryTokenStore()
    again = make_app(pay_server.base_url, store=store)
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        assert await _start(again, pilot) == shot
        # Every rule as parsed (Textual adds a widget's DEFAULT_CSS once per process and class, so
        # the second app may hold a source the first took from an earlier test's app).
        assert Counter(map(repr, rules)) <= Counter(map(repr, _rules_of(again.stylesheet)))
        # Kept, not parsed (a class Textual first registers in this process may still be parsed).
        assert not {"start.tcss", "app.tcss", "Button.DEFAULT_CSS", "Input.DEFAULT_CSS"} & set(parses)

        # Sign in by password (refused in the server's words), then by code, as without the cache.
        again.screen.query_one("#email", Input).value = DANA
        await pilot.press("ctrl+o")
        screen = await on_screen(pilot, PasswordLoginScreen)
        await pilot.press(*"Not-her-password-1", "enter")
        await wait_for(
            pilot,
            lambda: "That email and password do not match." in str(screen.query_one(".message").content),
            "the server's refusal",
        )
        await pilot.press("escape")
        await on_screen(pilot, LoginScreen)
        await pilot.press("enter")
        await on_screen(pilot, VerifyCodeScreen)
        await pilot.press(*latest_code(pay_server.base_url, DANA))
        await on_home(pilot)
        assert store.load(), "signed in"
        assert "Account 4100012345 · Dana Whitfield" in screen_text(again)


def _parsed(variables: dict[str, str], css: str, stylesheet: Stylesheet) -> list[tuple[object, ...]]:
    stylesheet.set_variables(variables)
    stylesheet.add_source(css, read_from=("test.tcss", ""))
    stylesheet.parse()
    return _rules_of(stylesheet)


def kept_in(folder: Path, variables: dict[str, str]) -> KeptStylesheet:
    return KeptStylesheet(variables=variables, folder=folder)


CSS = "Screen { background: $primary; } .form { border: round $accent; color: $text-muted; }"


def test_another_theme_or_textual_or_a_broken_file_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    from textual.app import App

    dark = App().get_css_variables()
    light = {**dark, "primary": "#0178D4", "accent": "#ffa62b"}
    kept = KeptStylesheet(variables=dark, folder=tmp_path)
    assert _parsed(dark, CSS, kept) == _parsed(dark, CSS, Stylesheet())
    kept.save_kept()
    assert (tmp_path / PARTS[0]).exists() and len(parses) == 2

    parses.clear()
    assert _parsed(dark, CSS, kept_in(tmp_path, dark)) == _parsed(dark, CSS, Stylesheet())
    assert len(parses) == 1, "the kept stylesheet parsed nothing; the plain one did"

    parses.clear()
    other = _parsed(light, CSS, kept_in(tmp_path, light))
    assert other == _parsed(light, CSS, Stylesheet()) and other != _parsed(dark, CSS, Stylesheet())
    assert len(parses) == 3, "another theme's variables: parsed, not taken"

    parses.clear()
    monkeypatch.setattr(kept_css, "_installed", lambda: ("another textual",))
    assert _parsed(dark, CSS, kept_in(tmp_path, dark)) == _parsed(dark, CSS, Stylesheet())
    assert len(parses) == 2, "another Textual: parsed"
    monkeypatch.undo()

    (tmp_path / PARTS[0]).write_bytes(b"not a pickle")
    assert _parsed(dark, CSS, kept_in(tmp_path, dark)) == _parsed(dark, CSS, Stylesheet())


# The program in a pseudo-terminal, stopped at its first write that shows "Sign in": that frame's
# text and the modules loaded by then.
FIRST_FRAME = textwrap.dedent(
    """
    import os, sys
    from textual.drivers import linux_driver
    out = sys.argv.pop(1)
    write = linux_driver.LinuxDriver.write
    def written(self, data):
        write(self, data)
        if "Sign in" in data:
            with open(out, "w") as file:
                file.write(repr(data) + "\\n" + "\\n".join(sorted(sys.modules)))
            os._exit(0)
    linux_driver.LinuxDriver.write = written
    from tui.cli import main
    sys.exit(main())
    """
)

NOT_BEFORE_THE_FIRST_FRAME = (
    "httpx",
    "keyring",
    "pydantic",
    "tui.api.client",
    "tui.screens.home",
    "tui.screens.passwords",
    "tui.screens.verify_code",
    "textual.widgets._data_table",
    "textual.widgets._markdown",
)


def test_the_first_frame_is_whole_and_loads_nothing_it_does_not_show(tmp_path: Path) -> None:
    import pyte

    script, out = tmp_path / "first_frame.py", tmp_path / "first_frame.txt"
    script.write_text(FIRST_FRAME)
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, str(script), str(out), "--server", "http://127.0.0.1:9"]
    terminal = Terminal(argv, env)
    try:
        terminal.child.expect(__import__("pexpect").EOF, timeout=60)
    finally:
        terminal.child.close()
    frame, _, modules = out.read_text().partition("\n")
    screen = pyte.Screen(100, 30)
    pyte.Stream(screen).feed(ast.literal_eval(frame))
    shown = "\n".join(screen.display)
    for text in ("Paydesk", "Sign in", "╭", "you@example.com", "Send code", "^s Send code", "^p palette"):
        assert text in shown, f"{text!r} not in the first frame:\n{shown}"
    loaded = set(modules.split("\n"))
    assert "tui.screens.login" in loaded
    assert not loaded & set(NOT_BEFORE_THE_FIRST_FRAME), sorted(loaded & set(NOT_BEFORE_THE_FIRST_FRAME))


async def test_a_kept_start_shows_app_css_before_another_screen(pay_server: StubServer, cache: Path) -> None:
    """Warm or cold, a screen opened at once (before app.tcss's timer) has app.tcss's rules."""
    for _ in range(2):
        app = make_app(pay_server.base_url)
        async with app.run_test(size=SIZE) as pilot:
            await on_screen(pilot, LoginScreen)
            await pilot.press("ctrl+o")
            await on_screen(pilot, PasswordLoginScreen)
            await wait_for_text(pilot, "Sign in with a password")
            assert app._screens_css_read
            assert any("app.tcss" in str(path) for path, _ in app.stylesheet.source)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--server", "http://127.0.0.1:9"],
        ["--theme", "nord"],
        ["--theme", "nord", "--server", "https://billing.example.com"],
        ["--server", ""],
        ["--server", "demo"],
    ],
)
def test_the_plain_app_options_read_as_argparse_reads_them(argv: list[str]) -> None:
    from tui.cli import _app_handler, build_parser, plain_app_options

    args = build_parser(argv).parse_args(argv)
    assert args.handler is _app_handler
    assert plain_app_options(argv) == (args.server, args.theme)


@pytest.mark.parametrize(
    "argv",
    [
        ["demo"],
        ["--server"],
        ["--server=http://x"],
        ["--serv", "http://x"],
        ["--server", "a", "--server", "b"],
        ["--server", "-h"],
        ["--version"],
        ["--help"],
        ["summary"],
        ["--theme", "nord", "demo"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    from tui.cli import plain_app_options

    assert plain_app_options(argv) is None
