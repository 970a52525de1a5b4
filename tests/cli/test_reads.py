"""The reads as processes: `--json` is the API's own answer, `--csv` reads with csv.reader, the tables
show dollars; clerks name the account (`--account`, found with `paydesk account find`)."""

from __future__ import annotations

import csv
import io
import json

from tests.cli.conftest import CLERK, DANA, LEE, Shell, one_sentence


def _dollars(cents: int) -> str:
    """As the statement CSV writes money: 1234.50, -12.00 (int arithmetic: never a float)."""
    whole, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{rest:02d}"


def test_summary_json_is_the_apis_summary_and_the_table_shows_dollars(shared: Shell) -> None:
    dana = shared.api.account_id(DANA)
    ran = shared.run("summary", "--json", as_=DANA)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == shared.api.ok(f"/v1/accounts/{dana}/summary", DANA)
    table = shared.run("summary", as_=DANA)
    assert table.returncode == 0, table.stderr
    assert "Balance due" in table.stdout and "$831.00" in table.stdout and "$129.70" in table.stdout


def test_invoices_json_is_the_apis_page_and_limit_keeps_its_cursor(shared: Shell) -> None:
    ran = shared.run("invoices", "--status", "open", "--json", as_=DANA)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == shared.api.invoices(DANA, status="open")
    limited = json.loads(shared.run("invoices", "--limit", "3", "--json", as_=DANA).stdout)
    assert limited == shared.api.invoices(DANA, limit=3)
    assert limited["next_cursor"] is not None and len(limited["items"]) == 3


def test_invoices_csv_reads_with_a_csv_reader(shared: Shell) -> None:
    ran = shared.run("invoices", "--all", "--csv", as_=LEE)
    assert ran.returncode == 0, ran.stderr
    rows = list(csv.reader(io.StringIO(ran.stdout)))
    header, body = rows[0], rows[1:]
    assert header == [
        "number",
        "issued_on",
        "due_on",
        "status",
        "past_due",
        "amount",
        "balance",
        "site",
        "id",
    ]
    api = shared.api.invoices(LEE, limit=200)["items"]
    assert [(r[0], r[5], r[6], int(r[8])) for r in body] == [
        (i["number"], _dollars(i["amount_cents"]), _dollars(i["balance_cents"]), i["id"]) for i in api
    ]


def test_the_invoice_table_fits_80_columns(shared: Shell) -> None:
    ran = shared.run("invoices", as_=DANA, env={"COLUMNS": "80"})
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, ran.stdout
    assert "INV-2026-00130" in ran.stdout and "$230.00" in ran.stdout and "past due" in ran.stdout


def test_invoice_by_number_json_is_the_apis_detail_and_pdf_is_saved(shared: Shell, tmp_path) -> None:
    row = next(i for i in shared.api.invoices(DANA)["items"] if i["children_count"])
    pdf = tmp_path / "bill.pdf"
    ran = shared.run("invoice", row["number"], "--json", "--pdf", str(pdf), as_=DANA)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == shared.api.ok(f"/v1/invoices/{row['id']}", DANA)
    assert pdf.read_bytes().startswith(b"%PDF")
    table = shared.run("invoice", row["number"], as_=DANA)
    assert "Line items" in table.stdout and "Sites" in table.stdout and "$389.10" in table.stdout


def test_an_unknown_invoice_number_is_exit_1_and_with_json_an_error_object(shared: Shell) -> None:
    ran = shared.run("invoice", "INV-1999-00001", as_=DANA)
    assert ran.returncode == 1 and ran.stdout == ""
    assert "There is no invoice INV-1999-00001" in one_sentence(ran.stderr)
    as_json = shared.run("invoice", "INV-1999-00001", "--json", as_=DANA)
    assert as_json.returncode == 1
    error = json.loads(as_json.stdout)["error"]
    assert (error["type"], error["code"], error["param"]) == ("not_found", "not_found", "number")
    # Too long for the server's filter: its own 400 object, word for word.
    long = "X" * 40
    served = shared.api.get(
        f"/v1/accounts/{shared.api.account_id(DANA)}/invoices", DANA, params={"number": long}
    )
    bad = shared.run("invoice", long, "--json", as_=DANA)
    assert bad.returncode == 1 and json.loads(bad.stdout) == served.json()


def test_methods_and_history_json_are_the_apis(shared: Shell) -> None:
    lee = shared.api.account_id(LEE)
    methods = shared.run("methods", "--json", as_=LEE)
    assert json.loads(methods.stdout) == shared.api.ok(f"/v1/accounts/{lee}/payment-methods", LEE)
    assert "saved:" in shared.run("methods", as_=LEE).stdout
    history = shared.run("history", "--json", as_=LEE)
    assert history.returncode == 0, history.stderr
    assert json.loads(history.stdout) == shared.api.ok(
        f"/v1/accounts/{lee}/payments", LEE, params={"limit": 200}
    )


