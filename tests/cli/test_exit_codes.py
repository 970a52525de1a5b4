"""Exit codes as the contract says: 0 done, 2 bad usage, 1 anything else with one sentence on stderr (and
with --json an error object on stdout); never a traceback, never a card number echoed back."""

from __future__ import annotations

import json
import socket

import pytest

from tests.cli.conftest import DANA, Shell, one_sentence, paydesk


@pytest.mark.parametrize(
    "argv",
    [
        ["summary", "--bogus"],
        ["invoices", "--json", "--csv"],
        ["invoices", "--limit", "0"],
        ["invoices", "--limit", "5", "--all"],
        ["invoices", "--status", "late"],
        ["statement", "--from", "yesterday"],
        ["pay", "--balance"],
        ["pay", "--balance", "--amount", "5", "--method", "saved:1"],
        ["pay", "--amount", "12.345", "--method", "saved:1"],
        ["account"],
        ["account", "find", "--last-name", "Whitfield"],
        ["account", "find", "--email", DANA, "--account-number", "4100012345", "--last-name", "Whitfield"],
    ],
)
def test_bad_usage_is_exit_2_without_a_traceback(argv: list[str]) -> None:
    ran = paydesk(*argv, server="http://127.0.0.1:9")
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    assert "error:" in ran.stderr and "Traceback" not in ran.stderr


def test_a_card_number_as_the_method_is_refused_and_never_echoed() -> None:
    ran = paydesk("pay", "--balance", "--method", "4242424242424242", server="http://127.0.0.1:9")
    assert ran.returncode == 2
    assert "saved:ID" in ran.stderr
    assert "4242424242424242" not in ran.stderr + ran.stdout


def test_not_signed_in_is_exit_1_with_one_sentence(shared: Shell) -> None:
    ran = paydesk("summary", server=shared.server)
    assert ran.returncode == 1 and ran.stdout == ""
    assert "not signed in" in one_sentence(ran.stderr) and "paydesk login" in ran.stderr
    as_json = paydesk("summary", "--json", server=shared.server)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["error"]["type"] == "authentication"


def test_a_dead_token_is_exit_1_with_the_servers_sentence(shared: Shell) -> None:
    ran = paydesk("invoices", "--json", server=shared.server, token="not-a-real-token")
    assert ran.returncode == 1
    served = shared.api.http.get("/v1/me", headers={"Authorization": "Bearer not-a-real-token"})
    assert served.status_code == 401
    assert json.loads(ran.stdout) == served.json()
    assert served.json()["error"]["message"] in one_sentence(ran.stderr)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_a_server_that_is_down_is_exit_1_with_one_sentence() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    ran = paydesk("summary", server=url, token="any")
    assert ran.returncode == 1 and ran.stdout == ""
    assert f"Cannot reach the Paydesk server at {url}" in one_sentence(ran.stderr)
    as_json = paydesk("history", "--json", server=url, token="any")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["error"]["type"] == "unavailable"


def test_no_server_at_all_is_exit_1_and_says_how_to_set_one() -> None:
    ran = paydesk("summary", server=None, token="any")
    assert ran.returncode == 1
    assert "no server is set" in one_sentence(ran.stderr) and "PAYDESK_SERVER" in ran.stderr


def test_server_option_wins_over_the_environment(shared: Shell) -> None:
    token = shared.api.token(DANA)
    dead = f"http://127.0.0.1:{_closed_port()}"
    for args in (["--server", shared.server, "summary"], ["summary", "--server", shared.server]):
        ran = paydesk(*args, "--json", server=dead, token=token)
        assert ran.returncode == 0, ran.stderr
        assert json.loads(ran.stdout)["balance_due_cents"] == 83100
