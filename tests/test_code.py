"""The code itself: ruff and mypy pass (configured in pyproject.toml), and the procedure is pure — its modules
import nothing that reads or writes files, databases, processes or the network, and none of the engine's
modules that do. The procedure sees the world only through what it is given (a case's events, the roster,
today's date, the calendar)."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# the procedure (engine/procedure/: advance, apply, imports, state fold, due, references, dates, the workday calendar,
# the rules) and the data it is made of: the pack's model, the checked values and field types, the outcomes
PURE = sorted(str(p.relative_to(ROOT / "engine").with_suffix(""))
              for p in (ROOT / "engine" / "procedure").rglob("*.py"))
PURE += ["pack/model", "check/validate", "check/fields", "check/values", "outcomes", "output/context"]
IO_MODULES = {"os", "io", "sys", "shutil", "subprocess", "socket", "sqlite3", "tempfile", "glob",
              "threading", "multiprocessing", "asyncio", "time", "logging", "urllib", "http", "zipfile",
              "openpyxl", "docx", "docxtpl", "lxml", "watchdog", "filelock", "requests", "httpx", "psycopg"}
IO_ENGINE = {"store", "inbox", "read", "output", "testing", "workspace", "recovery", "cli", "road", "engine", "world",
             "status", "clock", "pack.load", "pack.check", "pack.lint", "pack.sample", "pack.guide"}
# (clock: reading the time is the engine's; the procedure is given today)
IO_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
# what a path (a pure value here) must not be asked to do
IO_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "mkdir", "unlink", "rmdir", "iterdir",
              "glob", "rglob", "exists", "is_file", "is_dir", "stat", "touch", "rename", "resolve", "now",
              "today"}


def _tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: it is a test dependency (pip install -e '.[test]')")
    return str(found)


def test_ruff_finds_nothing():
    done = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    done = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def imports_of(path: Path, package: tuple[str, ...] | None = None) -> tuple[set[str], set[str], set[str]]:
    """(standard/third-party modules, engine modules, names called) of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.parent.relative_to(ROOT / "engine").parts if package is None else package
    outside, inside, calls = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            outside |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                top = (node.module or "").split(".")
                (inside.add(".".join(top[1:])) if top[0] == "engine" and len(top) > 1 else outside.add(top[0]))
            else:
                base = list(package[:len(package) - node.level + 1])
                if node.module:
                    inside.add(".".join(base + node.module.split(".")))
                else:
                    inside |= {".".join([*base, a.name]) for a in node.names}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.add(node.func.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in IO_METHODS:
            calls.add(f".{node.func.attr}")
    return outside, inside, calls


def io_problems(path: Path, package: tuple[str, ...] | None = None) -> list[str]:
    outside, inside, calls = imports_of(path, package)
    engine_io = {m for m in inside if any(m == io or m.startswith(io + ".") for io in IO_ENGINE)}
    io_calls = calls & (IO_CALLS | {f".{m}" for m in IO_METHODS})
    return ([f"imports {m}" for m in sorted(outside & IO_MODULES)] + [f"imports engine.{m}" for m in sorted(engine_io)]
            + [f"calls {c}" for c in sorted(io_calls)])


@pytest.mark.parametrize("module", PURE)
def test_the_procedure_does_no_io(module):
    assert io_problems(ROOT / "engine" / f"{module}.py") == []


def test_the_purity_check_can_fail(tmp_path):
    bad = tmp_path / "impure.py"
    source = ("import sqlite3\nfrom ..store import SqliteStore\nfrom ..pack.model import Pack\n\n\n"
              "def f(p):\n    return open(p), p.read_text()\n")
    bad.write_text(source, encoding="utf-8")
    assert io_problems(bad, package=("procedure",)) == ["imports sqlite3", "imports engine.store", "calls .read_text",
                                                         "calls open"]
