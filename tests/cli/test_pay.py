"""`paydesk pay` as a process: the quote in words first, no payment without confirmation (stdin is a
pipe here, so only --yes pays), the payment's JSON, a decline as exit 1 with the server's sentence, and
one payment per command even when the first answer is lost (the server dies after recording it)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from backend_stub.faults import EXIT_STATUS
from tests.api.conftest import Api
from tests.cli.conftest import LEE, Shell, paydesk
from tests.cli.relay import Relay
from tests.support.stub import run_stub, serve_stub, sqlite_database


def _lee(api: Api) -> tuple[int, int, dict]:
    """Lee's account, saved Visa and oldest open invoice."""
    account = api.account_id(LEE)
    [visa] = api.ok(f"/v1/accounts/{account}/payment-methods", LEE)["items"]
    oldest = api.invoices(LEE, status="open")["items"][-1]
    return account, visa["id"], oldest


def _payments(api: Api, account: int) -> list[dict]:
    return api.ok(f"/v1/accounts/{account}/payments", LEE, params={"limit": 200})["items"]


def test_without_yes_on_a_pipe_it_shows_the_quote_and_pays_nothing(fresh_shell: Shell) -> None:
    api = fresh_shell.api
    account, visa, invoice = _lee(api)
    before = _payments(api, account)
    ran = fresh_shell.run("pay", "--invoice", invoice["number"], "--method", f"saved:{visa}", as_=LEE)
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    assert f"Invoice {invoice['number']}: $91.70" in ran.stdout
    assert "Paid from Visa •••• 4242: $91.70" in ran.stdout
    assert "A convenience fee of $1.75 is added, and it is not refundable." in ran.stdout
    assert "Total to pay: $93.45" in ran.stdout
    assert (
        "stdin is not a terminal" in ran.stderr and "--yes" in ran.stderr and "nothing was paid" in ran.stderr
    )
    assert _payments(api, account) == before
    assert api.ok(f"/v1/invoices/{invoice['id']}", LEE)["status"] == "open"


def test_yes_pays_once_and_json_is_the_payment(fresh_shell: Shell) -> None:
    api = fresh_shell.api
    _, visa, invoice = _lee(api)
    ran = fresh_shell.run(
        "pay", "--invoice", invoice["number"], "--method", f"saved:{visa}", "--yes", "--json", as_=LEE
    )
    assert ran.returncode == 0, ran.stderr
    payment = json.loads(ran.stdout)  # the quote's words went to stderr: stdout is the one document
    assert "Total to pay: $93.45" in ran.stderr
    assert payment == api.ok(f"/v1/payments/{payment['id']}", LEE)
    assert (payment["status"], payment["fees_cents"], payment["total_cents"]) == ("succeeded", 175, 9345)
    assert [a["number"] for a in payment["allocations"]] == [invoice["number"]]
    assert api.ok(f"/v1/invoices/{invoice['id']}", LEE)["status"] == "paid"
    receipts = api.ok("/v1/dev/outbox", params={"to": LEE})["items"]
    assert any(payment["confirmation_number"] in mail["body"] for mail in receipts)


def test_an_amount_in_dollars_and_the_human_answer(fresh_shell: Shell) -> None:
    api = fresh_shell.api
    account, visa, _ = _lee(api)
    ran = fresh_shell.run("pay", "--amount", "$10", "--method", f"saved:{visa}", "--yes", as_=LEE)
    assert ran.returncode == 0, ran.stderr
    assert "Paid $11.75: succeeded." in ran.stdout and "Confirmation number: PD-" in ran.stdout
    [latest, *_] = _payments(api, account)
    assert (latest["amount_cents"], latest["fees_cents"]) == (1000, 175)
    assert latest["confirmation_number"] in ran.stdout


