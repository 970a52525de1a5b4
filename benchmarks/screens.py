"""Paydesk's speed figures of issue 11, each beside a bare Textual app measured in the same run.

    python benchmarks/screens.py [--runs 5] [--only start,demo,screens,table,instructions] [--keys 60]

Every figure is timed in a pseudo-terminal (pty), as a person meets the program: the bytes the app writes
are read as they come, fed to a terminal emulator (pyte), and a figure ends at the arrival of the bytes
that put the awaited text on the emulated screen. Medians of `--runs` (the table: median and p99 of every
key). The machine is shared and noisy: compare the ratios, measured in the same run.

- start: `paydesk` to its sign-in screen, beside benchmarks/bare_app.py (a label and an input) to its
  first frame;
- demo: `paydesk demo` to its sign-in screen (the seeded database cached by a first demo, as after
  the first run on a machine), beside the same bare app;
- screens: on the `demo` seed signed in as Lee, from the key on the home screen to the screen drawn with
  its data (m and p: pay step 1; h history; Enter invoice detail; t statement; s settings; S scheduled;
  w methods), beside the bare app's key to a second screen;
- table: the 10,000-invoice account's All tab: Down (then PageDown) pressed one after another, each at
  most `KEY_GAP` after the frame of the one before (as a held key repeats), from the key written to the
  frame showing the cursor on a new row; beside a bare Textual DataTable of 10,000 rows given the same
  presses;
- instructions (not in the default parts; needs valgrind): the start's work counted, not timed: the
  instructions each program runs from its start to the first frame with its awaited text, under
  callgrind, once each (the count varies by about 2% between runs). On a shared, loaded machine the
  wall-clock ratios move by 0.1 from run to run; this one does not.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import BIN, api_token, app_env  # noqa: E402

from tests.support.terminal import Terminal  # noqa: E402

BARE = [sys.executable, str(ROOT / "benchmarks/bare_app.py")]
PAYDESK = str(BIN / "paydesk")
KEY_GAP = 0.033  # a held key repeats about 30 times a second
DOWN, PAGE_DOWN, ESCAPE, ENTER = "\x1b[B", "\x1b[6~", "\x1b", "\r"
SIGN_IN = "Sign in"


class TimedTerminal(Terminal):
    """A Terminal that says when the bytes that made the screen true arrived.

    A thread of its own reads the pty as bytes come and stamps each read; the screen is fed from those
    reads. Read and fed in one loop, a frame larger than the pty's 4 KB buffer arrived one buffer at a
    time behind the emulator's work on the one before (pyte takes about 10 ms a buffer here), so a
    one-line scroll of the table, which redraws every row, was stamped 20 ms after the program had
    written it, for the bare DataTable and Paydesk alike."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 30) -> None:
        super().__init__(argv, env, cols=cols, rows=rows)
        self.child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
        self._reads: queue.SimpleQueue[tuple[bytes, float] | None] = queue.SimpleQueue()
        self._reader: threading.Thread | None = None  # started by the first wait (pexpect reads before)

    def _read_as_it_comes(self) -> None:
        fd = self.child.child_fd
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            self._reads.put((data, time.perf_counter()))
        self._reads.put(None)

    def _next_read(self, timeout: float) -> tuple[bytes, float] | None:
        """The next read and its arrival; None at the end of the output; raises queue.Empty."""
        if self._reader is None:
            self._reader = threading.Thread(target=self._read_as_it_comes, daemon=True)
            self._reader.start()
        item = self._reads.get(timeout=timeout)
        if item is None:
            self._reads.put(None)  # the end, for every later wait too
        return item

    def pump(self) -> None:
        while True:
            try:
                item = self._next_read(0.01)
            except queue.Empty:
                return
            if item is None:
                return
            self.stream.feed(item[0])

    def wait_until(self, predicate: Callable[[str], object], what: str, timeout: float = 30.0) -> float:
        """Feed the reads as they came until `predicate(screen text)` holds; the arrival (perf_counter)
        of the read that made it hold."""
        deadline = time.perf_counter() + timeout
        if predicate(self._shown()):
            return time.perf_counter()
        while time.perf_counter() < deadline:
            try:
                item = self._next_read(0.05)
            except queue.Empty:
                if not self.child.isalive():
                    break
                continue
            if item is None:
                break
            data, arrived = item
            self.stream.feed(data)
            if predicate(self._shown()):
                return arrived
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self._shown()}")

    def _shown(self) -> str:
        return "\n".join(self.screen.display)

    def press(self, keys: str, predicate: Callable[[str], object], what: str) -> float:
        """Seconds from writing `keys` to the frame where `predicate` holds."""
        sent = time.perf_counter()
        self.send(keys)
        return self.wait_until(predicate, what) - sent

    def cursor_line(self, bg: str) -> str | None:
        """The text of the line drawn with the cursor's background, if one is."""
        for y in range(self.screen.lines):
            line = self.screen.buffer[y]
            if line[1].bg == bg and line[2].bg == bg and "INV-" in self.screen.display[y]:
                return "".join(line[x].data for x in range(self.screen.columns))
        return None


