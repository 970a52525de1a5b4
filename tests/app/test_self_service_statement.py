"""The statement: the last 3 months by default, presets, typed dates, paging as the cursor moves down,
and Export CSV into the downloads folder. Read-only, so on the shared demo backend.
"""

from __future__ import annotations

import csv
import datetime as dt

from textual.widgets import DataTable, Input

from tests.app.conftest import api_get, make_app, on_home, on_screen, screen_text, wait_for, wait_for_text
from tui.money import format_cents
from tui.screens import statement as statement_module
from tui.screens.statement import StatementScreen, months_before, preset_range

SIZE = (100, 40)
DANA = "dana@example.com"


def test_presets_count_back_from_the_backends_today() -> None:
    today = dt.date(2026, 11, 15)
    assert preset_range(today, 3) == (dt.date(2026, 8, 16), today)
    assert preset_range(today, 12) == (dt.date(2025, 11, 16), today)
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)


async def open_statement(pilot) -> StatementScreen:
    await on_home(pilot)
    await pilot.press("t")
    screen = await on_screen(pilot, StatementScreen)
    await wait_for(pilot, lambda: screen.statement is not None and not screen.loading_more, "the statement")
    await pilot.pause()
    return screen


def rows(screen: StatementScreen) -> list[list[str]]:
    table = screen.query_one("#statement", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_statement_pages_in_and_matches_the_server(live_server, tokens, monkeypatch) -> None:
    # The real cursor, with small pages, and the next page asked for on the last row.
    monkeypatch.setattr(statement_module, "PAGE_SIZE", 4)
    monkeypatch.setattr(statement_module, "NEAR_END", 1)
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement(pilot)
        account_id = screen.account.id
        assert (screen.query_one("#from", Input).value, screen.query_one("#to", Input).value) == (
            "2026-08-16",
            "2026-11-15",
        ), "the last 3 months of the backend's clock"

        await pilot.press("3")  # 36 months: more than one page
        await wait_for(pilot, lambda: screen.start == dt.date(2023, 11, 16) and screen.loaded, "36 months")
        expected = api_get(
            live_server, token, f"/v1/accounts/{account_id}/statement", limit=200, **{"from": "2023-11-16"}
        )
        assert expected["total_count"] > 4
        assert f"4 of {expected['total_count']} entries loaded · move down for more" in screen_text(app)
        text = screen_text(app)
        assert format_cents(expected["opening_balance_cents"]) in text
        assert format_cents(expected["closing_balance_cents"]) in text

        table = screen.query_one("#statement", DataTable)
        table.focus()
        for _ in range(expected["total_count"]):  # down, row by row: each last row asks for the next page
            await pilot.press("down")
            await wait_for(pilot, lambda: not screen.loading_more, "the next page")
        assert screen.loaded == expected["total_count"] and screen.next_cursor is None
        shown = rows(screen)
        assert [row[2] for row in shown] == [item["reference"] or "" for item in expected["items"]]
        items = expected["items"]
        assert [row[3] for row in shown] == [format_cents(item["amount_cents"]) for item in items]
        assert [row[4] for row in shown] == [format_cents(item["balance_cents"]) for item in items]


async def test_typed_range_is_checked_before_asking(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement(pilot)
        start, end = screen.query_one("#from", Input), screen.query_one("#to", Input)
        await pilot.press("f")
        assert app.focused is start

        start.value = "2026-13-01"
        await pilot.press("enter")
        await wait_for_text(pilot, "is not a real date")
        start.value = "2026-11-01"
        end.value = "2026-10-01"
        await pilot.press("enter")
        await wait_for_text(pilot, "The From date must be on or before the To date.")
        start.value = "2020-01-01"
        end.value = "2026-11-15"
        await pilot.press("enter")
        await wait_for_text(pilot, "Statements go back 36 months")

        start.value = "2026-09-01"
        end.value = "2026-09-30"
        await pilot.press("enter")
        september = dt.date(2026, 9, 1)
        await wait_for(pilot, lambda: screen.statement and screen.statement.start == september, "Sept")
        expected = api_get(
            live_server,
            tokens[DANA],
            f"/v1/accounts/{screen.account.id}/statement",
            **{"from": "2026-09-01", "to": "2026-09-30"},
        )
        assert len(rows(screen)) == len(expected["items"])


async def test_export_csv_saves_the_servers_file(live_server, tokens, tmp_path, monkeypatch) -> None:
    downloads = tmp_path / "Downloads"
    monkeypatch.setenv("PAYDESK_DOWNLOAD_DIR", str(downloads))
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement(pilot)
        await pilot.press("2")  # 12 months
        await wait_for(pilot, lambda: screen.start == dt.date(2025, 11, 16) and screen.loaded, "12 months")
        await pilot.press("x")
        await wait_for_text(pilot, "Saved the statement to")
        files = list(downloads.glob("*.csv"))
        assert [f.name for f in files] == ["statement-4100012345-2025-11-16-2026-11-15.csv"]
        assert str(screen.query_one("#statement-message").content) == f"Saved the statement to {files[0]}"
        with files[0].open(newline="", encoding="utf-8") as handle:
            table = list(csv.reader(handle))
        assert table[0] == ["date", "kind", "description", "reference", "amount", "balance"]
        kinds = [row[1] for row in table[1:]]
        assert kinds[0] == "opening_balance" and kinds[-1] == "closing_balance"
        assert len(kinds) - 2 == screen.statement.total_count


async def test_first_statement_is_asked_for_the_day_home_last_heard(live_server, tokens) -> None:
    # Home's summary gave the server's today: the first page is asked for its 3 months at once.
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_statement(pilot)
        assert screen.today_hint == screen.today == dt.date(2026, 11, 15)
        assert (screen.start, screen.end) == (dt.date(2026, 8, 16), dt.date(2026, 11, 15))


async def test_a_first_guess_of_another_day_shows_the_servers_3_months(live_server, tokens) -> None:
    # The guessed day is not the server's (the clock moved since home asked): its page is dropped and
    # the server's own last 3 months are asked for and shown.
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE) as pilot:
        home = await on_home(pilot)
        screen = StatementScreen(home.account, today_hint=dt.date(2027, 3, 1))
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.statement is not None and not screen.loading_more, "the rows")
        await pilot.pause()
        assert screen.today == dt.date(2026, 11, 15)
        assert (screen.query_one("#from", Input).value, screen.query_one("#to", Input).value) == (
            "2026-08-16",
            "2026-11-15",
        )
        expected = api_get(
            live_server,
            token,
            f"/v1/accounts/{screen.account.id}/statement",
            limit=200,
            **{"from": "2026-08-16", "to": "2026-11-15"},
        )
        assert [row[2] for row in rows(screen)] == [item["reference"] or "" for item in expected["items"]]
        assert f"{len(expected['items'])} of {expected['total_count']} entries loaded" in screen_text(app)
