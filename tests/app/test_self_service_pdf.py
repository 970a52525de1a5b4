"""Invoice PDF: d saves it (the downloads folder, or a path typed in the dialog), P prints it with lp/lpr,
and says plainly where the file is when there is no print command. Read-only: the shared demo backend.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.app.conftest import (
    detail_message,
    downloads_folder,
    fake_lp,
    make_app,
    on_screen,
    open_past_due_invoice,
    wait_for,
)
from tui.screens.dialogs import PathDialog
from tui.screens.invoice_detail import InvoiceDetailScreen

SIZE = (100, 40)
DANA = "dana@example.com"


async def test_download_saves_the_pdf_where_asked(live_server, tokens, tmp_path, monkeypatch) -> None:
    downloads = downloads_folder(tmp_path, monkeypatch, made=False)  # `d` makes it
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        expected = downloads / f"invoice-{detail.invoice.number}.pdf"

        await pilot.press("d")
        dialog = await on_screen(pilot, PathDialog)
        assert dialog.query_one("#path", Input).value == str(expected), "prefilled with the downloads folder"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: detail_message(detail).startswith("Saved the PDF to"), "the saved message"
        )
        assert detail_message(detail) == f"Saved the PDF to {expected}"
        assert expected.read_bytes().startswith(b"%PDF")

        # Another place, typed in the dialog (a folder that does not exist yet is made).
        elsewhere = tmp_path / "bills" / "september.pdf"
        await pilot.press("d")
        dialog = await on_screen(pilot, PathDialog)
        dialog.query_one("#path", Input).value = str(elsewhere)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: detail_message(detail) == f"Saved the PDF to {elsewhere}", "saved elsewhere"
        )
        assert elsewhere.read_bytes().startswith(b"%PDF")

        # Escape in the dialog saves nothing.
        await pilot.press("d")
        await on_screen(pilot, PathDialog)
        await pilot.press("escape")
        await on_screen(pilot, InvoiceDetailScreen)
        assert sorted(p.name for p in downloads.iterdir()) == [expected.name]


async def test_print_without_lp_says_where_the_pdf_is(live_server, tokens, tmp_path, monkeypatch) -> None:
    downloads = downloads_folder(tmp_path, monkeypatch, made=False)
    empty = tmp_path / "no-printers"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        saved = downloads / f"invoice-{detail.invoice.number}.pdf"
        await pilot.press("P")
        sentence = f"No print command (lp or lpr) was found; the PDF is saved at {saved}."
        await wait_for(pilot, lambda: detail_message(detail) == sentence, "the no-printer message")
        assert detail.query_one("#detail-message").has_class("-error")
        assert saved.read_bytes().startswith(b"%PDF")


async def test_print_hands_the_pdf_to_lp(live_server, tokens, tmp_path, monkeypatch) -> None:
    downloads = downloads_folder(tmp_path, monkeypatch, made=False)
    printed = fake_lp(tmp_path, monkeypatch)
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        saved = downloads / f"invoice-{detail.invoice.number}.pdf"
        await pilot.press("P")
        await wait_for(
            pilot, lambda: detail_message(detail).startswith("Sent to the printer (lp)"), "printed"
        )
        assert printed.read_text().splitlines() == [str(saved), "%PDF"]
