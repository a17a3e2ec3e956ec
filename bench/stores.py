#!/usr/bin/env python3
"""status, due and the ledger on SQLite beside PostgreSQL, on the same synthetic committee, in one run.

A workspace of N cases is built on SQLite (bench/paperwork.py's generator: 20 branches, every stage and side path),
copied into a private PostgreSQL server (``docflow store copy``; engine/testing/pgserver.py starts it in a
temporary folder on a free port, or DOCFLOW_TEST_DATABASE_URL names one), then each command runs in a fresh
process, as staff run it, on each backend; seconds side by side (median of ``--repeat``).

Then ``docflow regenerate --force`` of a committee of ``--regen-cases`` on each backend: its documents are work items
of the store's render queue, taken by 1 process, by every core's process, and (PostgreSQL) by one regenerate process
helped by a ``docflow work`` started beside it, as another machine would.

Usage:  .venv/bin/python bench/stores.py [--sizes 10000,100000] [--repeat 3] [--regen-cases 2000]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LEDGER = ("from engine import Engine; from engine.workspace import load_workspace; "
          "from engine.output.ledger import write_paperwork; import sys; from pathlib import Path; "
          "e = Engine.open(load_workspace(Path(sys.argv[1]))); write_paperwork(e); e.store.close()")


def run(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, timeout=3600)
    return time.perf_counter() - t


def timings(root: Path, env: dict[str, str], repeat: int) -> dict[str, float]:
    docflow = str(ROOT / ".venv" / "bin" / "docflow")
    jobs = {"status": [docflow, "status", "-w", str(root)],
            "due": [docflow, "due", "-w", str(root)],
            "ledger + due list": [sys.executable, "-c", LEDGER, str(root)]}
    return {name: statistics.median(run(cmd, env) for _ in range(repeat)) for name, cmd in jobs.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--regen-cases", type=int, default=2000, help="0: no regeneration figures")
    args = ap.parse_args(argv)

    from engine.testing.pgserver import Server

    server = Server().start()
    if not server.url:
        print(server.reason)
        return 1
    try:
        print(f"{os.cpu_count()} cores; PostgreSQL at {server.url.split('@')[-1]}; median of {args.repeat} runs, "
              "each command in a fresh process\n")
        print(f"{'cases':>8} {'operation':<20} {'SQLite s':>9} {'PostgreSQL s':>13} {'PG / SQLite':>12}")
        for n in (int(x) for x in args.sizes.split(",") if x.strip() and int(x)):
            work = Path(tempfile.mkdtemp(prefix=f"docflow-stores-{n}-"))
            root, pg_root, built, copied = twins(work, n, server.url, f"bench_{n}")
            lite = timings(root, dict(os.environ), args.repeat)
            pg = timings(pg_root, dict(os.environ, DOCFLOW_DATABASE_URL=server.url), args.repeat)
            assert not (pg_root / ".docflow" / "docflow.db").exists(), "the PostgreSQL runs fell back to SQLite"
            for name in lite:
                print(f"{n:>8} {name:<20} {lite[name]:>9.2f} {pg[name]:>13.2f} {pg[name] / lite[name]:>11.2f}×")
            print(f"{'':>8} (built in {built:.0f} s; docflow store copy into PostgreSQL {copied:.1f} s)")
            shutil.rmtree(work, ignore_errors=True)
        if args.regen_cases:
            regeneration(server.url, args.regen_cases)
    finally:
        server.stop()
    return 0


def twins(work: Path, n: int, url: str, schema: str) -> tuple[Path, Path, float, float]:
    """A synthetic committee of ``n`` cases on SQLite and the same copied into ``schema`` on ``url``
    (``docflow store copy``): (its root, the PostgreSQL twin's root, seconds to build, seconds to copy)."""
    import paperwork

    from engine.store import open_store
    from engine.store.copy import copy_store

    t = time.perf_counter()
    root = paperwork.build(work, n)
    built = time.perf_counter() - t
    source, target = open_store(root / ".docflow" / "docflow.db"), open_store(url, schema)
    t = time.perf_counter()
    copy_store(source, target)
    copied = time.perf_counter() - t
    source.close()
    target.close()
    pg_root = work / "ws-pg"
    shutil.copytree(root, pg_root, ignore=shutil.ignore_patterns("docflow.db*"))
    with open(pg_root / "docflow.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[store]\nschema = "{schema}"\n')
    return root, pg_root, built, copied


def regeneration(url: str, n: int) -> None:
    from engine.store import open_store

    work = Path(tempfile.mkdtemp(prefix=f"docflow-regen-{n}-"))
    schema = f"bench_regen_{n}"
    root, pg_root, _, _ = twins(work, n, url, schema)
    docflow = str(ROOT / ".venv" / "bin" / "docflow")
    cores = os.cpu_count() or 1
    print(f"\ndocflow regenerate --force, a committee of {n:,} cases (documents: work items of the render queue)")
    print(f"{'store':<12} {'takers':<34} {'seconds':>8} {'docs/s':>8}")
    pg_env = dict(os.environ, DOCFLOW_DATABASE_URL=url)
    docs = _documents(root)
    for name, where, env in (("SQLite", root, dict(os.environ)), ("PostgreSQL", pg_root, pg_env)):
        for procs in sorted({1, cores}):
            secs = run([docflow, "regenerate", "--force", "--quiet", "--processes", str(procs), "-w", str(where)], env)
            print(f"{name:<12} {f'{procs} process(es) of regenerate':<34} {secs:>8.1f} {docs / secs:>8.0f}", flush=True)
    helper = subprocess.Popen([docflow, "work", "--idle", "0.1", "-w", str(pg_root)], env=pg_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)                               # started and waiting on the queue
        secs = run([docflow, "regenerate", "--force", "--quiet", "--processes", "1", "-w", str(pg_root)], pg_env)
    finally:
        helper.terminate()
        helper.wait(60)
    store = open_store(url, schema)
    by = store.db.execute("SELECT holder, count(*) FROM render_log WHERE left(batch, 11) = 'regenerate-' AND id > "
                          "(SELECT max(id) FROM render_log) - ? GROUP BY holder", (docs,)).fetchall()
    store.close()
    shares = " / ".join(str(c) for _, c in sorted(by, key=lambda r: -r[1]))
    print(f"{'PostgreSQL':<12} {'1 regenerate + 1 docflow work':<34} {secs:>8.1f} {docs / secs:>8.0f}"
          f"   (documents each took: {shares})")
    shutil.rmtree(work, ignore_errors=True)


def _documents(root: Path) -> int:
    from engine import Engine
    from engine.regenerate import planned
    from engine.workspace import load_workspace

    eng = Engine.open(load_workspace(root))
    try:
        return len(planned(eng))
    finally:
        eng.store.close()


if __name__ == "__main__":
    sys.exit(main())
