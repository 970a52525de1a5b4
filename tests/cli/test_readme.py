"""The README's "From scripts" examples, run as written (bash, jq, xargs) against a demo server."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import DANA, LEE, ROOT, Shell, environment

pytestmark = pytest.mark.skipif(not (shutil.which("jq") and shutil.which("bash")), reason="needs bash and jq")


def _examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From scripts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def _bash(script: str, shell: Shell, who: str, cwd: Path) -> subprocess.CompletedProcess:
    env = environment(shell.server, shell.api.token(who))
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"  # the venv's `paydesk`
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_there_are_the_three_examples() -> None:
    assert len(_examples()) == 3


def test_pay_every_open_invoice_under_100_dollars(fresh_shell: Shell, tmp_path: Path) -> None:
    api = fresh_shell.api
    account = api.account_id(LEE)
    small = [i for i in api.invoices(LEE, status="open")["items"] if i["balance_cents"] < 10000]
    assert len(small) == 2  # the demo's two open invoices of lee's
    ran = _bash(_examples()[0], fresh_shell, LEE, tmp_path)
    assert ran.returncode == 0, ran.stderr
    [payment, *_] = api.ok(f"/v1/accounts/{account}/payments", LEE)["items"]
    assert sorted(a["number"] for a in payment["allocations"]) == sorted(i["number"] for i in small)
    assert payment["confirmation_number"] in ran.stdout
    assert api.invoices(LEE, status="open")["total_count"] == 0


def test_export_last_years_statement_to_csv(fresh_shell: Shell, tmp_path: Path) -> None:
    ran = _bash(_examples()[1], fresh_shell, DANA, tmp_path)
    assert ran.returncode == 0, ran.stderr
    year = dt.date.today().year - 1
    with (tmp_path / f"statement-{year}.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["date", "kind", "description", "reference", "amount", "balance"]
    assert rows[1][:2] == [f"{year}-01-01", "opening_balance"] and rows[-1][:2] == [
        f"{year}-12-31",
        "closing_balance",
    ]


def test_a_json_summary_into_jq(fresh_shell: Shell, tmp_path: Path) -> None:
    ran = _bash(_examples()[2], fresh_shell, DANA, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "4 open, 1 past due, next due 2026-11-22\n"
