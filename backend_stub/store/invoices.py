"""Invoice queries: keyset-paged lists (issued_on desc, id desc), totals for the summary, detail parts.

Only sent invoices are ever read here: unsent and void ones are invisible to every caller.
"""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import Connection, Date, Integer, RowMapping, Select, bindparam, func, select, tuple_

from backend_stub.billing.summary import InvoiceGroup
from backend_stub.store import fast_rows
from backend_stub.store.tables import (
    allocations,
    invoice_counts,
    invoices,
    line_items,
    payment_parts,
    payments,
    sites,
)

ROW_COLUMNS = (
    invoices.c.id,
    invoices.c.account_id,
    invoices.c.number,
    invoices.c.issued_on,
    invoices.c.due_on,
    invoices.c.amount_cents,
    invoices.c.balance_cents,
    invoices.c.pending_cents,
    invoices.c.pay_state,
    invoices.c.parent_id,
    invoices.c.children_count,
    invoices.c.site_id,
    sites.c.name.label("site_name"),
    sites.c.address.label("site_address"),
)


def _rows():  # type: ignore[no-untyped-def]
    return select(*ROW_COLUMNS).select_from(invoices.outerjoin(sites, sites.c.id == invoices.c.site_id))


def _top_level(account_id: int, status: str, kind: str) -> list:
    conditions = [
        invoices.c.account_id == account_id,
        invoices.c.parent_id.is_(None),
        invoices.c.state == "sent",
    ]
    if status != "all":
        conditions.append(invoices.c.pay_state == status)
    if kind == "single":
        conditions.append(invoices.c.children_count == 0)
    elif kind == "multi":
        conditions.append(invoices.c.children_count > 0)
    return conditions


def list_page(
    conn: Connection,
    account_id: int,
    *,
    status: str,
    kind: str,
    limit: int,
    after: tuple[date, int] | None,
    total: int | None = None,
) -> tuple[list[RowMapping], int]:
    """One page of top-level invoices, newest first, and how many match the filter in all (read from
    `invoice_counts` unless `total` is known already: the cursor carries the count of the list's first
    page).

    Fetches limit + 1 rows so the caller knows whether another page follows."""
    count, page = _list_statements(status, kind, after is not None)
    params: dict[str, object] = {"account_id": account_id, "limit": limit + 1}
    if total is None:
        (counted,) = fast_rows.mappings(conn, count, params)[0].values()
        total = int(counted)
    if after is not None:
        params["after_on"], params["after_id"] = after
    return fast_rows.mappings(conn, page, params), total


@functools.cache
def _list_statements(status: str, kind: str, paged: bool) -> tuple[Select, Select]:
    """The count and the page of one filter, built once: a statement built per request costs more Python
    than SQLite takes to run it."""
    conditions = _top_level(bindparam("account_id"), status, kind)  # type: ignore[arg-type]
    count = _count(status, kind)
    page = _rows().where(*conditions)
    if paged:
        # A row value, not `a < x OR (a = x AND b < y)`: the index seeks to the cursor instead of
        # walking every row of the pages before it.
        page = page.where(
            tuple_(invoices.c.issued_on, invoices.c.id)
            < tuple_(bindparam("after_on", type_=Date), bindparam("after_id", type_=Integer))
        )
    page = page.order_by(invoices.c.issued_on.desc(), invoices.c.id.desc()).limit(
        bindparam("limit", type_=Integer)
    )
    return count, page


def _count(status: str, kind: str) -> Select:
    """How many invoices `_top_level` matches, from the few rows the triggers keep per account (migration
    0011): counting 10,000 index entries took 0.5-0.9 ms on every first page."""
    conditions = [invoice_counts.c.account_id == bindparam("account_id")]
    if status != "all":
        conditions.append(invoice_counts.c.pay_state == status)
    if kind != "all":
        conditions.append(invoice_counts.c.multi == (1 if kind == "multi" else 0))
    return select(func.coalesce(func.sum(invoice_counts.c.n), 0)).where(*conditions)


def with_number(
    conn: Connection, account_id: int, number: str, *, status: str, kind: str
) -> list[RowMapping]:
    """The list's filter narrowed to one invoice number (numbers are unique): one row or none."""
    query = _rows().where(*_top_level(account_id, status, kind), invoices.c.number == number)
    return list(conn.execute(query).mappings())


def count_top_level(conn: Connection, account_id: int, status: str, kind: str) -> int:
    """The count of `_top_level` from the invoices themselves (what `invoice_counts` must always say)."""
    query = select(func.count()).select_from(invoices).where(*_top_level(account_id, status, kind))
    return int(conn.execute(query).scalar_one())


