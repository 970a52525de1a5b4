"""Invoice PDF: d saves it (the downloads folder, or a path typed in the dialog), P prints it with lp/lpr,
and says plainly where the file is when there is no print command. Read-only: the shared demo backend.
"""

from __future__ import annotations

import stat

from textual.widgets import Input

from tests.app.conftest import make_app, on_home, on_screen, wait_for
from tui.screens.dialogs import PathDialog
from tui.screens.invoice_detail import InvoiceDetailScreen
from tui.widgets.invoice_table import InvoiceTable

SIZE = (100, 40)
DANA = "dana@example.com"


async def open_past_due_invoice(pilot) -> InvoiceDetailScreen:
    home = await on_home(pilot)
    table = home.query_one("#invoices-open", InvoiceTable)
    past_due = next(i for i, row in enumerate(table.rows) if row.past_due)
    table.table.move_cursor(row=past_due)
    await pilot.press("enter")
    detail = await on_screen(pilot, InvoiceDetailScreen)
    await wait_for(pilot, lambda: detail.invoice is not None, "the invoice")
    return detail


def message(detail: InvoiceDetailScreen) -> str:
    return str(detail.query_one("#detail-message").content)


async def test_download_saves_the_pdf_where_asked(live_server, tokens, tmp_path, monkeypatch) -> None:
    downloads = tmp_path / "Downloads"
    monkeypatch.setenv("PAYDESK_DOWNLOAD_DIR", str(downloads))
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        expected = downloads / f"invoice-{detail.invoice.number}.pdf"

        await pilot.press("d")
        dialog = await on_screen(pilot, PathDialog)
        assert dialog.query_one("#path", Input).value == str(expected), "prefilled with the downloads folder"
        await pilot.press("enter")
        await wait_for(pilot, lambda: message(detail).startswith("Saved the PDF to"), "the saved message")
        assert message(detail) == f"Saved the PDF to {expected}"
        assert expected.read_bytes().startswith(b"%PDF")

        # Another place, typed in the dialog (a folder that does not exist yet is made).
        elsewhere = tmp_path / "bills" / "september.pdf"
        await pilot.press("d")
        dialog = await on_screen(pilot, PathDialog)
        dialog.query_one("#path", Input).value = str(elsewhere)
        await pilot.press("enter")
        await wait_for(pilot, lambda: message(detail) == f"Saved the PDF to {elsewhere}", "saved elsewhere")
        assert elsewhere.read_bytes().startswith(b"%PDF")

        # Escape in the dialog saves nothing.
        await pilot.press("d")
        await on_screen(pilot, PathDialog)
        await pilot.press("escape")
        await on_screen(pilot, InvoiceDetailScreen)
        assert sorted(p.name for p in downloads.iterdir()) == [expected.name]


async def test_print_without_lp_says_where_the_pdf_is(live_server, tokens, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAYDESK_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    empty = tmp_path / "no-printers"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        saved = tmp_path / "Downloads" / f"invoice-{detail.invoice.number}.pdf"
        await pilot.press("P")
        sentence = f"No print command (lp or lpr) was found; the PDF is saved at {saved}."
        await wait_for(pilot, lambda: message(detail) == sentence, "the no-printer message")
        assert detail.query_one("#detail-message").has_class("-error")
        assert saved.read_bytes().startswith(b"%PDF")


async def test_print_hands_the_pdf_to_lp(live_server, tokens, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAYDESK_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    printed = tmp_path / "printed.txt"
    fake_lp = bin_dir / "lp"
    fake_lp.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {printed}\nhead -c 4 "$1" >> {printed}\n')
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        detail = await open_past_due_invoice(pilot)
        saved = tmp_path / "Downloads" / f"invoice-{detail.invoice.number}.pdf"
        await pilot.press("P")
        await wait_for(pilot, lambda: message(detail).startswith("Sent to the printer (lp)"), "printed")
        assert printed.read_text().splitlines() == [str(saved), "%PDF"]
