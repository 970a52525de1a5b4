"""Every key of the statement shows in its footer at 80x24 (issue 11 item 11): the three presets share
one label, so "f From/to" is no longer cut at the right edge."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable, Input

from tests.app.conftest import api_get, make_app, screen_text, wait_for
from tests.app.test_self_service_statement import open_statement
from tui.screens.statement import StatementScreen, preset_range

DANA = "dana@example.com"


def _shown_as(app, binding: Binding) -> list[str]:
    """What the footer says for a binding: its key and its words (a group's words after its keys)."""
    key = app.get_key_display(binding)
    return [f" {key} ", binding.group.description] if binding.group else [f" {key} {binding.description} "]


async def test_every_statement_key_shows_at_80_columns(live_server, tokens) -> None:
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statement(pilot)
        screen.query_one("#statement", DataTable).focus()
        await wait_for(pilot, lambda: screen.today is not None, "the server's today")
        footer = await wait_for(
            pilot, lambda: "From/to" in (last := screen_text(app).splitlines()[-1]) and last, "the footer"
        )
        bindings = [b for b in StatementScreen.BINDINGS if isinstance(b, Binding) and b.show]
        for binding in bindings:
            for words in _shown_as(app, binding):
                assert words in footer, footer
        assert "1 2 3 Last 3/12/36 months" in footer, footer
        assert footer.index("f From/to") + len("f From/to") < footer.index("▏")  # whole, before ^p

        # A key of the group still does what it says: 12 months, as the server counts them.
        await pilot.press("2")
        start, end = preset_range(screen.today, 12)
        await wait_for(pilot, lambda: screen.start == start and not screen.loading_more, "12 months")
        assert screen.query_one("#from", Input).value == start.isoformat()
        served = api_get(
            live_server,
            token,
            f"/v1/accounts/{screen.account.id}/statement",
            limit=1,
            **{"from": start.isoformat(), "to": end.isoformat()},
        )
        assert f"of {served['total_count']} entries loaded" in screen_text(app)
