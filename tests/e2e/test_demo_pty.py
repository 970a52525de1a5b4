"""`paydesk demo` as a person meets it: a real program in a pseudo-terminal, keys in, screen text out.

The login code is read off the screen (the demo inbox), exactly as a QA session does it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from tests.support.terminal import Terminal  # noqa: E402

# the inbox shows "Code: 123456"; the input's "000000" placeholder must not match
CODE = re.compile(r"[Cc]ode:? (\d{6})(?!\d)")


def demo_processes(tmp: Path) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(tmp) in line and "backend_stub" in line]


@pytest.mark.pty
@pytest.mark.skipif(not shutil.which("ps"), reason="needs ps to check the server stopped")
def test_demo_login_by_reading_the_code_off_the_screen(tmp_path: Path) -> None:
    exe = shutil.which("paydesk", path=str(Path(sys.executable).parent))
    assert exe, "the paydesk console script is not installed"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TMPDIR": str(tmp_path),  # the demo's temp folder lands here, so its server can be found
        "LANG": "C.UTF-8",
    }
    env.pop("NO_COLOR", None)
    term = Terminal([exe, "demo"], env)
    try:
        term.wait_for(lambda s: "Sign in" in s, "the login screen", timeout=60)
        deadline = time.monotonic() + 30
        while not demo_processes(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert demo_processes(tmp_path), "paydesk demo should run its backend from a temp folder"

        term.send("dana@example.com\r")
        code = term.wait_for(lambda s: (m := CODE.search(s)) and m.group(1), "the code in the demo inbox")
        term.send(str(code))  # six digits submit the code by themselves
        screen = term.wait_for(lambda s: "Balance Due" in s and s, "the home screen")
        assert "4100012345" in str(screen) or "Whitfield" in str(screen)
        # the invoice table shows real demo invoices
        term.wait_for(lambda s: "INV-" in s, "invoices on the home screen")

        term.send("\x11")  # ctrl+q quits
        term.child.expect(pexpect.EOF, timeout=20)
        term.child.close()
        assert term.child.exitstatus == 0, term.text()
    finally:
        term.close()
    deadline = time.monotonic() + 10
    while demo_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not demo_processes(tmp_path), "the demo's backend must stop when the app exits"


# token_urlsafe(32): 43 characters; the whole link fits on one line of a 200-column inbox
SET_PASSWORD_LINK = re.compile(r"(paydesk://set-password\?token=[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")


@pytest.mark.pty
def test_demo_sign_up_through_the_demo_inbox_then_set_a_password(tmp_path: Path) -> None:
    exe = shutil.which("paydesk", path=str(Path(sys.executable).parent))
    assert exe, "the paydesk console script is not installed"
    env = {**os.environ, "TERM": "xterm-256color", "TMPDIR": str(tmp_path), "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    term = Terminal([exe, "demo"], env, cols=200, rows=40)
    try:
        term.wait_for(lambda s: "Sign in" in s, "the login screen", timeout=60)
        term.send("\x0e")  # ctrl+n: Sign up
        term.wait_for(lambda s: "Sign up" in s and "set your password" in s, "the sign-up screen")
        term.send("sam@example.com\r")
        link = term.wait_for(
            lambda s: (m := SET_PASSWORD_LINK.search(s)) and m.group(1), "the link in the demo inbox"
        )
        term.send("\x14")  # ctrl+t: I have the link
        term.wait_for(lambda s: "Set your password" in s, "the set-password screen")
        term.send(str(link))
        tail = str(link)[-12:]
        term.wait_for(lambda s: _row(s, "Link or token").endswith(tail), "the link typed in its field")
        # each password lands in its own field before the next key goes: a burst can outrun a focus change
        term.send("\t")
        term.send("Correct-horse-42")
        term.wait_for(lambda s: _row(s, "New password") == "•" * 16, "the new password, masked")
        term.send("\t")
        term.send("Correct-horse-42")
        term.wait_for(lambda s: _row(s, "Type it again") == "•" * 16, "the password again, masked")
        term.send("\r")
        screen = term.wait_for(lambda s: "Balance Due" in s and s, "home, signed in", timeout=30)
        assert "Sam Reyes" in str(screen)
        assert "Correct-horse-42" not in term.text()
        term.send("\x11")  # ctrl+q
        term.child.expect(pexpect.EOF, timeout=20)
        term.child.close()
        assert term.child.exitstatus == 0
    finally:
        term.close()


def _row(screen: str, label: str) -> str:
    """What a form row shows after its label (the field's visible text), or "" when the row is not shown."""
    for line in screen.splitlines():
        if label in line:
            return line.split(label, 1)[1].strip(" │▏▕")
    return ""
