"""`paydesk login` reads the emailed code from stdin and keeps the session where the app keeps it (here
the 0600 file: the tests' keyring is off); the next command uses it; `paydesk logout` revokes it."""

from __future__ import annotations

import json
import re
import stat
import time

import httpx

from tests.cli.conftest import SAM, Shell, one_sentence, paydesk, start_paydesk
from tui.config import data_dir


def _emailed_code(base_url: str, email: str, timeout: float = 30) -> str:
    """The newest login code in the dev outbox, polled until it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = httpx.get(f"{base_url}/v1/dev/outbox", params={"to": email}, timeout=5).json()["items"]
        for item in items:
            found = re.search(r"\b(\d{6})\b", item["body"]) if item["kind"] == "login_code" else None
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no login code reached {email}")


def test_login_with_the_emailed_code_then_a_read_then_logout(fresh_shell: Shell) -> None:
    server = fresh_shell.server
    login = start_paydesk("login", "--email", SAM, server=server)
    out, err = login.communicate(_emailed_code(server, SAM) + "\n", timeout=60)
    assert login.returncode == 0, err
    assert f"Signed in to {server} as" in out and SAM in out
    assert "a 6-digit code is on its way" in err and "Traceback" not in err

    # Kept as the app keeps it without a keyring: the 0600 file, under this server's URL.
    token_file = data_dir() / "session.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = json.loads(token_file.read_text())["tokens"][server]
    me = httpx.get(f"{server}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert me.status_code == 200 and me.json()["user"]["email"] == SAM

    summary = paydesk("summary", "--json", server=server)  # no PAYDESK_TOKEN: the stored session
    assert summary.returncode == 0, summary.stderr
    account = me.json()["accounts"][0]["id"]
    served = httpx.get(
        f"{server}/v1/accounts/{account}/summary", headers={"Authorization": f"Bearer {token}"}
    )
    assert json.loads(summary.stdout) == served.json()

    logout = paydesk("logout", server=server)
    assert logout.returncode == 0 and f"Signed out of {server}" in logout.stdout
    revoked = httpx.get(f"{server}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert revoked.status_code == 401
    assert not token_file.exists()
    after = paydesk("summary", server=server)
    assert after.returncode == 1 and "not signed in" in one_sentence(after.stderr)


def test_a_wrong_code_is_exit_1_with_the_servers_sentence_and_nothing_kept(fresh_shell: Shell) -> None:
    server = fresh_shell.server
    login = start_paydesk("login", "--email", SAM, server=server)
    _emailed_code(server, SAM)  # sent: now answer something else
    out, err = login.communicate("000000\n", timeout=60)
    assert login.returncode == 1, (out, err)
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("paydesk: ")
    assert not (data_dir() / "session.json").exists()


def test_a_wrong_password_is_exit_1(fresh_shell: Shell) -> None:
    ran = paydesk("login", "--email", SAM, "--password", server=fresh_shell.server, stdin="not my password\n")
    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr and ran.stderr.strip().splitlines()[-1].startswith("paydesk: ")
