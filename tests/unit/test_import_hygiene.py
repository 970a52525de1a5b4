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
