"""What issue 11's speed work rests on, checked as behaviour (the figures are benchmarks/screens.py's):

- start: the sign-in screen is styled by tui/start.tcss alone, so app.tcss may wait until after its
  first frame; that holds only while no rule of app.tcss can match a node of that screen (plain or
  demo, in any state), and every other screen must find app.tcss read before it is styled;
- its footer composes its keys once, and again only when the keys it shows change (once for all the
  changes before a refresh);
- the invoice table (WindowTable) draws exactly what Textual's DataTable draws, though a cursor move
  redraws only the rows it leaves and reaches, and the rows a PageDown brings are drawn ahead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.css.match import _check_selectors
from textual.css.parse import parse
from textual.widgets import DataTable, Input

from tests.app.conftest import on_screen, wait_for
from tui.app import SCREENS_CSS, PaydeskApp
from tui.credentials import MemoryTokenStore
from tui.screens.login import LoginScreen
from tui.screens.verify_code import VerifyCodeScreen
from tui.widgets.footer import PaydeskFooter
from tui.widgets.window_table import WindowTable

NOWHERE_URL = "http://127.0.0.1:9"  # the sign-in screen asks nothing of the server before a key


def _loose_rules(css: str, app: App[Any]) -> list[Any]:
    """app.tcss's rules with every state taken out of their selectors (:focus, :hover, .-error, …):
    a rule that matches a node so loosened may match it in some state."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    loose = []
    for block in text.split("}"):
        if "{" not in block:
            continue
        head, body = block.split("{", 1)
        head = re.sub(r":[a-z-]+", "", head)
        head = re.sub(r"\.-[a-z-]+", "", head)
        loose.append(head + "{" + body + "}")
    tokens = app.stylesheet._variable_tokens
    return [rule for chunk in loose for rule in parse("", chunk, ("app.tcss", ""), variable_tokens=tokens)]


async def test_no_rule_of_app_tcss_can_style_the_sign_in_screen() -> None:
    for demo in (False, True):
        app = PaydeskApp(NOWHERE_URL, demo=demo, token_store=MemoryTokenStore())
        async with app.run_test(size=(80, 24)) as pilot:
            login = await on_screen(pilot, LoginScreen)
            nodes = list(login.walk_children(with_self=True))
            assert len(nodes) > 20
            matched = [
                (rule.selector_set[0].css, type(node).__name__)
                for rule in _loose_rules(SCREENS_CSS.read_text(), app)
                for node in nodes
                if any(_check_selectors(s.selectors, node.css_path_nodes) for s in rule.selector_set)
            ]
            assert not matched, f"rules for the sign-in screen belong in start.tcss: {matched}"


async def test_app_tcss_is_read_after_the_first_frame_and_before_any_other_screen() -> None:
    app = PaydeskApp(NOWHERE_URL, token_store=MemoryTokenStore())
    source = (str(SCREENS_CSS), "")
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, LoginScreen)
        # Read a moment after the sign-in screen's first layout, by itself.
        await wait_for(
            pilot, lambda: app.stylesheet.has_source(*source), "app.tcss read after the first frame"
        )

    app = PaydeskApp(NOWHERE_URL, token_store=MemoryTokenStore())
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, LoginScreen)
        app._screens_css_read = False  # as if a key came before that moment
        app.stylesheet.source.pop(source, None)
        app.stylesheet.parse()
        app.push_screen(VerifyCodeScreen("lee@example.com"))
        verify = await on_screen(pilot, VerifyCodeScreen)
        assert app.stylesheet.has_source(*source)
        # `#verify-form MaskedInput { width: 16; }` is app.tcss's: the code box is styled by it.
        code = verify.query_one("#verify-form MaskedInput")
        assert code.styles.width is not None and code.styles.width.value == 16
        await wait_for(pilot, lambda: code.outer_size.width == 16, "the code box 16 wide")


async def test_the_sign_in_footer_composes_once_and_again_only_when_its_keys_change(monkeypatch: Any) -> None:
    composed: list[PaydeskFooter] = []
    compose = PaydeskFooter.compose

    def counting(self: PaydeskFooter) -> ComposeResult:
        composed.append(self)
        yield from compose(self)

    monkeypatch.setattr(PaydeskFooter, "compose", counting)
    app = PaydeskApp(NOWHERE_URL, token_store=MemoryTokenStore())
    async with app.run_test(size=(100, 30)) as pilot:
        login = await on_screen(pilot, LoginScreen)
        await pilot.pause(0.2)
        footer = login.query_one(PaydeskFooter)
        assert composed.count(footer) == 1  # Textual's composed it three times, once before the frame
        keys = [key.description for key in footer.query("FooterKey")]
        assert "Send code" in keys and "Keys" in keys
        # The focus moves off the field and back: the same keys, nothing composed again.
        login.query_one("#send").focus()
        await pilot.pause(0.1)
        login.query_one("#email", Input).focus()
        await pilot.pause(0.1)
        assert composed.count(footer) == 1
        # A key's action turns off: the footer shows it gone.
        monkeypatch.setattr(LoginScreen, "check_action", lambda self, action, _: action != "guest_pay")
        for _ in range(3):  # three changes before the next refresh (a screen shown, a field focused…)
            login.refresh_bindings()
        await wait_for(
            pilot,
            lambda: "Pay without an account" not in [k.description for k in footer.query("FooterKey")],
            "the footer without the key that turned off",
        )
        await pilot.pause(0.1)
        assert composed.count(footer) == 2, "composed once for the three"


