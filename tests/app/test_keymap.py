"""Keys of one's own: config.toml's [keymap] remaps a binding by its id (App.set_keymap) at start; F1
shows the keys as remapped; a bad entry is one warning, never a crash."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import HelpPanel

from tests.app.conftest import make_app, on_home, on_screen, wait_for, wait_for_text
from tests.conftest import login
from tui.config import config_path, load_config
from tui.keymap import BINDING_IDS, binding_rows, check_keymap, markdown_table
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.payment_history import PaymentHistoryScreen

SIZE = (110, 40)
LEE = "lee@example.com"
KEYMAP_DOC = Path(__file__).resolve().parents[2] / "docs" / "KEYMAP.md"


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def help_row(text: str, description: str) -> str:
    """The help panel's line for one binding (the panel is drawn at the screen's right edge)."""
    rows = [line for line in text.splitlines() if description in line]
    assert rows, f"no {description!r} in the help panel:\n{text}"
    return rows[-1].rsplit("│", 1)[-1] if "│" in rows[-1] else rows[-1]


async def test_a_remapped_key_works_the_old_one_does_not_and_f1_shows_it(live_server, tokens) -> None:
    # A dotted id is a nested table in TOML: both spellings reach the same binding.
    write_config('# mine\n[keymap]\nhome.payment_history = "y"\n"app.keys" = "f1,f5"\n')
    app = make_app(live_server.base_url, tokens[LEE])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)

        await pilot.press("h")  # the old key of History
        await pilot.pause()
        assert app.screen is home, "h no longer opens the payment history"

        await pilot.press("f5")  # app.keys now also answers to F5
        await wait_for(pilot, lambda: app.screen.query(HelpPanel), "the keys panel")
        panel_text = await wait_for_text(pilot, "History")
        row = help_row(panel_text, "History")
        assert " y " in f" {row} " and " h " not in f" {row} ", row
        await pilot.press("f1")
        await wait_for(pilot, lambda: not app.screen.query(HelpPanel), "the keys panel closed")

        await pilot.press("y")
        await on_screen(pilot, PaymentHistoryScreen)
        assert not app._notifications, "a good keymap warns of nothing"


async def test_bad_keymap_entries_are_one_warning_and_the_good_ones_still_apply(live_server) -> None:
    path = write_config(
        '[keymap]\nhome.nothing = "x"\nhome.refresh = "ctrl+nokey"\nhome.pay = 3\n"app.keys" = "f6"\n'
    )
    assert load_config(path).keymap_problems, "the non-string entry is a problem, not an error"
    app = make_app(live_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        text = await wait_for_text(pilot, "left out")
        assert len(app._notifications) == 1, "all of it in one warning"
        warning = next(iter(app._notifications)).message
        for name in ("home.nothing", "home.refresh", "ctrl+nokey", "home.pay"):
            assert name in warning, warning
        assert "Traceback" not in text
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.screen.query(HelpPanel), "the keys panel on F6")


async def test_a_keymap_that_is_not_a_table_is_a_warning(live_server) -> None:
    write_config('keymap = "f5"\n')
    app = make_app(live_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await wait_for_text(pilot, "keymap must be a table")
        assert isinstance(app.screen, LoginScreen) and not isinstance(app.screen, HomeScreen)


def test_check_keymap_names_each_problem() -> None:
    usable, problems = check_keymap(
        {"home.pay": "ctrl+p, P", "app.keys": "", "home.refresh": "hyperx+r", "nope.x": "x"}
    )
    assert usable == {"home.pay": "ctrl+p,P"}
    assert len(problems) == 3
    assert any("nope.x is not a Paydesk key" in p for p in problems)


def test_every_binding_id_is_known_and_documented() -> None:
    """BINDING_IDS (what a keymap is checked against without importing every screen) is exactly the
    ids the bindings carry, and docs/KEYMAP.md lists them: `python -m tui.keymap` rewrites its table."""
    real = {row[0] for row in binding_rows()}
    assert set(BINDING_IDS) == real
    assert markdown_table() in KEYMAP_DOC.read_text(encoding="utf-8")


async def test_the_apps_keys_remapped_are_remapped_on_home_too(pay_server) -> None:
    """Home repeats the app's Log out, Inbox and Clock to keep them out of its footer: they carry the
    app's ids, so a [keymap] entry moves them there as well (Ctrl+L no longer signs out)."""
    write_config('[keymap]\n"app.logout" = "ctrl+k"\n')
    app = make_app(pay_server.base_url, login(pay_server.base_url, LEE))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await on_home(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.screen is home, "ctrl+l no longer signs out"
        await pilot.press("ctrl+k")
        await on_screen(pilot, LoginScreen)
        assert not app._notifications or all("keymap" not in str(n.message) for n in app._notifications)
