"""Several watchers, one PostgreSQL store: 4 watcher processes on one committee's inbox and 2 on another's (two
tenants of one server), 2,000 files, 20 SIGKILLs at random moments, each killed watcher started again. Then every
file is accounted for exactly once (one place, one files row, the right outcome), no event is applied twice, cases =
the distinct valid people of each committee, and no document was rendered twice: the store's render log has one
render per document due, and each process's own log of what it wrote (written after each write, beside the store)
shows a document written by more than one process only when the others were killed before they could mark it done
— the same bytes each time."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from inbox_batch import account, wait_settled

from engine import Engine
from engine.output.ledger import ledger_bytes, ledger_name
from engine.store.postgres import PostgresStore
from engine.testing import workspace
from engine.testing.batch import make_batch, put
from engine.workspace import load_workspace

REPO = Path(__file__).resolve().parents[1]
DRIVER = REPO / "tests" / "watch_driver.py"


def tenant(root: Path, org: str, url: str, schema: str):
    ws = workspace(root, org=org)
    with open(ws.root / "docflow.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[store]\nurl = "{url}"\nschema = "{schema}"\n')
    return load_workspace(ws.root)


class Watchers:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.killed: set[int] = set()

    def start(self, ws) -> subprocess.Popen:
        self.n += 1
        cmd = [sys.executable, str(DRIVER), str(ws.root), "--quiet", "0.1", "--grace", "1", "--rescan", "1",
               "--spread", "--render-log", str(self.logs / f"render-{self.n:03d}.log")]
        with open(self.logs / f"watcher-{self.n:03d}.log", "wb") as out:
            return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                    env={**os.environ, "PYTHONPATH": str(REPO), "DOCFLOW_SERVER_WAIT_SECONDS": "1"})

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.killed.add(proc.pid)

    def output(self) -> str:
        logs = sorted(self.logs.glob("watcher-*.log"))[-4:]
        return "\n".join(f"--- {p.name}\n" + p.read_text(encoding="utf-8", errors="replace")[-2500:] for p in logs)

    def renders(self) -> dict[str, list[tuple[int, str]]]:
        """absolute path → [(pid, sha256)] of every write, from every process's own log."""
        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for log in sorted(self.logs.glob("render-*.log")):
            for line in log.read_text(encoding="utf-8").splitlines():
                pid, sha, path = line.split(" ", 2)
                out[path].append((int(pid), sha))
        return out


def check_renders(store: PostgresStore, watchers: Watchers, outbox: Path) -> tuple[int, int]:
    """One render per document due in the store's log; the processes' own logs agree. (documents, rewritten)"""
    log = store.render_log()
    assert len({r["item"] for r in log}) == len(log)
    keys = [(r["case_id"], r["doc_id"], r["period"], r["occurrence"]) for r in log if r["mode"] == "due"]
    assert len(keys) == len(set(keys)), "a document rendered twice"
    issued = {(d.case_id, d.doc_id, d.period, d.occurrence) for d in store.issued()}
    assert set(keys) == issued, (len(keys), len(issued))
    assert store.db.execute("SELECT count(*) FROM render_queue WHERE state != 'done'").fetchone()[0] == 0
    paths = {(outbox / r["path"]).as_posix() for r in log}
    mine = {p: w for p, w in watchers.renders().items() if p in paths}
    assert set(mine) == paths, sorted(paths - set(mine))[:5]           # each logged render happened (file side)
    marked = {(outbox / r["path"]).as_posix(): int(r["holder"].split(":")[1]) for r in log}   # whose mark counted
    again = 0
    for path, writes in mine.items():
        assert len({sha for _, sha in writes}) == 1, path                 # the same bytes every time
        assert marked[path] in {pid for pid, _ in writes}, path             # the process on record wrote it …
        assert len({pid for pid, _ in writes}) == len(writes), path        # … and no process wrote it twice
        others = [pid for pid, _ in writes if pid != marked[path]]
        if others:                                                         # written again only after a kill
            again += 1
            assert set(others) <= watchers.killed, (path, writes, marked[path])
        assert Path(path).is_file()
    return len(paths), again


def test_six_watchers_two_inboxes_twenty_kills(tmp_path, pg_server):
    rng = random.Random(13)
    a = tenant(tmp_path / "a", "一号学区党委", pg_server.url, pg_server.schema())
    b = tenant(tmp_path / "b", "二号学区党委", pg_server.url, pg_server.schema())
    batch_a = make_batch(tmp_path / "sa", valid=560, member=140, invalid=300, duplicate=400, junk=0, seed=3)
    batch_b = make_batch(tmp_path / "sb", valid=240, member=60, invalid=130, duplicate=170, junk=0, seed=4)
    assert len(batch_a) + len(batch_b) == 2000
    for ws, batch, staging in ((a, batch_a, tmp_path / "sa"), (b, batch_b, tmp_path / "sb")):
        for d in batch:
            put(ws.inbox, d, staging)
    w = Watchers(tmp_path / "watchers")
    procs = [(a, w.start(a)) for _ in range(4)] + [(b, w.start(b)) for _ in range(2)]
    try:
        for _ in range(20):
            time.sleep(rng.uniform(0.5, 3.0))
            i = rng.randrange(len(procs))
            ws, proc = procs[i]
            assert proc.poll() is None, w.output()                         # none died on its own
            w.kill(proc)
            procs[i] = (ws, w.start(ws))
        for ws, batch in ((a, batch_a), (b, batch_b)):
            store = PostgresStore(pg_server.url, ws.config.store.schema_name)
            try:
                assert wait_settled(ws, batch, 600, db=store.db), w.output()
            finally:
                store.close()
    finally:
        for _, proc in procs:
            proc.send_signal(signal.SIGTERM)
        for _, proc in procs:
            proc.wait(60)
    assert len(w.killed) == 20
    for ws, batch in ((a, batch_a), (b, batch_b)):
        store = PostgresStore(pg_server.url, ws.config.store.schema_name)
        try:
            summary = account(ws, batch, db=store.db)
            documents, again = check_renders(store, w, ws.outbox)
            eng = Engine.open(ws, store=store)                       # the ledger the last writer left: current
            assert (ws.outbox / ledger_name(eng.pack)).read_bytes() == ledger_bytes(eng.pack, store.ledger_rows())
        finally:
            store.close()
        print(ws.config.organisation.name, summary, f"documents {documents}, rewritten after a kill {again}")