def summary_groups(conn: Connection, account_id: int) -> list[InvoiceGroup]:
    """Totals of the account's unpaid top-level sent invoices per (pay_state, due_on)."""
    query = (
        select(
            invoices.c.pay_state,
            invoices.c.due_on,
            func.count().label("count"),
            func.coalesce(func.sum(invoices.c.balance_cents), 0).label("balance"),
            func.coalesce(func.sum(invoices.c.pending_cents), 0).label("pending"),
        )
        .where(*_top_level(account_id, "all", "all"))
        # A paid invoice owes nothing and has nothing pending: skipping them keeps this an index range
        # over the few unpaid rows even on an account with 10,000 invoices.
        .where(invoices.c.pay_state.in_(("open", "in_progress")))
        .group_by(invoices.c.pay_state, invoices.c.due_on)
    )
    return [
        InvoiceGroup(
            pay_state=row.pay_state,
            due_on=row.due_on,
            count=int(row.count),
            balance_cents=int(row.balance),
            pending_cents=int(row.pending),
        )
        for row in conn.execute(query)
    ]


def visible_invoice(conn: Connection, invoice_id: int) -> RowMapping | None:
    """A sent invoice by id (top-level or child), whoever owns it; the caller checks the account."""
    return (
        conn.execute(_rows().where(invoices.c.id == invoice_id, invoices.c.state == "sent"))
        .mappings()
        .first()
    )


def children(conn: Connection, parent_id: int) -> list[RowMapping]:
    query = (
        _rows().where(invoices.c.parent_id == parent_id, invoices.c.state == "sent").order_by(invoices.c.id)
    )
    return list(conn.execute(query).mappings())


def items(conn: Connection, invoice_id: int) -> list[RowMapping]:
    query = (
        select(
            line_items.c.description,
            line_items.c.quantity,
            line_items.c.unit_cents,
            line_items.c.amount_cents,
        )
        .where(line_items.c.invoice_id == invoice_id)
        .order_by(line_items.c.position, line_items.c.id)
    )
    return list(conn.execute(query).mappings())


def payments_applied(conn: Connection, invoice_ids: list[int]) -> list[dict]:
    """Payments allocated to any of `invoice_ids`, newest first: the amount applied to them, the parts
    that paid it (`part_ids`) and the status as these invoices see it. A split's card part pays at once:
    an invoice only its card part paid is `succeeded` while the bank part is pending or after it was
    returned."""
    part = func.coalesce(
        allocations.c.part_id,
        select(func.min(payment_parts.c.id))
        .where(payment_parts.c.payment_id == allocations.c.payment_id)
        .scalar_subquery(),
    ).label("part_id")
    shares = (
        select(allocations.c.payment_id, part, func.sum(allocations.c.amount_cents).label("amount_cents"))
        .where(allocations.c.invoice_id.in_(invoice_ids))
        .group_by(allocations.c.payment_id, part)
        .subquery()
    )
    query = (
        select(
            payments.c.id.label("payment_id"),
            payments.c.confirmation_number,
            payments.c.status,
            payments.c.created_at,
            shares.c.part_id,
            shares.c.amount_cents,
            payment_parts.c.status.label("part_status"),
        )
        .join(shares, shares.c.payment_id == payments.c.id)
        .join(payment_parts, payment_parts.c.id == shares.c.part_id)
        .order_by(payments.c.created_at.desc(), payments.c.id.desc(), shares.c.part_id)
    )
    found: dict[int, dict] = {}
    for row in conn.execute(query).mappings():
        seen = found.setdefault(
            row["payment_id"],
            {
                **{k: row[k] for k in ("payment_id", "confirmation_number", "status", "created_at")},
                "amount_cents": 0,
                "part_ids": [],
                "part_statuses": set(),
            },
        )
        seen["amount_cents"] += row["amount_cents"]
        seen["part_ids"].append(row["part_id"])
        seen["part_statuses"].add(row["part_status"])
    for seen in found.values():
        paid_by_card = seen.pop("part_statuses") == {"succeeded"}
        if seen["status"] in ("pending", "returned") and paid_by_card:
            seen["status"] = "succeeded"
    return list(found.values())


def parts_of(conn: Connection, payment_ids: list[int]) -> dict[int, list[RowMapping]]:
    if not payment_ids:
        return {}
    query = (
        select(
            payment_parts.c.id,
            payment_parts.c.payment_id,
            payment_parts.c.method_type,
            payment_parts.c.brand,
            payment_parts.c.last4,
            payment_parts.c.bank_name,
        )
        .where(payment_parts.c.payment_id.in_(payment_ids))
        .order_by(payment_parts.c.payment_id, payment_parts.c.id)
    )
    result: dict[int, list[RowMapping]] = {}
    for row in conn.execute(query).mappings():
        result.setdefault(row["payment_id"], []).append(row)
    return result