def test_history_csv_reads_with_a_csv_reader(shared: Shell) -> None:
    dana = shared.api.account_id(DANA)
    ran = shared.run("history", "--csv", as_=DANA)
    rows = list(csv.reader(io.StringIO(ran.stdout)))
    api = shared.api.ok(f"/v1/accounts/{dana}/payments", DANA, params={"limit": 200})["items"]
    assert rows[0][:6] == ["date", "confirmation_number", "status", "amount", "fees", "total"]
    assert [(r[1], r[5]) for r in rows[1:]] == [
        (p["confirmation_number"], _dollars(p["total_cents"])) for p in api
    ]


def test_statement_json_is_every_page_and_csv_is_the_servers_file(shared: Shell) -> None:
    dana = shared.api.account_id(DANA)
    span = {"from": "2025-11-15", "to": "2026-11-15"}
    ran = shared.run("statement", "--from", span["from"], "--to", span["to"], "--json", as_=DANA)
    assert ran.returncode == 0, ran.stderr
    whole = shared.api.ok(f"/v1/accounts/{dana}/statement", DANA, params=span | {"limit": 200})
    assert json.loads(ran.stdout) == whole
    as_csv = shared.run("statement", "--from", span["from"], "--to", span["to"], "--csv", as_=DANA)
    served = shared.api.get(f"/v1/accounts/{dana}/statement", DANA, params=span | {"format": "csv"})
    assert as_csv.stdout == served.text.replace("\r\n", "\n")  # text mode reads \r\n as \n
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["date", "kind", "description", "reference", "amount", "balance"]
    assert rows[-1][1] == "closing_balance" and rows[-1][5] == _dollars(whole["closing_balance_cents"])


def test_a_clerk_finds_an_account_and_reads_it_with_account(shared: Shell) -> None:
    found = shared.run(
        "account", "find", "--account-number", "4100012345", "--last-name", "whitfield", "--json", as_=CLERK
    )
    assert found.returncode == 0, found.stderr
    served = shared.api.ok(
        "/v1/clerk/accounts", CLERK, params={"account_number": "4100012345", "last_name": "whitfield"}
    )
    assert json.loads(found.stdout) == served
    [account] = served["items"]
    by_email = shared.run("account", "find", "--email", DANA, as_=CLERK)
    assert "4100012345" in by_email.stdout
    summary = shared.run("summary", "--account", str(account["id"]), "--json", as_=CLERK)
    assert json.loads(summary.stdout) == shared.api.ok(f"/v1/accounts/{account['id']}/summary", DANA)
    # Without --account a clerk's read is bad usage: there is no account of their own.
    alone = shared.run("summary", as_=CLERK)
    assert alone.returncode == 2 and "--account ID" in alone.stderr


def test_a_customer_finding_accounts_gets_the_servers_refusal(shared: Shell) -> None:
    ran = shared.run("account", "find", "--email", LEE, "--json", as_=DANA)
    assert ran.returncode == 1
    served = shared.api.get("/v1/clerk/accounts", DANA, params={"email": LEE})
    assert served.status_code == 403
    assert json.loads(ran.stdout) == served.json()
    assert one_sentence(ran.stderr) == f"paydesk: {served.json()['error']['message']}"


def test_invoices_all_streams_every_page_of_a_large_account(tmp_path) -> None:
    from tests.api.conftest import Api
    from tests.support.stub import serve_stub

    with serve_stub(f"sqlite:///{tmp_path / 'large.db'}", tmp_path, seed="large") as server:
        api = Api(server)
        big = "big@example.com"
        total = api.invoices(big, limit=1)["total_count"]
        assert total > 2 * 200  # several pages of the largest size
        ran = Shell(api).run("invoices", "--all", "--csv", as_=big)
        assert ran.returncode == 0, ran.stderr
        rows = list(csv.reader(io.StringIO(ran.stdout)))[1:]
        assert len(rows) == total and len({r[8] for r in rows}) == total  # each once
        as_json = json.loads(
            Shell(api).run("invoices", "--all", "--status", "paid", "--json", as_=big).stdout
        )
        paid = api.invoices(big, status="paid", limit=1)["total_count"]
        assert len(as_json["items"]) == as_json["total_count"] == paid and as_json["next_cursor"] is None
        assert [r["issued_on"] for r in as_json["items"]] == sorted(
            (r["issued_on"] for r in as_json["items"]), reverse=True
        )
        api.close()