def spawn(argv: list[str], env: dict[str, str], cols: int = 100, rows: int = 30) -> TimedTerminal:
    return TimedTerminal(argv, env, cols=cols, rows=rows)


def time_to(argv: list[str], env: dict[str, str], text: str) -> float:
    t0 = time.perf_counter()
    term = spawn(argv, env)
    try:
        return term.wait_until(lambda s: text in s, text, timeout=60) - t0
    finally:
        term.close()


def ms(value: float) -> str:
    return f"{value * 1000:7.0f} ms"


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def line(name: str, values: list[float], bare: list[float]) -> None:
    ours, anchor = statistics.median(values), statistics.median(bare)
    print(f"  {name:44} {ms(ours)}   bare {ms(anchor)}   ratio {ours / anchor:5.2f}")


# ---- start and demo ----------------------------------------------------------------------------


def start_figures(workdir: Path, runs: int, parts: set[str]) -> None:
    env = app_env(workdir)
    demo_env = app_env(workdir / "demo-home")
    if "demo" in parts:
        first = time_to([PAYDESK, "demo"], demo_env, SIGN_IN)  # makes the seeded database the demos copy
        wait_for_demo_cache(workdir / "demo-home")
    bare, app, demo = [], [], []
    for _ in range(runs):  # interleaved, so drift on a noisy machine hits all alike
        bare.append(time_to(BARE, env, "Hello from"))
        if "start" in parts:
            app.append(time_to([PAYDESK, "--server", "http://127.0.0.1:9"], env, SIGN_IN))
        if "demo" in parts:
            demo.append(time_to([PAYDESK, "demo"], demo_env, SIGN_IN))
    print(f"\nstart to the sign-in screen, median of {runs} (goal: start ratio <= 1.3, demo <= 2.5):")
    if app:
        line("paydesk --server URL", app, bare)
    if demo:
        line("paydesk demo", demo, bare)
        print(f"  {'(first demo on this machine, seeding its cache)':44} {ms(first)}")


def wait_for_demo_cache(home: Path, timeout: float = 120.0) -> None:
    """The first demo seeds its cache behind the sign-in screen: let it finish before timing."""
    deadline = time.monotonic() + timeout
    cache = home / "data" / "demo-cache"
    while time.monotonic() < deadline:
        if cache.is_dir() and any(p.suffix == ".db" for p in cache.iterdir()):
            return
        time.sleep(0.2)


# The program, stopped at its first frame that shows `text`: what `instructions` counts.
TO_FIRST_FRAME = """
import os, sys
from textual.drivers import linux_driver
text, argv = sys.argv[1], sys.argv[2:]
write = linux_driver.LinuxDriver.write
def written(self, data):
    write(self, data)
    if text in data:
        os._exit(0)
linux_driver.LinuxDriver.write = written
sys.argv = argv
if argv[0].endswith("bare_app.py"):
    import runpy
    runpy.run_path(argv[0], run_name="__main__")
else:
    from tui.cli import main
    sys.exit(main())
"""


def instructions_to(argv: list[str], env: dict[str, str], text: str) -> int:
    """Instructions (callgrind's count) from the program's start to its first frame showing `text`.

    The program runs from a script file, as its console script does (`python -c` would put the
    working directory first on sys.path, and every import would look there first)."""
    with tempfile.TemporaryDirectory() as tmp:
        log, script = Path(tmp) / "callgrind.log", Path(tmp) / "to_first_frame.py"
        script.write_text(TO_FIRST_FRAME)
        command = [
            "valgrind", "--tool=callgrind", f"--log-file={log}", "--callgrind-out-file=/dev/null",
            sys.executable, str(script), text, *argv,
        ]  # fmt: skip
        term = TimedTerminal(command, env)
        try:
            term.child.expect(pexpect.EOF, timeout=600)
        finally:
            term.close()
        match = re.search(r"Collected : (\d+)", log.read_text())
        if not match:
            raise SystemExit(f"callgrind counted nothing: {log.read_text()[-400:]}")
        return int(match.group(1))


