#!/usr/bin/env python3
"""Files per second through ``docflow watch``: 1, 2 and 4 watcher processes on one inbox sharing a PostgreSQL store,
beside 1 watcher on SQLite (the embedded default, which allows one), on the same files, in one run.

Each configuration gets a fresh workspace (quiet 0.1 s; a damaged zip, which looks half-copied, refused after 1 s)
and the same batch (valid applicant rosters, member rosters, damaged and
foreign files, duplicates; engine/testing/batch.py); the watchers are started on the empty inbox and are watching
before the batch is dropped (renamed in at once), and the clock runs from the drop until every file is processed or
rejected with its receipt. The PostgreSQL server is private (engine/testing/pgserver.py, on a free local port).

Usage:  .venv/bin/python bench/watchers.py [--files 600] [--watchers 1,2,4]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def workspace(root: Path, url: str = "", schema: str = "") -> Path:
    from engine.testing import workspace as make

    ws = make(root)
    toml = ws.root / "docflow.toml"
    text = toml.read_text(encoding="utf-8")
    for old, new in (("quiet_seconds = 2.0", "quiet_seconds = 0.1"), ("rescan_seconds = 60.0", "rescan_seconds = 2.0"),
                     ("grace_seconds = 60.0", "grace_seconds = 1.0")):   # a damaged zip is refused after 1 s
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    with open(toml, "a", encoding="utf-8") as fh:
        if url:
            fh.write(f'\n[store]\nurl = "{url}"\nschema = "{schema}"\n')
    return ws.root


def run(root: Path, staging: Path, batch: list, watchers: int, logs: Path, url: str = "", schema: str = "") -> float:
    from inbox_batch import settled

    from engine.testing.batch import put
    from engine.workspace import load_workspace

    ws = load_workspace(root)
    db = None
    if url:
        from engine.store.postgres import PostgresStore

        db = PostgresStore(url, schema)
    procs, outs = [], []
    for i in range(watchers):
        out = logs / f"{root.name}-{i}.log"
        outs.append(out)
        with open(out, "wb") as fh:
            procs.append(subprocess.Popen([str(ROOT / ".venv" / "bin" / "docflow"), "watch", "-w", str(root)],
                                          stdout=fh, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        while not all("正在监视" in o.read_text(encoding="utf-8", errors="replace") for o in outs):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a watcher did not start"
            time.sleep(0.05)
        t = time.perf_counter()
        for d in batch:
            put(ws.inbox, d, staging)
        while not settled(ws, batch, db.db if db is not None else None):
            assert all(p.poll() is None for p in procs), "a watcher stopped"
            time.sleep(0.05)
        return time.perf_counter() - t
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
        if db is not None:
            db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--watchers", default="1,2,4")
    args = ap.parse_args(argv)
    from engine.testing.batch import make_batch
    from engine.testing.pgserver import Server

    n = args.files
    work = Path(tempfile.mkdtemp(prefix="docflow-watchers-"))
    staging = work / "staging"
    sizes = dict(valid=n * 3 // 10, member=n // 10, invalid=n * 2 // 10)
    batch = make_batch(staging, duplicate=n - sum(sizes.values()), junk=0, seed=7, **sizes)
    server = Server().start()
    if not server.url:
        print(server.reason)
        return 1
    logs = work / "logs"
    logs.mkdir()
    try:
        print(f"{os.cpu_count()} cores; {len(batch)} files (valid rosters {sizes['valid']}, member rosters "
              f"{sizes['member']}, refused {sizes['invalid']}, duplicates {n - sum(sizes.values())}); "
              f"clock from the drop until every file has its receipt\n")
        print(f"{'store':<12} {'watchers':>8} {'seconds':>8} {'files/s':>8} {'vs SQLite':>10}")
        lite = run(workspace(work / "sqlite"), staging, batch, 1, logs)
        print(f"{'SQLite':<12} {1:>8} {lite:>8.1f} {n / lite:>8.1f} {1:>9.2f}×", flush=True)
        for k in (int(x) for x in args.watchers.split(",")):
            schema = f"bench_watch_{k}"
            took = run(workspace(work / f"pg{k}", server.url, schema), staging, batch, k, logs, server.url, schema)
            print(f"{'PostgreSQL':<12} {k:>8} {took:>8.1f} {n / took:>8.1f} {lite / took:>9.2f}×", flush=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
