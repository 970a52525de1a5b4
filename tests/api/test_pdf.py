"""GET /v1/invoices/{id}/pdf: a PDF with the invoice's facts, under the same 404 rules as the invoice.

pypdf is not installed here: the backend writes uncompressed page streams, so the text is read straight
from the content streams (reportlab writes each string as a `(...) Tj` operand)."""

from __future__ import annotations

import re

from tests.api.conftest import Api, assert_error

DANA, LEE, CLERK = "dana@example.com", "lee@example.com", "clerk@example.com"


def pdf_text(content: bytes) -> str:
    """The strings shown on the pages, unescaped, one per line."""
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)
    return "\n".join(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in strings)


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def test_multi_site_invoice_pdf_has_everything(demo: Api) -> None:
    parent = demo.invoices(DANA, kind="multi")["items"][0]
    detail = demo.ok(f"/v1/invoices/{parent['id']}", DANA)
    r = demo.get(f"/v1/invoices/{parent['id']}/pdf", DANA)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'inline; filename="invoice-{parent["number"]}.pdf"'
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    text = pdf_text(r.content)
    for expected in [
        "Paydesk Utilities",
        "1-800-555-0142",
        "4100012345",
        "Dana Whitfield",
        "1427 Juniper Ridge Rd, Eugene, OR 97405",
        f"Invoice {parent['number']}",
        parent["issued_on"],
        parent["due_on"],
        "Open",
        _dollars(detail["balance_cents"]),
        *(c["number"] for c in detail["children"]),
        *(_dollars(c["amount_cents"]) for c in detail["children"]),
        *(c["site"]["name"] for c in detail["children"]),
    ]:
        assert expected in text, expected
    # The same invoice gives the same bytes.
    assert demo.get(f"/v1/invoices/{parent['id']}/pdf", DANA).content == r.content


def test_paid_invoice_pdf_lists_items_and_payments(demo: Api) -> None:
    paid = demo.invoices(DANA, status="paid")["items"][0]
    detail = demo.ok(f"/v1/invoices/{paid['id']}", DANA)
    text = pdf_text(demo.get(f"/v1/invoices/{paid['id']}/pdf", DANA).content)
    assert paid["number"] in text and "Paid" in text and "$0.00" in text
    for item in detail["line_items"]:
        assert item["description"] in text and _dollars(item["amount_cents"]) in text
    [payment] = detail["payments"]
    assert payment["confirmation_number"] in text


def test_pdf_404_rules_match_the_invoice(demo: Api) -> None:
    lee_invoice = demo.invoices(LEE)["items"][0]["id"]
    for invoice_id in (lee_invoice, 987654):
        assert_error(demo.get(f"/v1/invoices/{invoice_id}/pdf", DANA), 404, "not_found", "not_found")
    assert_error(demo.get(f"/v1/invoices/{lee_invoice}/pdf"), 401, "authentication", "not_authenticated")
    assert_error(demo.get("/v1/invoices/abc/pdf", DANA), 404, "not_found", "not_found")
    # A clerk gets any invoice's PDF, and the read is audited.
    r = demo.get(f"/v1/invoices/{lee_invoice}/pdf", CLERK)
    assert r.status_code == 200 and "4100067890" in pdf_text(r.content)
    audit = demo.ok("/v1/dev/audit", params={"limit": 20})["items"]
    assert any(e["action"] == "invoice.pdf" and e["detail"]["invoice_id"] == lee_invoice for e in audit)