def test_a_decline_is_exit_1_with_the_servers_sentence(fresh_shell: Shell) -> None:
    api = fresh_shell.api
    account, visa, invoice = _lee(api)
    hook = api.post(f"/v1/dev/payment-methods/{visa}/behaviour", json={"behaviour": "insufficient_funds"})
    assert hook.status_code == 200, hook.text
    body = {
        "target": {"type": "invoices", "invoices": [{"invoice_id": invoice["id"]}]},
        "parts": [{"method": {"type": "saved", "payment_method_id": visa}}],
        "accepted_fees_cents": 175,
        "receipt_email": LEE,
    }
    headers = {"Authorization": f"Bearer {api.token(LEE)}", "Idempotency-Key": uuid.uuid4().hex}
    served = api.http.post(f"/v1/accounts/{account}/payments", json=body, headers=headers)
    assert served.status_code == 402
    before = _payments(api, account)
    ran = fresh_shell.run(
        "pay", "--invoice", invoice["number"], "--method", f"saved:{visa}", "--yes", "--json", as_=LEE
    )
    assert ran.returncode == 1
    assert json.loads(ran.stdout) == served.json()
    assert ran.stderr.strip().splitlines()[-1] == f"paydesk: {served.json()['error']['message']}"
    assert "Traceback" not in ran.stderr
    assert _payments(api, account) == before  # a decline makes no payment
    assert api.ok(f"/v1/invoices/{invoice['id']}", LEE)["status"] == "open"


def test_an_invoice_with_nothing_left_is_the_quotes_sentence(fresh_shell: Shell) -> None:
    api = fresh_shell.api
    _, visa, _ = _lee(api)
    paid = api.invoices(LEE, status="paid")["items"][0]
    ran = fresh_shell.run("pay", "--invoice", paid["number"], "--method", f"saved:{visa}", "--yes", as_=LEE)
    assert ran.returncode == 1
    assert "has nothing left to pay" in ran.stderr.strip().splitlines()[-1]


@pytest.mark.subprocess_server
def test_one_payment_when_the_first_answer_is_lost(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "demo.db", "demo")
    with (
        run_stub(db, tmp_path, extra_env={"PAYDESK_FAULT": "after_record"}) as dying,
        serve_stub(db, tmp_path) as standby,
        Relay(dying, standby).running() as relay,
    ):
        api = Api(standby)  # sessions live in the database: a token works on both servers
        account, visa, invoice = _lee(api)
        before = _payments(api, account)
        ran = paydesk(
            "pay",
            "--invoice",
            invoice["number"],
            "--method",
            f"saved:{visa}",
            "--yes",
            "--json",
            server=relay.base_url,
            token=api.token(LEE),
        )
        assert dying.process is not None and dying.process.wait(timeout=30) == EXIT_STATUS
        assert "PAYDESK_FAULT after_record" in dying.log_text()
        assert ran.returncode == 0, ran.stderr
        assert "asking again with the same request" in ran.stderr
        assert relay.first_connections >= 1 and relay.standby_connections >= 1
        payment = json.loads(ran.stdout)
        after = _payments(api, account)
        assert len(after) == len(before) + 1 and after[0]["id"] == payment["id"]
        detail = api.ok(f"/v1/invoices/{invoice['id']}", LEE)
        assert [p["payment_id"] for p in detail["payments"]] == [payment["id"]]
        assert detail["status"] == "paid"
        api.close()


@pytest.mark.pty
@pytest.mark.parametrize("answer", ["n", "y"])
def test_on_a_terminal_it_asks_and_pays_only_on_yes(fresh_shell: Shell, answer: str) -> None:
    import sys

    from tests.cli.conftest import ROOT, environment

    pexpect = pytest.importorskip("pexpect")

    api = fresh_shell.api
    account, visa, invoice = _lee(api)
    before = _payments(api, account)
    env = environment(fresh_shell.server, api.token(LEE), {"TERM": "dumb"})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tui", "pay", "--invoice", invoice["number"], "--method", f"saved:{visa}"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    try:
        child.expect_exact("A convenience fee of $1.75 is added, and it is not refundable.")
        child.expect_exact("Pay $93.45 now? [y/N]")
        child.sendline(answer)
        child.expect(pexpect.EOF)
    finally:
        child.close()
    after = _payments(api, account)
    if answer == "y":
        assert child.exitstatus == 0, child.before
        assert len(after) == len(before) + 1 and after[0]["confirmation_number"] in child.before
    else:
        assert child.exitstatus == 1 and "Nothing was paid." in child.before
        assert after == before
