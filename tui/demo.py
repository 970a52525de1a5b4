"""`paydesk demo`: run the bundled reference backend as a child process in a throw-away folder.

The backend is a separate program (`python -m backend_stub.cli`), never imported: the app talks to
it over HTTP exactly as it would to a real server.

`demo_backend(seed, behind=True)` does not wait for it: this process binds the listening socket and
hands it to the child (`python -m backend_stub.demo_server`), so the URL is known at once and the app's
first requests wait in the socket's backlog until the server accepts them. The child copies a database
migrated and seeded once (kept in the user data dir, see backend_stub/demo_server.py) instead of
migrating and seeding every time; `is_ready(url)` says whether it answers yet.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
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
CACHE_FOLDER = "demo-cache"  # in the user data dir: the seeded databases the demos copy
# How a server we stopped ends: 0 once it serves (it handles SIGTERM), or killed by our signal.
STOPPED_STATUSES = (0, -signal.SIGTERM, -signal.SIGKILL)

# The servers started behind the app, by URL: set once each prints its listen line.
_ready: dict[str, threading.Event] = {}


class DemoError(Exception):
    """The demo backend could not start; `str(err)` is one line for stderr."""


def stub_command(db_path: Path, seed: str) -> list[str]:
    return [
        sys.executable, "-m", "backend_stub.cli", "serve",
        "--host", "127.0.0.1", "--port", "0",
        "--db", str(db_path), "--seed", seed, "--dev",
    ]  # fmt: skip


def behind_command(fd: int, db_path: Path, seed: str, cache_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "backend_stub.demo_server",
        "--fd", str(fd), "--db", str(db_path), "--seed", seed, "--cache-dir", str(cache_dir),
    ]  # fmt: skip


def is_ready(base_url: str) -> bool:
    """True once a server started behind the app accepts requests (or for any other URL)."""
    event = _ready.get(base_url)
    return event is None or event.is_set()


def cache_dir() -> Path:
    from tui.config import data_dir

    return data_dir() / CACHE_FOLDER


@contextlib.contextmanager
def demo_backend(
    seed: str = "demo", *, timeout: float = START_TIMEOUT, behind: bool = False
) -> Iterator[str]:
    """Start the backend on a free loopback port with a fresh database; yield its base URL.

    The server is stopped (terminate, then kill) and its folder removed when the block exits,
    whichever way it exits, Ctrl+C included. `behind=True` yields the URL before the server is up
    (see the module's docstring); a server that could not start is a DemoError when the block ends.
    """
    if seed not in SEEDS:
        raise ValueError(f"seed must be one of {SEEDS}, not {seed!r}")
    with tempfile.TemporaryDirectory(prefix="paydesk-demo-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        if behind:
            with _backend_behind(folder, seed) as base_url:
                yield base_url
            return
        log_path = folder / "stub.log"
        with log_path.open("a", encoding="utf-8") as log:  # append: shared with the child
            process = _start(stub_command(folder / "demo.db", seed), folder, log)
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


def _start(argv: list[str], folder: Path, log: IO[str], pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """The child; one started behind the app (`pass_fds`) yields the CPU to the app's first frame."""
    env = {
        **os.environ,
        # The child writes nothing to the real home: its data dir is this temp folder.
        "PAYDESK_DATA_DIR": str(folder),
        "PAYDESK_CONFIG_DIR": str(folder / "config"),
        "PYTHONUNBUFFERED": "1",  # the listen line must arrive now, not when a buffer fills
    }
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,  # never onto the terminal, where it would draw over the app
        env=env,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=folder,
        pass_fds=pass_fds,
        preexec_fn=_child_behind if pass_fds else _die_with_parent if sys.platform == "linux" else None,
    )


def _child_behind() -> None:
    with contextlib.suppress(OSError):
        os.nice(5)
    if sys.platform == "linux":
        _die_with_parent()


@contextlib.contextmanager
def _backend_behind(folder: Path, seed: str) -> Iterator[str]:
    log_path = folder / "stub.log"
    listener = _listening_socket()
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    ready = _ready[base_url] = threading.Event()
    try:
        with log_path.open("a", encoding="utf-8") as log:
            try:
                command = behind_command(listener.fileno(), folder / "demo.db", seed, cache_dir())
                process = _start(command, folder, log, pass_fds=(listener.fileno(),))
            finally:
                # The child holds the only copy now: if it dies, connections are refused, not kept waiting.
                listener.close()
            urls: queue.Queue[str] = queue.Queue()
            assert process.stdout is not None
            drain = threading.Thread(
                target=_drain_stdout,
                args=(process.stdout, log, urls, ready),
                name="demo-stub-out",
                daemon=True,
            )
            drain.start()
            try:
                yield base_url
            finally:
                stop_process(process)
                # Died by itself before it listened, not stopped by us as the person quit early. Told by
                # its exit status, not by whether it is still running: its socket closes as it exits, a
                # moment before the process can be reaped.
                failed = not ready.is_set() and process.returncode not in STOPPED_STATUSES
                drain.join(timeout=1)
                process.stdout.close()
        if failed:
            raise DemoError(
                f"The demo server stopped as it started (exit {process.returncode}): {_last_line(log_path)}"
            )
    finally:
        _ready.pop(base_url, None)


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Accepted connections inherit it: without it a keep-alive request waits ~40 ms (Nagle's algorithm).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or exc
        raise DemoError(f"Cannot listen on a loopback port for the demo server: {reason}") from None
    sock.set_inheritable(True)
    return sock


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

    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _drain_stdout(
    stdout: IO[str], log: IO[str], urls: queue.Queue[str], ready: threading.Event | None = None
) -> None:
    # Keep reading after the listen line: an unread pipe fills up and would freeze the server.
    for line in stdout:
        match = LISTEN_LINE.search(line)
        if match:
            urls.put(match.group(1))
            if ready is not None:
                ready.set()
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
