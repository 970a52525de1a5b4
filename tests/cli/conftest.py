"""The scriptable commands as a person's shell runs them: `python -m tui ...` as a process against the
reference backend on a free loopback port, with the config and data folders in tmp dirs (the autouse
`_isolated_home` of tests/conftest.py), the keyring off (the 0600 file), and a session from the API
(`PAYDESK_TOKEN`) unless a test signs in with `paydesk login` itself."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Api
from tests.support.stub import serve_stub

ROOT = Path(__file__).resolve().parents[2]
DANA, LEE, SAM, CLERK = "dana@example.com", "lee@example.com", "sam@example.com", "clerk@example.com"


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def environment(server: str | None, token: str | None, env: dict[str, str] | None = None) -> dict[str, str]:
    environ = {**os.environ, "COLUMNS": "120", **(env or {})}
    environ.pop("PAYDESK_TOKEN", None)
    if server is not None:
        environ["PAYDESK_SERVER"] = server
    if token is not None:
        environ["PAYDESK_TOKEN"] = token
    return environ


def start_paydesk(*args: str, server: str, token: str | None = None) -> subprocess.Popen:
    """`paydesk ARGS` started with pipes for stdin, stdout and stderr (a test writes its answers)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(server, token),
    )


def paydesk(
    *args: str,
    server: str | None,
    token: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> Ran:
    """Run `paydesk ARGS` to the end; stdin is a pipe (never a terminal), empty unless given."""
    done = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        cwd=ROOT,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment(server, token, env),
    )
    return Ran(done.returncode, done.stdout, done.stderr)


class Shell:
    """`paydesk` against one server, signed in as someone through PAYDESK_TOKEN."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.server = api.base_url

    def run(self, *args: str, as_: str | None = None, **kwargs: Any) -> Ran:
        token = self.api.token(as_) if as_ else None
        return paydesk(*args, server=self.server, token=token, **kwargs)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    """One demo server for a module's reads (SQLite)."""
    workdir = tmp_path_factory.mktemp("cli-demo")
    with serve_stub(f"sqlite:///{workdir / 'demo.db'}", workdir, seed="demo") as server:
        api = Api(server)
        yield Shell(api)
        api.close()


@pytest.fixture
def fresh_shell(tmp_path: Path) -> Iterator[Shell]:
    """A demo server of its own, for a test that pays or signs in and out."""
    with serve_stub(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path, seed="demo") as server:
        api = Api(server)
        yield Shell(api)
        api.close()


def one_sentence(stderr: str) -> str:
    """stderr is one line, `paydesk: ...`, with no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("paydesk: "), stderr
    return lines[0]