# ---- the invoice table -------------------------------------------------------------------------------

ROWS = 300


class Tables(App[None]):
    """Textual's DataTable and the WindowTable side by side, the same rows in each."""

    CSS = "DataTable { height: 12; width: 60; }"
    AUTO_FOCUS = None  # neither focused: the focus would style them apart

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True, id="stock")
        yield WindowTable(cursor_type="row", zebra_stripes=True, id="window")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("Number", "Due", "Amount")
            for n in range(ROWS):
                table.add_row(f"INV-{n:05d}", Text("Nov 22"), Text(f"${n}.70", justify="right"), key=str(n))


def drawn(table: DataTable[Any]) -> list[Any]:
    """Each line as the table draws it now: text, styles and the row/column each cell says it is."""
    table._pseudo_class_state = table.get_pseudo_class_state()
    return [list(table.render_line(y)) for y in range(table.size.height)]


async def test_the_window_table_draws_what_textuals_table_draws_and_only_the_rows_a_move_changes() -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        stock, window = app.query_one("#stock", DataTable), app.query_one("#window", WindowTable)
        await pilot.pause()
        for table in (stock, window):
            drawn(table)  # both drawn once, as on screen
        rows_drawn: list[Any] = []
        draw_row = WindowTable._render_line_in_row

        def counted(self: WindowTable, row_key: Any, *args: Any, **kwargs: Any) -> Any:
            rows_drawn.append(row_key)
            return draw_row(self, row_key, *args, **kwargs)

        WindowTable._render_line_in_row = counted  # type: ignore[method-assign]
        try:
            for move in (
                ["cursor_down"] * 3 + ["page_down"] * 2 + ["cursor_up"] * 2 + ["page_up", "scroll_end"]
            ):
                for table in (stock, window):
                    getattr(table, f"action_{move}")()
                await pilot.pause()
                rows_drawn.clear()
                assert window.cursor_coordinate == stock.cursor_coordinate
                assert window.scroll_y == stock.scroll_y
                assert drawn(window) == drawn(stock), f"after {move}"
                if move == "cursor_down" and window.scroll_y == 0:
                    # Only the row the cursor left and the row it reached are drawn again.
                    assert len(rows_drawn) <= 2, rows_drawn
            # A hovered row is drawn as Textual draws it too.
            for table in (stock, window):
                table.hover_coordinate = table.cursor_coordinate.up()
            await pilot.pause()
            assert drawn(window) == drawn(stock)
        finally:
            WindowTable._render_line_in_row = draw_row  # type: ignore[method-assign]


async def test_the_rows_a_page_down_brings_are_drawn_before_the_key() -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        window = app.query_one("#window", WindowTable)
        window.focus()
        await pilot.pause()
        drawn(window)
        window.warm_around()
        height = window.size.height
        ahead = set(range(window.header_height + height, window.header_height + 2 * height))
        await wait_for(pilot, lambda: ahead <= window._warmed, "the next screenful drawn ahead")
        cells_drawn = len(window._cell_render_cache)
        window.action_page_down()
        await pilot.pause()
        drawn(window)
        # Only the cursor's new row has cells not drawn before (its cells in the cursor's colours).
        assert len(window._cell_render_cache) - cells_drawn <= len(window.columns)
        # Rows that change (a page leaving the window) draw ahead again, never from stale lines.
        window.remove_rows([str(n) for n in range(10)])
        await pilot.pause()
        window.warm_around()
        await wait_for(pilot, lambda: window._warmed, "drawn ahead again")
        assert window._warmed_for[0] == window._update_count


def test_app_tcss_and_start_tcss_are_the_files_the_app_reads() -> None:
    assert PaydeskApp.CSS_PATH == "start.tcss"
    tui = Path(__file__).resolve().parents[2] / "tui"
    assert (tui / "start.tcss").is_file() and tui / "app.tcss" == SCREENS_CSS
