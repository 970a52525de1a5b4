"""`d` on an invoice whose PDF is already in the folder asks first (issue 11 item 12): save it under a new
name (offered first, so Enter never overwrites), replace the file, or Cancel, which saves nothing;
`P` (save, then print) asks the same.
The shared demo backend: read-only; what is saved is the server's PDF.
"""

from __future__ import annotations

from textual.widgets import Button

from tests.app.conftest import (
    detail_message,
    downloads_folder,
    fake_lp,
    make_app,
    on_screen,
    open_past_due_invoice,
    save_pdf_over_a_file,
    wait_for,
)
from tests.app.test_self_service_pdf import SIZE
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.screens.replace_file import ReplaceFileDialog

DANA = "dana@example.com"


async def test_d_on_a_pdf_already_there_asks_new_name_replace_or_cancel(
    live_server, tokens, tmp_path, monkeypatch
) -> None:
    downloads = downloads_folder(tmp_path, monkeypatch)
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        mine = downloads / f"invoice-{detail.invoice.number}.pdf"
        mine.write_bytes(b"my own notes")
        second = downloads / f"invoice-{detail.invoice.number}(2).pdf"

        # Enter, Enter: the dialog asks, and its first button saves beside the file, not over it.
        ask = await save_pdf_over_a_file(pilot)
        assert app.focused is ask.query_one("#new-name", Button)
        assert str(ask.query_one("#new-name", Button).label) == f"Save as {second.name}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail_message(detail) == f"Saved the PDF to {second}", "saved as (2)")
        assert mine.read_bytes() == b"my own notes"
        assert second.read_bytes().startswith(b"%PDF")

        # Cancel (Escape) saves nothing and says so.
        await save_pdf_over_a_file(pilot)
        await pilot.press("escape")
        await on_screen(pilot, InvoiceDetailScreen)
        await wait_for(
            pilot, lambda: detail_message(detail) == f"Nothing was saved: {mine} is as it was.", "kept"
        )
        assert sorted(p.name for p in downloads.iterdir()) == sorted([mine.name, second.name])

        # "Replace it" (one Tab along) writes the server's PDF over the file.
        await save_pdf_over_a_file(pilot)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: detail_message(detail) == f"Saved the PDF to {mine}", "replaced")
        assert mine.read_bytes() == second.read_bytes()
        assert sorted(p.name for p in downloads.iterdir()) == sorted([mine.name, second.name])


async def test_print_on_a_pdf_already_there_asks_first(live_server, tokens, tmp_path, monkeypatch) -> None:
    """`P` saves before it prints: the same question as `d`, and what is printed is the file saved."""
    downloads = downloads_folder(tmp_path, monkeypatch)
    printed = fake_lp(tmp_path, monkeypatch)
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        mine = downloads / f"invoice-{detail.invoice.number}.pdf"
        mine.write_bytes(b"my own notes")
        second = downloads / f"invoice-{detail.invoice.number}(2).pdf"

        # Cancel: nothing saved over the file, nothing printed, and the screen says so.
        await pilot.press("P")
        ask = await on_screen(pilot, ReplaceFileDialog)
        assert app.focused is ask.query_one("#new-name", Button)
        await pilot.press("escape")
        await on_screen(pilot, InvoiceDetailScreen)
        await wait_for(
            pilot, lambda: detail_message(detail) == f"Nothing was saved: {mine} is as it was.", "kept"
        )
        assert mine.read_bytes() == b"my own notes" and not printed.exists()
        assert [p.name for p in downloads.iterdir()] == [mine.name]

        # Enter takes the new name: the server's PDF is saved beside the file, and that one is printed.
        await pilot.press("P")
        await on_screen(pilot, ReplaceFileDialog)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: detail_message(detail).startswith("Sent to the printer (lp)"), "printed"
        )
        assert detail_message(detail).endswith(f"The PDF is saved at {second}")
        assert mine.read_bytes() == b"my own notes"
        assert printed.read_text().splitlines() == [str(second), "%PDF"]
