"""The arrows DESIGN.md forbids never exist.

Two checks, because they catch different mistakes: a fresh interpreter that imports every module of a
package and inspects `sys.modules` (catches what an import drags in transitively), and a scan of every
import statement, including the lazy ones inside functions that the first check cannot see.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (package whose modules are checked, top-level packages it must never import)
FORBIDDEN = [
    ("tui.api", {"textual"}),
    ("tui", {"backend_stub"}),
    ("backend_stub.billing", {"fastapi", "sqlalchemy", "starlette"}),
    ("backend_stub", {"tui"}),
]


def modules_of(package: str) -> list[str]:
    base = ROOT.joinpath(*package.split("."))
    names = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if "migrations" in parts:  # alembic scripts run inside alembic, not as imports
            continue
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize(("package", "banned"), FORBIDDEN, ids=[p for p, _ in FORBIDDEN])
def test_importing_a_package_never_loads_a_forbidden_one(package: str, banned: set[str]) -> None:
    modules = modules_of(package)
    assert modules, f"no modules found under {package}"
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not (loaded & banned), f"importing {package} loads {sorted(loaded & banned)}"


@pytest.mark.parametrize(("package", "banned"), FORBIDDEN, ids=[p for p, _ in FORBIDDEN])
def test_no_import_statement_crosses_a_forbidden_arrow(package: str, banned: set[str]) -> None:
    offenders = []
    for path in ROOT.joinpath(*package.split(".")).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {t}"
                for t in targets
                if t.split(".")[0] in banned
            ]
    assert not offenders, "\n".join(offenders)


# ---- layers: no circles, a leaf clock, widgets given what they show ---------------------------------


def _import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, counting imports inside functions; imports under
    `if TYPE_CHECKING:` are left out (they never run, so they may point back)."""
    modules = {name: _path_of(name) for pkg in ("backend_stub", "tui") for name in modules_of(pkg)}

    def resolve(name: str) -> str | None:
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        type_only = {
            id(sub)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for stmt in node.body
            for sub in ast.walk(stmt)
        }
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                found = resolve(target)
                # a module importing its own package (or a submodule of itself) is not an arrow out
                if found and found != name and not name.startswith(found + "."):
                    graph[name].add(found)
    return graph


def _path_of(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle_in_backend_stub_or_tui() -> None:
    circles = _circles(_import_graph())
    assert not circles, "\n".join(f"circle of {len(c)}: {', '.join(c)}" for c in circles)


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


# what the clock must never reach, directly or through another module: it is the leaf they all read
CLOCK_NEVER_REACHES = (
    "backend_stub.payments",
    "backend_stub.jobs",
    "backend_stub.processor",
    "backend_stub.mail",
    "backend_stub.routes",
)


def test_the_clock_is_a_leaf() -> None:
    graph = _import_graph()
    reached, todo = set(), ["backend_stub.clock"]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    bad = sorted(m for m in reached if m.startswith(CLOCK_NEVER_REACHES))
    assert not bad, f"backend_stub.clock reaches {bad}"


DUE_WORK = ("run_due_jobs(", "settle_due(", "run_autopay(", "run_scheduled(")


# The background runner reaches due work through backend_stub.jobs only, from one small function.
RUNNER, RUNNER_ENTRY = "backend_stub.job_runner", "_due_work"


def test_only_the_jobs_module_runs_due_work() -> None:
    """Settlement, autopay and scheduled runs happen on a schedule only through backend_stub.jobs (the
    runner calls `jobs.run_due_jobs`, checked below, and nothing else of it)."""
    callers = []
    for path in ROOT.joinpath("backend_stub").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if name == "backend_stub.jobs" or name.startswith("backend_stub.payments"):
            continue
        if name == RUNNER:
            callers += [name for word in DUE_WORK if word != "run_due_jobs(" and word in path.read_text()]
            continue
        text = path.read_text()
        callers += [name for word in DUE_WORK if word in text]
    assert ROOT.joinpath("backend_stub", "jobs.py").exists(), "backend_stub/jobs.py runs what fell due"
    assert not callers, f"due work called outside backend_stub.jobs: {sorted(set(callers))}"


def test_the_runner_calls_the_due_work_once_through_jobs() -> None:
    """job_runner calls `jobs.run_due_jobs` exactly once, inside `_due_work`, and never imports the
    payments' due work itself: of `backend_stub.payments` it may import only `recovery` (its own task)."""
    path = ROOT.joinpath(*RUNNER.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(), filename=str(path))
    calls = [
        (function.name, ast.unparse(node.func))
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("run_due_jobs")
    ]
    assert calls == [(RUNNER_ENTRY, "jobs.run_due_jobs")], calls
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    payments = {m for m in imported if m.startswith("backend_stub.payments")}
    recovery_only = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "backend_stub.payments"
        for alias in node.names
    }
    assert payments <= {"backend_stub.payments"} and recovery_only <= {"recovery"}, (payments, recovery_only)


def test_no_widget_calls_the_client_through_the_app() -> None:
    """Widgets are given what they show or a loader: `self.app.client` belongs to screens."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.joinpath("tui", "widgets").rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "app.client" in line
    ]
    assert not offenders, "widgets reaching for the client: " + ", ".join(offenders)
