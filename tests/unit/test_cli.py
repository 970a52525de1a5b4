"""The `paydesk` command line: usage, exit codes, server resolution, and a fast --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui import cli
from tui.config import Config, config_path, save_config
from tui.credentials import MemoryTokenStore, TokenStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ui_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stop short of the UI: record what the app would have been started with."""
    calls: list[dict[str, Any]] = []

    def fake_run_ui(server_url: str, theme_option: Any, config_theme: Any, **kwargs: Any) -> int:
        calls.append(
            {"server_url": server_url, "theme": theme_option, "config_theme": config_theme, **kwargs}
        )
        return 0

    monkeypatch.setattr(cli, "_run_ui", fake_run_ui)
    return calls


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"paydesk {cli.version()}"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--server URL" in out and "demo" in out


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["demo", "--seed", "huge"], ["nonsense"], ["--server"], ["--server", "http://x", "demo"]],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "usage: paydesk" in err
    assert "Traceback" not in err


def test_no_server_configured_is_one_clear_line(ui_calls: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("paydesk: no server is set")
    for hint in ("--server", "PAYDESK_SERVER", str(config_path()), "paydesk demo"):
        assert hint in err
    assert ui_calls == []


def test_a_bad_server_url_is_one_clear_line(ui_calls: list, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--server", "localhost:8765"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a web address" in err
    assert ui_calls == []


def test_a_broken_config_is_one_clear_line(ui_calls: list, capsys: pytest.CaptureFixture[str]) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text("server_url = [\n")
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not valid TOML" in err


def test_server_resolution_order(
    ui_calls: list, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    save_config(Config(server_url="http://config:1", theme="nord"))
    assert cli.main([]) == 0
    monkeypatch.setenv("PAYDESK_SERVER", "http://env:2/")
    assert cli.main([]) == 0
    assert cli.main(["--server", "https://cli:3", "--theme", "gruvbox"]) == 0
    assert [(c["server_url"], c["theme"], c["config_theme"]) for c in ui_calls] == [
        ("http://config:1", None, "nord"),
        ("http://env:2", None, "nord"),
        ("https://cli:3", "gruvbox", "nord"),
    ]
    assert all(c["demo"] is False for c in ui_calls)
    assert isinstance(ui_calls[0]["token_store"], TokenStore)
    assert ui_calls[0]["token_store"].server_url == "http://config:1"


def test_remember_me_off_keeps_the_token_in_memory(ui_calls: list) -> None:
    save_config(Config(server_url="http://config:1", remember_me=False))
    assert cli.main([]) == 0
    assert isinstance(ui_calls[0]["token_store"], MemoryTokenStore)


class FakeApp:
    def __init__(self) -> None:
        self.available_themes = {"textual-dark": object(), "nord": object()}
        self.theme = "textual-dark"


def test_theme_option_must_exist() -> None:
    app = FakeApp()
    with pytest.raises(cli.UsageError, match="there is no theme 'nope'; choose one of: nord, textual-dark"):
        cli._apply_theme(app, "nope", None)
    cli._apply_theme(app, "nord", None)
    assert app.theme == "nord"


def test_an_unknown_config_theme_is_ignored() -> None:
    app = FakeApp()
    cli._apply_theme(app, None, "gone-theme")
    assert app.theme == "textual-dark"
    cli._apply_theme(app, None, "nord")
    assert app.theme == "nord"


def test_demo_that_cannot_start_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import contextlib

    from tui import demo

    @contextlib.contextmanager
    def failing_backend(seed: str, *, behind: bool = False):
        raise demo.DemoError("The demo server stopped as it started (exit 1): OSError: port in use")
        yield  # pragma: no cover

    monkeypatch.setattr(demo, "demo_backend", failing_backend)
    assert cli.main(["demo"]) == 1
    err = capsys.readouterr().err
    assert err == "paydesk: The demo server stopped as it started (exit 1): OSError: port in use\n"


def test_demo_runs_the_app_with_a_memory_store(monkeypatch: pytest.MonkeyPatch, ui_calls: list) -> None:
    import contextlib

    from tui import demo

    seeds = []

    @contextlib.contextmanager
    def fake_backend(seed: str, *, behind: bool = False):
        seeds.append((seed, behind))
        yield "http://127.0.0.1:9"

    monkeypatch.setattr(demo, "demo_backend", fake_backend)
    assert cli.main(["--theme", "nord", "demo", "--seed", "large"]) == 0
    assert seeds == [("large", True)]  # the server starts behind the sign-in screen
    [call] = ui_calls
    assert call["server_url"] == "http://127.0.0.1:9"
    assert call["demo"] is True
    assert call["theme"] == "nord"
    assert isinstance(call["token_store"], MemoryTokenStore)


def run_paydesk(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env
    )


def test_as_a_process_no_server_means_exit_1_and_no_traceback() -> None:
    result = run_paydesk()
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("paydesk: no server is set")
    assert "Traceback" not in result.stderr


def test_as_a_process_bad_usage_means_exit_2() -> None:
    result = run_paydesk("--nope")
    assert result.returncode == 2
    assert "usage: paydesk" in result.stderr


def test_the_cli_imports_nothing_heavy_before_it_needs_it() -> None:
    script = (
        "import json, sys\n"
        "from tui import cli\n"
        "cli.main(['--version'])\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    assert not loaded & {"textual", "httpx", "pydantic", "rich", "keyring", "platformdirs", "backend_stub"}


# ---------------------------------------------------------------------------------------------
# tui.demo.demo_backend: the stub as a child process
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen]:
    """Record the processes demo_backend starts."""
    from tui import demo

    processes: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen:
        process = real_popen(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(demo.subprocess, "Popen", recording_popen)
    return processes


def test_demo_backend_serves_then_stops(started: list[subprocess.Popen]) -> None:
    import httpx

    from tui.demo import demo_backend

    with demo_backend("demo") as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        health = httpx.get(f"{base_url}/v1/health", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        [process] = started
        args = process.args
        assert args[:3] == [sys.executable, "-m", "backend_stub.cli"]
        assert "--dev" in args and args[args.index("--seed") + 1] == "demo"
        folder = Path(args[args.index("--db") + 1]).parent
        assert folder.is_dir()
        assert process.poll() is None
    assert process.poll() is not None
    assert not folder.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/v1/health", timeout=2)


def test_demo_backend_that_dies_is_a_demo_error_quoting_its_log(
    monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen]
) -> None:
    from tui import demo

    script = (
        "import sys; print('starting', file=sys.stderr); "
        "print('OSError: port in use', file=sys.stderr); sys.exit(3)"
    )
    monkeypatch.setattr(demo, "stub_command", lambda db, seed: [sys.executable, "-c", script])
    with pytest.raises(demo.DemoError) as info, demo.demo_backend("demo"):
        pytest.fail("must not get here")  # pragma: no cover
    assert str(info.value) == "The demo server stopped as it started (exit 3): OSError: port in use"


def test_demo_backend_that_never_says_it_listens_is_stopped(
    monkeypatch: pytest.MonkeyPatch, started: list[subprocess.Popen]
) -> None:
    from tui import demo

    script = "import time; print('warming up', flush=True); time.sleep(60)"
    monkeypatch.setattr(demo, "stub_command", lambda db, seed: [sys.executable, "-c", script])
    with (
        pytest.raises(demo.DemoError, match=r"did not start within 1 s: warming up"),
        demo.demo_backend("demo", timeout=1),
    ):
        pytest.fail("must not get here")  # pragma: no cover
    [process] = started
    assert process.poll() is not None


def test_demo_backend_stops_the_server_on_ctrl_c(started: list[subprocess.Popen]) -> None:
    from tui.demo import demo_backend

    with pytest.raises(KeyboardInterrupt), demo_backend("demo"):
        raise KeyboardInterrupt
    [process] = started
    assert process.poll() is not None