def instruction_figures(workdir: Path) -> None:
    env = app_env(workdir)
    bare = instructions_to([str(ROOT / "benchmarks/bare_app.py")], env, "Hello from")
    paydesk = instructions_to([PAYDESK, "--server", "http://127.0.0.1:9"], env, SIGN_IN)
    print("\ninstructions from the start to the sign-in screen's first frame (callgrind, once each):")
    print(f"  paydesk {paydesk / 1e6:7.0f} M   bare {bare / 1e6:7.0f} M   ratio {paydesk / bare:5.2f}")


# ---- screens -----------------------------------------------------------------------------------


def start_stub(workdir: Path, seed: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [str(BIN / "paydesk-stub"), "serve", "--port", "0", "--seed", seed, "--dev", "--no-jobs",
         "--db", str(workdir / f"{seed}.db")],
        stdout=subprocess.PIPE, stderr=(workdir / f"stub-{seed}.log").open("w"), text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    match = re.search(r"(http://127\.0\.0\.1:\d+)", proc.stdout.readline())
    if not match:
        raise SystemExit(f"the stub did not start: {(workdir / f'stub-{seed}.log').read_text()}")
    return proc, match.group(1)


def home_filled(s: str) -> bool:
    return "Balance Due" in s and re.search(r"\b\d+ of \d+ loaded", s) is not None


def has(*texts: str) -> Callable[[str], bool]:
    return lambda s: all(t in s for t in texts)


# Each screen: the keys from home, what shows once its data is in.
SCREENS: list[tuple[str, str, str, Callable[[str], bool]]] = [
    ("m: pay step 1 (any amount)", "", "m", has("Step 1 of 3", "Balance $166.70", "Amount selected $")),
    ("p: pay step 1 (selected invoice)", " ", "p", has("Step 1 of 3", "Amount selected $75.00")),
    ("h: payment history", "", "h", has("Payment history", "12 of 12 loaded", "PD-")),
    ("Enter: invoice detail", "", ENTER, has("Invoice INV-2026-00149", "Backflow assembly", "No payments")),
    ("t: statement", "", "t", has("Statement ·", "Opening balance $", "entries loaded")),
    ("s: settings", "", "s", has("Settings ·", "lee@example.com", "Autopay is on", "Next: $")),
    ("S: scheduled payments", "", "S", has("Scheduled payments ·", "No scheduled payments")),
    ("w: payment methods", "", "w", has("Payment methods ·", "Visa •••• 4242  Card")),
]


def screen_figures(workdir: Path, runs: int) -> None:
    proc, base = start_stub(workdir, "demo")
    try:
        token, _ = api_token(base, "lee@example.com")
        bare = spawn(BARE, app_env(workdir))
        term = spawn([PAYDESK, "--server", base], app_env(workdir, PAYDESK_TOKEN=token))
        try:
            bare.wait_until(has("Hello from"), "the bare app")
            term.wait_until(home_filled, "home", timeout=60)
            anchor: list[float] = []
            times: dict[str, list[float]] = {name: [] for name, *_ in SCREENS}
            for _ in range(runs):
                anchor.append(bare.press("n", has("A second screen"), "the bare second screen"))
                bare.press(ESCAPE, has("Hello from"), "the bare first screen")
                for name, before, key, filled in SCREENS:
                    if before:
                        term.send(before)
                    times[name].append(term.press(key, filled, name))
                    back = lambda s, filled=filled: home_filled(s) and not filled(s)  # noqa: E731
                    term.press(ESCAPE, back, "home again")
                    if before:  # unselect (Space again), so every run starts alike
                        term.send(before)
                    time.sleep(0.3)  # home's refresh on return settles before the next key
            print(f"\nkey on home to the screen filled with its data, median of {runs} (goal <= 200 ms):")
            for name, values in times.items():
                line(name, values, anchor)
        finally:
            term.close()
            bare.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---- the 10,000-invoice table ------------------------------------------------------------------


def row_label(text: str | None) -> str | None:
    match = re.search(r"INV-[\d-]+", text or "")
    return match.group(0) if match else None


def row_backgrounds(term: TimedTerminal) -> list[str]:
    rows = range(term.screen.lines)
    return [term.screen.buffer[y][1].bg for y in rows if "INV-" in term.screen.display[y]]


def cursor_shown(term: TimedTerminal) -> bool:
    """The focused cursor on the first row: its background is neither of the zebra stripes'."""
    bgs = row_backgrounds(term)
    return len(bgs) >= 3 and len(set(bgs[:3])) == 3


def cursor_bg(term: TimedTerminal) -> str:
    """The cursor's background: the first table row's, when the cursor is on it."""
    for y in range(term.screen.lines):
        line = term.screen.buffer[y]
        if "INV-" in "".join(line[x].data for x in range(term.screen.columns)):
            return line[1].bg
    raise AssertionError("no invoice row on screen")


def key_to_frame(term: TimedTerminal, key: str, presses: int) -> list[float]:
    bg = cursor_bg(term)
    times = []
    for _ in range(presses):
        before = row_label(term.cursor_line(bg))
        moved = lambda _, before=before: row_label(term.cursor_line(bg)) not in (None, before)  # noqa: E731
        times.append(term.press(key, moved, key))
        time.sleep(KEY_GAP)
    return times


def table_figures(workdir: Path, presses: int) -> None:
    proc, base = start_stub(workdir, "large")
    try:
        token, _ = api_token(base, "big@example.com")
        # As many rows as the account has invoices, so that the bare table takes every press (Down and
        # PageDown alike) without reaching its end: its p99 is then of as many presses as ours.
        bare = spawn([*BARE, "--table", "10000"], app_env(workdir))
        term = spawn([PAYDESK, "--server", base], app_env(workdir, PAYDESK_TOKEN=token))
        try:
            bare.wait_until(lambda _: cursor_shown(bare), "the bare table's cursor")
            term.wait_until(home_filled, "home", timeout=60)
            term.press("1", has("of 10000 loaded"), "the All tab")
            term.wait_until(lambda _: cursor_shown(term), "the focused cursor in the All tab")
            time.sleep(0.5)  # the focus moves to the new tab's rows after its refresh: let it settle
            term.pump()
            figures = []
            for name, key in (("Down", DOWN), ("PageDown", PAGE_DOWN)):
                ours = key_to_frame(term, key, presses)
                anchor = key_to_frame(bare, key, presses)
                figures.append((name, ours, anchor))
            goal = "goal: median <= 16 ms, p99 <= 50 ms"
            print(f"\nkey to frame in the 10,000-invoice table, {presses} presses each ({goal}):")
            for name, ours, anchor in figures:
                print(
                    f"  {name:9} median {ms(statistics.median(ours))}  p99 {ms(p99(ours))}   "
                    f"bare median {ms(statistics.median(anchor))}  p99 {ms(p99(anchor))}   "
                    f"ratio {statistics.median(ours) / statistics.median(anchor):5.2f}"
                )
            count = next((t.strip() for t in term._shown().splitlines() if "loaded" in t), "")
            print(f"  (the count line at the end: {count})")
        finally:
            term.close()
            bare.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--only", default="start,demo,screens,table", help="comma-separated parts")
    parser.add_argument("--keys", type=int, default=120, help="presses of each key in the table")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    runs = max(1, args.runs)
    # The reading thread (TimedTerminal) gets the GIL back from the emulator within half a millisecond
    # to stamp a read, not at CPython's usual 5 ms switch.
    sys.setswitchinterval(0.0005)
    # Bytecode cached as an installed package has it (pip compiles at install), whatever
    # PYTHONDONTWRITEBYTECODE says: else every start would compile Paydesk's sources and not Textual's.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "tui"), str(ROOT / "backend_stub")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory(prefix="paydesk-screens-") as tmp:
        workdir = Path(tmp)
        if parts & {"start", "demo"}:
            start_figures(workdir, runs, parts)
        if "screens" in parts:
            screen_figures(workdir, runs)
        if "table" in parts:
            table_figures(workdir, args.keys)
        if "instructions" in parts:
            instruction_figures(workdir)


if __name__ == "__main__":
    main()
