"""`paydesk demo`: run the bundled reference backend as a child process in a throw-away folder.

The backend is a separate program (`python -m backend_stub.cli`), never imported: the app talks to
it over HTTP exactly as it would to a real server.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LISTEN_LINE = re.compile(r"paydesk-stub listening on (http://127\.0\.0\.1:\d+)")
SEEDS = ("demo", "large")
START_TIMEOUT = 60.0  # seeding `large` (10,000 invoices) takes a while on a slow machine
STOP_TIMEOUT = 5.0


class DemoError(Exception):
    """The demo backend could not start; `str(err)` is one line for stderr."""


def stub_command(db_path: Path, seed: str) -> list[str]:
    return [
        sys.executable, "-m", "backend_stub.cli", "serve",
        "--host", "127.0.0.1", "--port", "0",
        "--db", str(db_path), "--seed", seed, "--dev",
    ]  # fmt: skip


@contextlib.contextmanager
def demo_backend(seed: str = "demo", *, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Start the backend on a free loopback port with a fresh database; yield its base URL.

    The server is stopped (terminate, then kill) and its folder removed when the block exits,
    whichever way it exits, Ctrl+C included.
    """
    if seed not in SEEDS:
        raise ValueError(f"seed must be one of {SEEDS}, not {seed!r}")
    with tempfile.TemporaryDirectory(prefix="paydesk-demo-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        log_path = folder / "stub.log"
        env = {
            **os.environ,
            # The child writes nothing to the real home: its data dir is this temp folder.
            "PAYDESK_DATA_DIR": str(folder),
            "PAYDESK_CONFIG_DIR": str(folder / "config"),
            "PYTHONUNBUFFERED": "1",  # the listen line must arrive now, not when a buffer fills
        }
        with log_path.open("a", encoding="utf-8") as log:  # append: shared with the child
            process = subprocess.Popen(
                stub_command(folder / "demo.db", seed),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,  # never onto the terminal, where it would draw over the app
                env=env,
                text=True,
                encoding="utf-8",
                errors="replace",
                cwd=folder,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
            urls: queue.Queue[str] = queue.Queue()
            assert process.stdout is not None
            drain = threading.Thread(
                target=_drain_stdout, args=(process.stdout, log, urls), name="demo-stub-out", daemon=True
            )
            drain.start()
            try:
                base_url = _wait_for_url(process, urls, log_path, timeout)
                _wait_healthy(process, base_url, log_path, deadline=time.monotonic() + timeout)
                yield base_url
            finally:
                stop_process(process)
                drain.join(timeout=1)
                process.stdout.close()


def stop_process(process: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: Linux sends it SIGTERM if `paydesk demo` is killed outright
    (SIGKILL, a crash), so a demo server is never left running with nobody to stop it."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _drain_stdout(stdout: IO[str], log: IO[str], urls: queue.Queue[str]) -> None:
    # Keep reading after the listen line: an unread pipe fills up and would freeze the server.
    for line in stdout:
        match = LISTEN_LINE.search(line)
        if match:
            urls.put(match.group(1))
        with contextlib.suppress(ValueError):  # the log may be closed while the server stops
            log.write(line)
            log.flush()


def _wait_for_url(process: subprocess.Popen, urls: queue.Queue[str], log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return urls.get(timeout=0.1)
        except queue.Empty:
            if process.poll() is not None:
                raise DemoError(
                    f"The demo server stopped as it started (exit {process.returncode}): "
                    f"{_last_line(log_path)}"
                ) from None
    raise DemoError(f"The demo server did not start within {timeout:.0f} s: {_last_line(log_path)}")


def _wait_healthy(process: subprocess.Popen, base_url: str, log_path: Path, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise DemoError(f"The demo server at {base_url} does not answer: {_last_line(log_path)}")
        time.sleep(0.05)


def _last_line(log_path: Path) -> str:
    try:
        lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    return lines[-1] if lines else "it wrote nothing to its log."
