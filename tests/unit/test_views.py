"""backend_stub.views.invoice_page_json: the invoice page's JSON built from row mappings without a model per
row is byte for byte what `schemas.InvoicePage` makes of the same rows."""

from __future__ import annotations

from datetime import date

from backend_stub import schemas, views

TODAY = date(2026, 11, 15)
ROWS = [
    {  # an open invoice past due, at a site
        "id": 7,
        "number": "INV-7",
        "issued_on": date(2026, 10, 1),
        "due_on": date(2026, 10, 20),
        "amount_cents": 12_345,
        "balance_cents": 12_345,
        "pay_state": "open",
        "parent_id": None,
        "children_count": 2,
        "site_id": 3,
        "site_name": 'Yard \u00e9 "north"',
        "site_address": "1 Main St",
    },
    {  # paid, no site, a child
        "id": 8,
        "number": "INV-8",
        "issued_on": date(2026, 11, 1),
        "due_on": date(2026, 11, 30),
        "amount_cents": 0,
        "balance_cents": 0,
        "pay_state": "paid",
        "parent_id": 7,
        "children_count": 0,
        "site_id": None,
        "site_name": None,
        "site_address": None,
    },
    {  # in progress, due in the future
        "id": 9,
        "number": "INV-9",
        "issued_on": date(2026, 11, 2),
        "due_on": date(2026, 12, 30),
        "amount_cents": 500,
        "balance_cents": 500,
        "pay_state": "in_progress",
        "parent_id": None,
        "children_count": 0,
        "site_id": None,
        "site_name": None,
        "site_address": None,
    },
]


def test_the_page_json_is_the_models_json() -> None:
    for rows, next_cursor, total in ((ROWS, "abc_-", 10_000), ([], None, 0), (ROWS[:1], None, 1)):
        model = schemas.InvoicePage(
            items=[views.invoice_row(r, TODAY) for r in rows],  # type: ignore[arg-type]
            next_cursor=next_cursor,
            total_count=total,
        )
        built = views.invoice_page_json(rows, TODAY, next_cursor, total)  # type: ignore[arg-type]
        assert built == model.model_dump_json().encode()


def test_the_row_json_names_every_field_of_the_model_in_its_order() -> None:
    row_fields = list(views._InvoiceRowJson.__annotations__)
    assert row_fields == list(schemas.InvoiceRow.model_fields)
    assert list(views._SiteJson.__annotations__) == list(schemas.Site.model_fields)
    assert list(views._InvoicePageJson.__annotations__) == list(schemas.InvoicePage.model_fields)
