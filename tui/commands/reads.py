"""The reads: summary, invoices, invoice, methods, history, statement, account find. Each prints a table,
or with `--json` what the server answered (lists of several pages as one list document), or `--csv`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tui.commands import output
from tui.commands.output import Column, dollars, plain_dollars
from tui.commands.parsers import MAX_PAGE
from tui.commands.session import Failure, Session, error_object, run, say_failure


def summary(args: argparse.Namespace) -> int:
    return run(args, _summary)


async def _summary(s: Session) -> int:
    account_id = await s.account_id()
    money = await s.client.summary(account_id)
    if s.json:
        output.print_json(s.client.last_json())
        return 0
    past_due = dollars(money.past_due_cents)
    if money.past_due_count:
        past_due += f" ({money.past_due_count} invoice{'s' if money.past_due_count != 1 else ''})"
    rows = [
        ("Balance due", f"{dollars(money.balance_due_cents)} ({money.open_count} open)"),
        ("Past due", past_due),
        ("In progress", dollars(money.in_progress_cents)),
        ("Credit", dollars(money.credit_cents)),
        ("Next due", money.next_due_on.isoformat() if money.next_due_on else "nothing due"),
    ]
    title = f"Account {account_id}" + (f", as of {money.today.isoformat()}" if money.today else "")
    grid = output.table([Column(""), Column("")], title=title, header=False)
    for name, value in rows:
        grid.add_row(name, value)
    output.show(grid)
    return 0


# -- invoices ------------------------------------------------------------------------------------

INVOICE_CSV = ["number", "issued_on", "due_on", "status", "past_due", "amount", "balance", "site", "id"]
# Fixed widths, so the pages of `--all` line up; below WIDE columns the issue date is left out.
_INVOICE_COLUMNS = [
    Column("Number", width=14),
    Column("Issued", width=10),
    Column("Due", width=10),
    Column("Status", width=11),
    Column("Amount", money=True, width=10),
    Column("Balance", money=True, width=10),
    Column("Site", wrap=True),
]
WIDE = 100


def _wide() -> bool:
    return output.console().width >= WIDE


def _invoice_columns() -> list[Column]:
    return _INVOICE_COLUMNS if _wide() else [c for c in _INVOICE_COLUMNS if c.title != "Issued"]


def _invoice_cells(row: Any) -> list[str]:
    cells = [
        row.number,
        row.issued_on.isoformat(),
        row.due_on.isoformat(),
        _status(row),
        dollars(row.amount_cents),
        dollars(row.balance_cents),
        _site(row),
    ]
    return cells if _wide() else cells[:1] + cells[2:]


def _status(row: Any) -> str:
    return "past due" if row.past_due else row.status.replace("_", " ")


def _site(row: Any) -> str:
    if row.children_count:
        return f"{row.children_count} sites"
    return row.site.name if row.site else ""


def invoices(args: argparse.Namespace) -> int:
    return run(args, _invoices)


async def _invoices(s: Session) -> int:
    args = s.args
    account_id = await s.account_id()
    wanted = None if args.all else args.limit
    document = output.JsonList() if s.json else None
    writer = output.csv_writer(INVOICE_CSV) if args.csv else None
    cursor: str | None = None
    shown = total = 0
    while True:
        size = MAX_PAGE if wanted is None else min(MAX_PAGE, wanted - shown)
        page = await s.client.invoices(account_id, status=args.status, limit=size, cursor=cursor)
        total, cursor = page.total_count, page.next_cursor
        if document is not None:
            document.add(s.client.last_json()["items"])
        elif writer is not None:
            for row in page.items:
                writer.writerow(
                    [
                        row.number,
                        row.issued_on.isoformat(),
                        row.due_on.isoformat(),
                        row.status,
                        "true" if row.past_due else "false",
                        plain_dollars(row.amount_cents),
                        plain_dollars(row.balance_cents),
                        _site(row),
                        row.id,
                    ]
                )
            sys.stdout.flush()
        else:
            # Each page is drawn as it comes (fixed widths, so the pages line up), never all held at once.
            grid = output.table(_invoice_columns(), header=shown == 0)
            for row in page.items:
                grid.add_row(*_invoice_cells(row))
            if page.items or shown == 0:
                output.show(grid)
        shown += len(page.items)
        if cursor is None or (wanted is not None and shown >= wanted):
            break
    if document is not None:
        document.close(cursor, total)
    elif writer is None:
        more = "; --all shows every one" if cursor else ""
        output.note(f"{shown} of {total} invoices{more}.")
    return 0


def invoice(args: argparse.Namespace) -> int:
    return run(args, _invoice)


async def _invoice(s: Session) -> int:
    account_id = await s.account_id()
    number = s.args.number.strip()
    row = await s.client.invoice_by_number(account_id, number)
    if row is None:
        message = f"There is no invoice {number} on account {account_id}: see `paydesk invoices`."
        raise Failure(message, error=error_object("not_found", "not_found", message, "number"))
    detail = await s.client.invoice(row.id)
    raw = s.client.last_json()
    if s.args.pdf:
        pdf = await s.client.invoice_pdf(row.id)
        target = Path(s.args.pdf).expanduser()
        try:
            target.write_bytes(pdf.content)
        except OSError as exc:
            raise Failure(f"Cannot save the PDF to {target}: {exc.strerror or exc}.") from None
        output.note(f"Saved invoice {detail.number} as a PDF to {target}.")
    if s.json:
        output.print_json(raw)
        return 0
    head = output.table([Column(""), Column("", wrap=True)], title=f"Invoice {detail.number}", header=False)
    head.add_row("Status", _status(detail))
    head.add_row("Issued", detail.issued_on.isoformat())
    head.add_row("Due", detail.due_on.isoformat())
    head.add_row("Amount", dollars(detail.amount_cents))
    head.add_row("Balance", dollars(detail.balance_cents))
    if detail.site:
        head.add_row("Site", ", ".join(p for p in (detail.site.name, detail.site.address) if p))
    output.show(head)
    if detail.line_items:
        items = output.table(
            [
                Column("Item", wrap=True),
                Column("Quantity", money=True),
                Column("Unit", money=True),
                Column("Amount", money=True),
            ],
            title="Line items",
        )
        for item in detail.line_items:
            items.add_row(
                item.description, f"{item.quantity:g}", dollars(item.unit_cents), dollars(item.amount_cents)
            )
        output.show(items)
    if detail.children:
        sites = output.table(_invoice_columns(), title="Sites")
        for child in detail.children:
            sites.add_row(*_invoice_cells(child))
        output.show(sites)
    if detail.payments:
        paid = output.table(
            [
                Column("Date"),
                Column("Confirmation"),
                Column("Status"),
                Column("Amount", money=True),
                Column("Method", wrap=True),
            ],
            title="Payments",
        )
        for p in detail.payments:
            paid.add_row(
                p.created_at.date().isoformat(),
                p.confirmation_number,
                p.status.replace("_", " "),
                dollars(p.amount_cents),
                p.method_label or "",
            )
        output.show(paid)
    return 0


# -- methods, history ----------------------------------------------------------------------------


def methods(args: argparse.Namespace) -> int:
    return run(args, _methods)


async def _methods(s: Session) -> int:
    account_id = await s.account_id()
    page = await s.client.payment_methods(account_id)
    if s.json:
        output.print_json(s.client.last_json())
        return 0
    if not page.items:
        output.say("No saved payment methods: add one in the app (paydesk), then pay with --method saved:ID.")
        return 0
    grid = output.table(
        [Column("--method"), Column("Method", wrap=True), Column("Expires"), Column("Default")],
        title="Saved payment methods",
    )
    for m in page.items:
        expires = f"{m.exp_month:02d}/{m.exp_year % 100:02d}" if m.exp_month and m.exp_year else ""
        grid.add_row(f"saved:{m.id}", m.display, expires, "yes" if m.is_default else "")
    output.show(grid)
    return 0


HISTORY_CSV = ["date", "confirmation_number", "status", "amount", "fees", "total", "method", "invoices", "id"]


def history(args: argparse.Namespace) -> int:
    return run(args, _history)


async def _history(s: Session) -> int:
    account_id = await s.account_id()
    document = output.JsonList() if s.json else None
    writer = output.csv_writer(HISTORY_CSV) if s.args.csv else None
    grid = None
    if document is None and writer is None:
        columns = [
            Column("Date"),
            Column("Confirmation"),
            Column("Status"),
            Column("Amount", money=True),
            Column("Fees", money=True),
            Column("Total", money=True),
            Column("Method", wrap=True),
            Column("Invoices", wrap=True, width=14),
        ]
        # Narrow: the amount is left out (the total and the fees say it).
        grid = output.table(columns if _wide() else columns[:3] + columns[4:], title="Payments")
    cursor: str | None = None
    total = 0
    while True:
        page = await s.client.payments(account_id, limit=MAX_PAGE, cursor=cursor)
        total, cursor = page.total_count, page.next_cursor
        if document is not None:
            document.add(s.client.last_json()["items"])
        for p in page.items:
            on = (p.created_on or p.created_at.date()).isoformat()
            method = " + ".join(part.method.label for part in p.parts)
            numbers = " ".join(a.number for a in p.allocations)
            if writer is not None:
                writer.writerow(
                    [
                        on,
                        p.confirmation_number,
                        p.status,
                        plain_dollars(p.amount_cents),
                        plain_dollars(p.fees_cents),
                        plain_dollars(p.total_cents),
                        method,
                        numbers,
                        p.id,
                    ]
                )
            elif grid is not None:
                cells = [
                    on,
                    p.confirmation_number,
                    p.status.replace("_", " "),
                    dollars(p.amount_cents),
                    dollars(p.fees_cents),
                    dollars(p.total_cents),
                    method,
                    numbers,
                ]
                grid.add_row(*(cells if _wide() else cells[:3] + cells[4:]))
        if cursor is None:
            break
    if document is not None:
        document.close(None, total)
    elif grid is not None:
        output.show(grid) if total else output.say("No payments in the last 36 months.")
    return 0


# -- statement -----------------------------------------------------------------------------------


def statement(args: argparse.Namespace) -> int:
    return run(args, _statement)


async def _statement(s: Session) -> int:
    args = s.args
    if args.start and args.end and args.start > args.end:
        raise Failure("--from must be on or before --to.", status=2)
    account_id = await s.account_id()
    if args.csv:  # the server's own CSV file, as the app saves it
        csv_file = await s.client.statement_csv_between(account_id, args.start, args.end)
        sys.stdout.buffer.write(csv_file.content)
        sys.stdout.flush()
        return 0
    first = await s.client.statement_between(account_id, args.start, args.end)
    document = s.client.last_json()
    entries = list(first.items)
    cursor = first.next_cursor
    while cursor is not None:
        page = await s.client.statement_between(account_id, args.start, args.end, cursor=cursor)
        entries += page.items
        document["items"] += s.client.last_json()["items"]
        cursor = page.next_cursor
    if s.json:
        document["next_cursor"] = None  # every page is in this one document
        output.print_json(document)
        return 0
    title = (
        f"Statement of account {first.account_number}, {first.start.isoformat()} to {first.end.isoformat()}"
    )
    grid = output.table(
        [
            Column("Date"),
            Column("What"),
            Column("Description", wrap=True),
            Column("Reference"),
            Column("Amount", money=True),
            Column("Balance", money=True),
        ],
        title=title,
    )
    grid.add_row(first.start.isoformat(), "", "Opening balance", "", "", dollars(first.opening_balance_cents))
    for e in entries:
        grid.add_row(
            e.date.isoformat(),
            e.kind.replace("_", " "),
            e.description,
            e.reference or "",
            dollars(e.amount_cents),
            dollars(e.balance_cents),
        )
    grid.add_row(first.end.isoformat(), "", "Closing balance", "", "", dollars(first.closing_balance_cents))
    output.show(grid)
    return 0


# -- clerks: account find ------------------------------------------------------------------------


def account_find(args: argparse.Namespace) -> int:
    by_number = args.account_number is not None or args.last_name is not None
    if by_number == (args.email is not None) or (by_number and not (args.account_number and args.last_name)):
        say_failure(
            Failure("give --account-number N with --last-name L, or --email E.", status=2),
            json_output=args.json,
        )
        return 2
    return run(args, _account_find)


async def _account_find(s: Session) -> int:
    args = s.args
    page = await s.client.search_accounts(
        account_number=args.account_number, last_name=args.last_name, email=args.email
    )
    if s.json:
        output.print_json(s.client.last_json())
        return 0
    if not page.items:
        output.say("No account matches.")
        return 0
    grid = output.table(
        [
            Column("--account"),
            Column("Account number"),
            Column("Name"),
            Column("Email", wrap=True),
            Column("Service address", wrap=True),
        ],
        title="Accounts",
    )
    for a in page.items:
        grid.add_row(str(a.id), a.account_number, a.name, a.email or "", a.service_address or "")
    output.show(grid)
    return 0
