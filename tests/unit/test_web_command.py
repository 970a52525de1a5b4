"""`paydesk web`'s checks before it serves (exit 2 for bad usage, 1 with one line), and the app each
browser session gets (a token in memory only, whatever the machine has stored)."""

from __future__ import annotations

import pytest

from tui import cli
from tui.browser.command import is_loopback
from tui.browser.server import session_command
from tui.browser.session import session_app
from tui.credentials import MemoryTokenStore


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["web", "--demo", "--host", "0.0.0.0"], 2, "needs --allow-remote-dev"),
        (["web", "--demo", "--host", "192.168.1.20"], 2, "needs --allow-remote-dev"),
        (["web", "--demo", "--server", "http://127.0.0.1:1"], 2, "runs its own server"),
        (["--theme", "nope", "web", "--demo"], 2, "there is no theme 'nope'"),
        (["web", "--port", "70000"], 2, "--port must be between 0 and 65535"),
        (["web"], 1, "no server is set"),
    ],
)
def test_web_refuses_with_one_line(argv: list[str], status: int, says: str, capsys) -> None:
    assert cli.main(argv) == status
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1, err


def test_a_port_in_use_is_one_line(capsys) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["web", "--server", "http://127.0.0.1:1", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip()
    assert f"cannot listen on 127.0.0.1 port {port}" in err and len(err.splitlines()) == 1, err


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com"))


def test_a_browser_session_never_uses_a_stored_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYDESK_TOKEN", "a-token-of-the-machine")
    app = session_app(["--server", "http://127.0.0.1:1", "--demo", "--theme", "nord"])
    assert isinstance(app.token_store, MemoryTokenStore)
    assert app.token_store.load() is None
    assert app.demo and not app.save_theme and app.theme == "nord"


def test_the_session_command_is_one_shell_word_per_argument() -> None:
    import shlex

    url = "http://127.0.0.1:9/a b"
    command = session_command(url, demo=True, theme=None)
    assert shlex.split(command)[-4:] == ["tui.browser.session", "--server", url, "--demo"]
