"""An invoice as a PDF (reportlab platypus): business, customer, invoice facts, sites, line items,
payments applied and the balance.

Page streams are left uncompressed and the document invariant (no timestamps or random ids): an invoice
is small either way, the same invoice gives the same bytes, and its text can be checked without a PDF
library."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable
from sqlalchemy import RowMapping

from backend_stub.receipts import BUSINESS_PHONE, COMPANY, dollars
from backend_stub.schemas import InvoiceDetail

STATUS_WORDS = {"open": "Open", "in_progress": "Payment in progress", "paid": "Paid"}
_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
)


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    table = Table([header, *rows], colWidths=widths, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def render(invoice: InvoiceDetail, account: RowMapping) -> bytes:
    styles = getSampleStyleSheet()
    text, heading = styles["Normal"], styles["Heading2"]
    status = STATUS_WORDS.get(invoice.status, invoice.status)
    if invoice.past_due:
        status += " (past due)"
    story: list[Flowable] = [
        Paragraph(escape(COMPANY), styles["Title"]),
        Paragraph(f"Questions? Call {BUSINESS_PHONE}", text),
        Spacer(1, 0.2 * inch),
        Paragraph(f"Invoice {escape(invoice.number)}", heading),
        _table(
            ["", ""],
            [
                ["Account number", account["account_number"]],
                ["Customer", f"{account['first_name']} {account['last_name']}"],
                ["Service address", account["service_address"]],
                ["Issued", invoice.issued_on.isoformat()],
                ["Due", invoice.due_on.isoformat()],
                ["Status", status],
            ],
            [1.6 * inch, 4.8 * inch],
        ),
    ]
    if invoice.children:
        story += [Paragraph("Sites", heading)]
        rows = [
            [c.number, f"{c.site.name}, {c.site.address}" if c.site else "", dollars(c.amount_cents)]
            for c in invoice.children
        ]
        story.append(_table(["Invoice", "Site", "Amount"], rows, [1.4 * inch, 3.8 * inch, 1.2 * inch]))
    if invoice.line_items:
        story += [Paragraph("Charges", heading)]
        rows = [
            [i.description, str(i.quantity), dollars(i.unit_cents), dollars(i.amount_cents)]
            for i in invoice.line_items
        ]
        story.append(
            _table(["Item", "Qty", "Unit", "Amount"], rows, [3.6 * inch, 0.6 * inch, 1.0 * inch, 1.2 * inch])
        )
    story += [Paragraph("Payments applied", heading)]
    if invoice.payments:
        rows = [
            [
                p.created_at.date().isoformat(),
                p.confirmation_number,
                p.method_label,
                p.status,
                dollars(p.amount_cents),
            ]
            for p in invoice.payments
        ]
        widths = [0.9 * inch, 1.2 * inch, 2.3 * inch, 0.8 * inch, 1.2 * inch]
        story.append(_table(["Date", "Confirmation", "Method", "Status", "Amount"], rows, widths))
    else:
        story.append(Paragraph("None yet.", text))
    story += [
        Spacer(1, 0.2 * inch),
        _table(
            ["", ""],
            [
                ["Invoice total", dollars(invoice.amount_cents)],
                ["Balance due", dollars(invoice.balance_cents)],
            ],
            [5.2 * inch, 1.2 * inch],
        ),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title=f"Invoice {invoice.number}",
        author=COMPANY,
        pageCompression=0,
        invariant=1,
    )
    document.build(story)
    return buffer.getvalue()
