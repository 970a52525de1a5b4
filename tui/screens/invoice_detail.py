"""One invoice: its facts, line items, sites (for a multi-site invoice) and the payments applied."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import DataTable, Static

from tui.api import ApiError, InvoiceDetail
from tui.api.early import EarlyAnswer
from tui.money import format_cents
from tui.screens.base import PaydeskScreen
from tui.widgets.formatting import cut, cut_name, format_date, plain_cells, spare_width, status_label
from tui.widgets.payment_view import PAYMENT_STATUS
from tui.widgets.status_line import StatusLine


def _money(cents: int) -> Text:
    return Text(format_cents(cents), justify="right")


class InvoiceDetailScreen(PaydeskScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail.back", tooltip="Back to the invoices"),
        Binding(
            "r", "refresh", "Refresh", id="detail.refresh", tooltip="Ask the server again for this invoice"
        ),
        Binding(
            "d",
            "download_pdf",
            "Download PDF",
            id="detail.download_pdf",
            tooltip="Save this invoice as a PDF (the downloads folder, or a path typed in)",
        ),
        Binding(
            "P",
            "print_pdf",
            "Print",
            id="detail.print_pdf",
            tooltip="Save this invoice as a PDF and send it to the printer (lp or lpr)",
        ),
    ]

    def __init__(self, invoice_id: int, number: str = "") -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.number = number
        self.invoice: InvoiceDetail | None = None
        # Asked now: answered while the screen is built (tui/api/early.py).
        self._first = EarlyAnswer(lambda: asyncio.ensure_future(self.client.invoice(self.invoice_id)))

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(f"Invoice {escape(self.number)}", id="detail-title")
            yield StatusLine(id="detail-message", hide_empty=True)
            yield Static("", id="detail-facts")
            yield Static("Line items", classes="section-title")
            yield DataTable(id="line-items", cursor_type="none", zebra_stripes=True)
            yield Static("Sites", classes="section-title", id="sites-title")
            yield DataTable(id="sites", cursor_type="row", zebra_stripes=True)
            yield Static("Payments applied", classes="section-title")
            yield DataTable(id="payments", cursor_type="none", zebra_stripes=True)
            yield Static("No payments applied yet.", id="no-payments", classes="hint")

    def _room(self) -> int:
        """The cells a table row has: the screen less the body's padding and its scrollbar."""
        return self.app.size.width - 4

    def on_mount(self) -> None:
        # Money first, words last: at 80 columns a long description wraps (the row grows), never an
        # amount is cut.
        description_width = min(64, max(16, self.app.size.width - 40))
        items = self.query_one("#line-items", DataTable)
        items.add_column("Description", width=description_width)
        items.add_columns("Qty", "Unit price", "Amount")
        self.query_one("#sites", DataTable).add_columns(
            "Number", "Site", "Amount", "Balance", "Status", "Address"
        )
        self.query_one("#payments", DataTable).add_columns(
            "Date", "Amount", "Status", "Confirmation", "Method"
        )
        for widget in self.query("#detail-message, #sites-title, #sites, #payments, #no-payments"):
            widget.display = False
        self.load()

    def on_unmount(self) -> None:
        self._first.drop()  # closed before its first load read it

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        body = self.query_one("#detail", VerticalScroll)
        if not self._first.ready:  # an early answer in already needs no loading state
            body.loading = True
        try:
            invoice = await self._first.take()
        finally:
            body.loading = False
        self.show(invoice)

    def retry(self) -> None:
        self.load()

    def show(self, invoice: InvoiceDetail) -> None:
        self.invoice = invoice
        self.query_one("#detail-title", Static).update(f"Invoice {escape(invoice.number)}")
        self.query_one("#detail-facts", Static).update(self._facts(invoice))

        items = self.query_one("#line-items", DataTable)
        items.clear()
        for item in invoice.line_items:
            items.add_row(
                *plain_cells(
                    item.description,
                    Text(str(item.quantity), justify="right"),
                    _money(item.unit_cents),
                    _money(item.amount_cents),
                ),
                height=None,  # a long description wraps in full
            )

        sites = self.query_one("#sites", DataTable)
        sites.clear()
        # The address goes last and is cut with "…" to the room left (Enter opens the site's invoice,
        # which shows it in full); numbers, amounts and statuses keep their width.
        site_cells = [
            [
                child.number,
                child.site.name if child.site else "",
                format_cents(child.amount_cents),
                format_cents(child.balance_cents),
                status_label(child.status, child.past_due),
            ]
            for child in invoice.children
        ]
        headers = ["Number", "Site", "Amount", "Balance", "Status"]
        columns = [list(column) for column in zip(headers, *site_cells, strict=False)]
        address_room = max(8, spare_width(self._room(), columns))
        for child, cells in zip(invoice.children, site_cells, strict=True):
            address = (child.site.address or "") if child.site else ""
            sites.add_row(
                *plain_cells(
                    cells[0],
                    cells[1],
                    _money(child.amount_cents),
                    _money(child.balance_cents),
                    cells[4],
                    cut(address, address_room),
                ),
                key=str(child.id),
            )
        has_sites = bool(invoice.children)
        self.query_one("#sites-title").display = has_sites
        sites.display = has_sites

        payments = self.query_one("#payments", DataTable)
        payments.clear()
        rows = [
            [
                format_date(payment.created_at.date()),
                format_cents(payment.amount_cents),
                PAYMENT_STATUS.get(payment.status, payment.status.replace("_", " ").title()),
                payment.confirmation_number,
            ]
            for payment in invoice.payments
        ]
        headers = ["Date", "Amount", "Status", "Confirmation"]
        method_room = max(12, spare_width(self._room(), [list(c) for c in zip(headers, *rows, strict=False)]))
        for payment, cells in zip(invoice.payments, rows, strict=True):
            payments.add_row(
                *plain_cells(
                    cells[0],
                    _money(payment.amount_cents),
                    cells[2],
                    cells[3],
                    cut_name(payment.method_label or "", method_room),  # the last 4 digits stay
                )
            )
        payments.display = bool(invoice.payments)
        self.query_one("#no-payments").display = not invoice.payments
        (sites if has_sites else self.query_one("#detail")).focus()

    def _facts(self, invoice: InvoiceDetail) -> Table:
        label = "dim"
        status = status_label(invoice.status, invoice.past_due)
        error_colour = self.app.theme_variables.get("error", "red")
        status_style = f"bold {error_colour}" if status == "Past Due" else ""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style=label)
        grid.add_column()
        grid.add_column(style=label)
        grid.add_column(justify="right")
        grid.add_row("Status", Text(status, style=status_style), "Amount", format_cents(invoice.amount_cents))
        grid.add_row("Issued", format_date(invoice.issued_on), "Balance", format_cents(invoice.balance_cents))
        grid.add_row("Due", format_date(invoice.due_on), "", "")
        if invoice.site is not None:
            where = invoice.site.name + (f", {invoice.site.address}" if invoice.site.address else "")
            grid.add_row("Site", Text(where), "", "")
        elif invoice.children:
            grid.add_row("Sites", f"{len(invoice.children)} sites (below)", "", "")
        return grid

    @on(DataTable.RowSelected, "#sites")
    def _open_site(self, event: DataTable.RowSelected) -> None:
        if self.invoice is None:
            return
        child = next((c for c in self.invoice.children if str(c.id) == event.row_key.value), None)
        if child is not None:
            self.app.push_screen(InvoiceDetailScreen(child.id, child.number))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.load()

    # ---- the PDF -------------------------------------------------------------------------------

    def _pdf_name(self) -> str:
        return f"invoice-{self.invoice.number if self.invoice else self.number or self.invoice_id}.pdf"

    def action_download_pdf(self) -> None:
        from tui.downloads import downloads_dir, safe_name
        from tui.screens.dialogs import PathDialog

        suggested = downloads_dir() / safe_name(self._pdf_name())
        self.app.push_screen(PathDialog("Save the invoice PDF to", suggested), self._save_to)

    def _save_to(self, path: str | None) -> None:
        if path:
            from tui.screens.replace_file import ask_before_saving  # a file there: replace it or not

            save = lambda chosen: self.save_pdf(chosen, then_print=False)  # noqa: E731
            ask_before_saving(self.app, Path(path), save, self.say)

    def action_print_pdf(self) -> None:
        from tui.downloads import downloads_dir, safe_name
        from tui.screens.replace_file import ask_before_saving  # a file there: replace it or not, as `d`

        save = lambda chosen: self.save_pdf(chosen, then_print=True)  # noqa: E731
        ask_before_saving(self.app, downloads_dir() / safe_name(self._pdf_name()), save, self.say)

    @work(exclusive=True, exit_on_error=False, group="pdf")
    async def save_pdf(self, path: Path, *, then_print: bool) -> None:
        from tui.downloads import save_file
        from tui.printing import PrintError, print_file

        self.say("Getting the PDF…")
        pdf = await self.client.invoice_pdf(self.invoice_id)
        try:
            saved = save_file(pdf.content, pdf.filename, path)
        except OSError as exc:
            self.say(f"Could not save the PDF to {path}: {exc.strerror or exc}.", error=True)
            return
        if not then_print:
            self.say(f"Saved the PDF to {saved}")
            return
        self.say(f"Printing {saved}…")
        try:
            command = await print_file(saved)
        except PrintError as problem:
            self.say(str(problem), error=True)
            return
        self.say(f"Sent to the printer ({command}). The PDF is saved at {saved}")

    def show_api_error(self, error: Exception) -> bool:
        if isinstance(error, ApiError) and self.invoice is not None:
            self.say(str(error), error=True)
            return True
        return False
