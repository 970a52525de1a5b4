"""The clerk console in `paydesk demo`, as a clerk meets it: a real program in a pseudo-terminal.

A call from search to a card payment, then New call: nothing of the caller stays on screen. And the
idle lock: with PAYDESK_IDLE_LOCK_SECONDS=3 and no key, the lock covers the account within 10 s.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from tests.support.terminal import Terminal  # noqa: E402

CODE = re.compile(r"[Cc]ode:? (\d{6})(?!\d)")
PAID = re.compile(r"payment of (\$[\d,]+\.\d\d) was made")
CLERK = "clerk@example.com"
VISA = "4242424242424242"
# What of Dana could be read off a screen: name, number, email, address, phone's and card's last 4.
DANA_TRACES = (
    "Dana",
    "Whitfield",
    "4100012345",
    "dana@example.com",
    "Juniper Ridge",
    "97405",
    "0142",
    "4242",
)


def demo(tmp_path: Path, **env_extra: str) -> Terminal:
    exe = shutil.which("paydesk", path=str(Path(sys.executable).parent))
    assert exe, "the paydesk console script is not installed"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TMPDIR": str(tmp_path),
        "LANG": "C.UTF-8",
        **env_extra,
    }
    env.pop("NO_COLOR", None)
    return Terminal([exe, "demo"], env, cols=100, rows=32)


def sign_in_as_clerk(term: Terminal) -> None:
    term.wait_for(lambda s: "Sign in" in s, "the login screen", timeout=60)
    term.send(f"{CLERK}\r")
    code = term.wait_for(lambda s: (m := CODE.search(s)) and m.group(1), "the code in the demo inbox")
    term.send(str(code))
    term.wait_for(lambda s: "Find the caller's account" in s, "the clerk's search")


def open_dana(term: Terminal) -> str:
    """Search, the identity check confirmed: the customer 360. Returns what it showed."""
    term.send("4100012345")  # ten digits: the cursor moves on to the last name by itself
    term.wait_for(lambda s: "4100012345" in s, "the account number typed")
    term.send("Whitfield\r")
    term.wait_for(lambda s: "Verify the caller" in s and "Dana Whitfield" in s, "the identity check")
    term.send("\r")  # Identity confirmed
    return term.wait_for(
        lambda s: "identity confirmed" in s and "Balance Due" in s and "INV-" in s and s, "the customer 360"
    )


def press_until(term: Terminal, key: str, predicate, what: str, tries: int = 10) -> str:
    """Send `key` until the screen shows what it leads to: a key that lands before the screen has put
    its focus in place does nothing, and the screen's text cannot show where the focus is."""
    for _ in range(tries - 1):
        term.send(key)
        try:
            return term.wait_for(predicate, what, timeout=2)
        except AssertionError:
            continue
    term.send(key)
    return term.wait_for(predicate, what)


def traces(screen: str) -> list[str]:
    return [trace for trace in DANA_TRACES if trace in screen]


def quit_demo(term: Terminal) -> None:
    term.send("\x11")  # ctrl+q
    term.child.expect(pexpect.EOF, timeout=20)
    term.child.close()
    assert term.child.exitstatus == 0, term.text()


@pytest.mark.pty
def test_a_call_with_a_card_payment_then_new_call_leaves_nothing_of_dana(tmp_path: Path) -> None:
    term = demo(tmp_path)
    try:
        sign_in_as_clerk(term)
        shown = open_dana(term)
        balance = re.search(r"Balance Due.*?\n.*?(\$[\d,]+\.\d\d)", shown, re.S)
        assert balance, shown
        term.send("p")  # Pay: the wizard, the balance preselected
        term.wait_for(lambda s: "Step 1 of 3" in s and "Balance due (" in s, "the wizard's first step")
        press_until(term, "\r", lambda s: "Step 2 of 3" in s, "the card's fields")
        # Each field moves on by itself when complete: each one's text lands before the next goes.
        term.send(VISA)
        term.wait_for(lambda s: "•••• 4242" in s, "the card number, masked")
        for typed, shown in (("1230", "12/30"), ("123", "CVC •••"), ("97405", "ZIP 97405")):
            term.send(typed)
            term.wait_for(lambda s, shown=shown: shown in s, f"{typed} typed")
        term.send("\r")
        term.wait_for(lambda s: "Customer agreed" in s, "the words to read aloud")
        term.send("\r")  # Customer agreed
        receipt = term.wait_for(lambda s: (m := PAID.search(s)) and m.group(1), "the receipt", timeout=30)
        assert VISA not in term.text()

        term.send("\x0e")  # ctrl+n: New call asks for the wrap-up first
        term.wait_for(lambda s: "Wrap-up" in s and "Save a wrap-up" in s, "the wrap-up asked for")
        term.send("\x0e")  # ctrl+n again: the next call without it
        screen = term.wait_for(
            lambda s: "Find the caller's account" in s and "Wrap-up ·" not in s and s, "an empty search"
        )
        # Nothing of Dana: her name, number, address, last 4, the balance and the payment's amount.
        assert traces(screen) == [], screen
        assert str(receipt) not in screen and balance.group(1) not in screen, screen
        # The search is empty: its fields show their placeholders, no result row, no message.
        assert "Account number" in screen and "Last name" in screen and "found" not in screen
        quit_demo(term)
    finally:
        term.close()


@pytest.mark.pty
def test_the_idle_lock_covers_the_account_within_ten_seconds(tmp_path: Path) -> None:
    term = demo(tmp_path, PAYDESK_IDLE_LOCK_SECONDS="3")
    try:
        sign_in_as_clerk(term)
        open_dana(term)
        # No key from here: within 10 s the lock, and nothing of the account drawn.
        screen = term.wait_for(lambda s: "Screen locked" in s and s, "the lock", timeout=10)
        assert traces(screen) == [], screen
        assert "Demo inbox" in screen  # the demo's inbox stays visible
        quit_demo(term)
    finally:
        term.close()
