"""The theme picked in the command palette is saved in config.toml (the rest of the file kept) and
used at the next start; `--theme` and TEXTUAL_THEME still win."""

from __future__ import annotations

import tomllib

import pytest
from textual.command import CommandPalette

from tests.app.conftest import make_app, on_screen, wait_for
from tui import cli
from tui.config import config_path, load_config, start_theme
from tui.screens.login import LoginScreen

SIZE = (100, 30)
USERS_FILE = """# my Paydesk settings
server_url = "http://127.0.0.1:1"  # the office server
remember_me = false

# my keys
[keymap]
home.pay = "ctrl+p"
"""


async def pick_theme(pilot, name: str) -> None:
    app = pilot.app
    app.action_change_theme()  # what the palette's "Change theme" runs
    palette = await on_screen(pilot, CommandPalette)
    await pilot.press(*name)
    await wait_for(pilot, lambda: palette.query_one("CommandList").option_count, "the themes found")
    await pilot.press("down")  # highlight the first (best) match
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.theme == name, f"the theme {name}")


async def test_the_theme_picked_in_the_palette_is_saved_and_used_next_time(live_server) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(USERS_FILE, encoding="utf-8")

    app = make_app(live_server.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, LoginScreen)
        await pick_theme(pilot, "nord")

    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {**tomllib.loads(USERS_FILE), "theme": "nord"}
    assert "# the office server" in text and "# my keys" in text, "the user's comments stay"
    assert load_config().theme == "nord"

    again = make_app(live_server.base_url)
    cli._apply_theme(again, None, load_config().theme)  # what `paydesk` does at start
    async with again.run_test(size=SIZE) as pilot:
        await on_screen(pilot, LoginScreen)
        assert again.theme == "nord" and again.current_theme.name == "nord"
        await pick_theme(pilot, "gruvbox")
    assert load_config().theme == "gruvbox"
    assert path.read_text(encoding="utf-8").count("theme =") == 1


async def test_a_web_session_does_not_save_the_theme(live_server) -> None:
    app = make_app(live_server.base_url, save_theme=False)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, LoginScreen)
        await pick_theme(pilot, "nord")
    assert not config_path().exists()


def test_theme_option_then_textual_theme_then_the_saved_one() -> None:
    themes = {"textual-dark", "nord", "gruvbox"}
    assert start_theme("gruvbox", "nord", themes, env={"TEXTUAL_THEME": "textual-dark"}) == "gruvbox"
    assert start_theme(None, "nord", themes, env={"TEXTUAL_THEME": "textual-dark"}) is None
    assert start_theme(None, "nord", themes, env={}) == "nord"
    assert start_theme(None, "gone", themes, env={}) is None
    with pytest.raises(ValueError, match="there is no theme 'nope'"):
        start_theme("nope", None, themes, env={})


async def test_no_color_still_wins_over_a_saved_theme(live_server, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR is Textual's to honour (a monochrome filter on every frame): a saved theme changes the
    palette underneath, never that filter."""
    from textual.filter import Monochrome, NoColor

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('theme = "nord"\n', encoding="utf-8")
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(live_server.base_url)
    cli._apply_theme(app, None, load_config().theme)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, LoginScreen)
        await pick_theme(pilot, "gruvbox")
        assert app.no_color and any(isinstance(f, Monochrome | NoColor) for f in app._filters)
    assert load_config().theme == "gruvbox"
