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

# the procedure: advance, apply, imports, state fold, due, references, dates, the workday calendar, the rules,
# the pack's data model and the values, field types and outcomes they are made of
PURE = ["advance", "apply", "imports", "state", "due", "refs", "dates", "values", "fields", "outcomes", "validate",
        "context", "names", "workdays", "rules/base", "rules/calendar", "rules/people", "rules/values", "rules/vote",
        "rules/__init__", "pack/model"]
IO_MODULES = {"os", "io", "sys", "shutil", "subprocess", "socket", "sqlite3", "tempfile", "glob",
              "threading", "multiprocessing", "asyncio", "time", "logging", "urllib", "http", "zipfile",
              "openpyxl", "docx", "docxtpl", "lxml", "watchdog", "filelock", "requests", "httpx", "psycopg"}
IO_ENGINE = {"store", "claim", "route", "documents", "render", "readers", "workspace", "watch", "commit", "recovery",
             "cli", "road", "engine", "reading", "world", "xlsxforms", "receipts", "blanks", "lint", "sample",
             "status", "identify", "clock"}   # clock: reading the time is the engine's, passed in as today
IO_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
# what a path (a pure value here) must not be asked to do
IO_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "mkdir", "unlink", "rmdir", "iterdir",
              "glob", "rglob", "exists", "is_file", "is_dir", "stat", "touch", "rename", "resolve", "now",
              "today"}


def _tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
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
                (inside.add(top[1]) if top[0] == "engine" and len(top) > 1 else outside.add(top[0]))
            else:
                base = list(package[:len(package) - node.level + 1])
                target = base + (node.module.split(".") if node.module else [])
                inside |= {target[0]} if target else {a.name for a in node.names}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.add(node.func.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in IO_METHODS:
            calls.add(f".{node.func.attr}")
    return outside, inside, calls


@pytest.mark.parametrize("module", PURE)
def test_the_procedure_does_no_io(module):
    path = ROOT / "engine" / f"{module}.py"
    outside, inside, calls = imports_of(path)
    assert not outside & IO_MODULES, f"{module} imports {sorted(outside & IO_MODULES)}"
    assert not inside & IO_ENGINE, f"{module} imports the engine's {sorted(inside & IO_ENGINE)}"
    io_calls = calls & (IO_CALLS | {f".{m}" for m in IO_METHODS})
    assert not io_calls, f"{module} calls {sorted(io_calls)}"


def test_the_purity_check_can_fail(tmp_path):
    bad = tmp_path / "impure.py"
    source = "import sqlite3\nfrom .store import SqliteStore\n\n\ndef f(p):\n    return open(p), p.read_text()\n"
    bad.write_text(source, encoding="utf-8")
    outside, inside, calls = imports_of(bad, package=())
    assert "sqlite3" in outside and "store" in inside and {"open", ".read_text"} <= calls
