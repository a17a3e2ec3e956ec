"""Faults to put a workspace through, for the tests (tests/test_faults.py) and the benchmark (bench/faults.py):
real filesystems of their own — a small tmpfs that fills up, one remounted read-only, a share (a bind mount) that
goes away and comes back — and another process holding the state database's write lock. Mounting needs root (or
CAP_SYS_ADMIN); ``mount_refused`` says why it cannot be done here.

Around them: a watcher run in a thread (``Running``) and the bookkeeping of a batch of dropped files during and after
a fault (``where``: each file in its place with its receipt, waiting in the inbox or the work folder with its
journal row, or lost)."""
from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .batch import Dropped

RECEIPTS = (".回执.txt", ".退回说明.txt")
MARKS = RECEIPTS + (".已标注问题.xlsx", ".已标注问题.说明.txt")


# ---------------------------------------------------------------- filesystems of their own
def mount_refused() -> str:
    """Why a tmpfs cannot be mounted here ("" when it can): the fault tests and the benchmark need one."""
    if sys.platform != "linux":
        return "需要 Linux 的 mount（tmpfs、bind）"
    with tempfile.TemporaryDirectory() as d:
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d], capture_output=True, text=True)
        if run.returncode != 0:
            return f"mounting a tmpfs is not permitted here ({run.stderr.strip() or run.returncode}): run as root"
        subprocess.run(["umount", d], check=True)
    return ""


class Mounts:
    """Mounts made for a fault, undone (lazily: a file may still be open there) in reverse order by ``close``."""

    def __init__(self) -> None:
        self.points: list[Path] = []

    def tmpfs(self, where: Path, size: str = "1m") -> Path:
        where.mkdir(parents=True, exist_ok=True)
        self._mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)])
        self.points.append(where)
        return where

    def bind(self, src: Path, where: Path) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        self._mount(["--bind", str(src), str(where)])
        self.points.append(where)
        return where

    def remount(self, where: Path, options: str) -> None:
        """e.g. ``ro`` (writes fail with EROFS, root's too) or ``rw``."""
        self._mount(["-o", f"remount,{options}", str(where)])

    def unmount(self, where: Path) -> None:
        subprocess.run(["umount", "-l", str(where)], check=True, capture_output=True)
        self.points.remove(where)

    def close(self) -> None:
        while self.points:
            subprocess.run(["umount", "-l", str(self.points.pop())], capture_output=True)

    @staticmethod
    def _mount(args: list[str]) -> None:
        run = subprocess.run(["mount", *args], capture_output=True, text=True)
        if run.returncode != 0:
            raise OSError(errno.EPERM, f"mount {' '.join(args)}: {run.stderr.strip()}")


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill ``folder``'s filesystem (a file of zeros until ENOSPC), then give ``leave`` bytes back; the filler."""
    filler = folder / ".filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(bytes(65536))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


# ---------------------------------------------------------------- another process holding the database
LOCKER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
"""


class Locker:
    """Another process that holds ``BEGIN EXCLUSIVE`` on a SQLite database (no writer gets in; in WAL mode readers
    still do) until ``release``."""

    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "locked":
            self.proc.kill()
            raise RuntimeError(f"the locking process did not get the lock ({line!r})")
        self.since = time.monotonic()

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(30)

    def held(self) -> float:
        return time.monotonic() - self.since if self.proc.poll() is None else 0.0


def short_busy_timeout(store: Any, ms: int) -> None:
    """Make the store give up on a locked database after ``ms`` (its own wait is 30 s): a lock held longer than
    the store waits, in a test's time."""
    db = getattr(store, "db", None)
    if isinstance(db, sqlite3.Connection):
        db.execute(f"PRAGMA busy_timeout={int(ms)}")


# ---------------------------------------------------------------- a watcher in a thread
@dataclass
class Running:
    """A ``Watcher`` on ``eng`` in a thread of its own, with test timings; its outcomes and notices kept."""

    eng: Any
    poll: float = 0.0
    rescan: float = 2.0
    quiet: float = 0.1
    error_pause: float = 0.2
    retry_base: float = 0.2
    outcomes: list[Any] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from ..inbox.watch import Watcher

        self.watcher = Watcher(self.eng, poll=self.poll, quiet=self.quiet, rescan=self.rescan, grace=1.0,
                               retry_base=self.retry_base, error_pause=self.error_pause,
                               on_outcome=self.outcomes.append, on_notice=self.notices.append)
        self.thread = threading.Thread(target=self.watcher.run, kwargs={"tick": 0.05}, daemon=True)
        self.thread.start()

    def alive(self) -> bool:
        return self.thread.is_alive()

    def stop(self) -> None:
        self.watcher.stop.set()
        self.thread.join(30)


def wait_for(what: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(every)
    return what()


# ---------------------------------------------------------------- where each dropped file is
@dataclass(frozen=True)
class Whereabouts:
    """Each dropped file (not junk) by where it is now, by name."""

    processed: list[str]        # in the processed place beside its receipt
    rejected: list[str]         # in the rejected place beside its receipt
    waiting: list[str]          # in the inbox, or in the work folder with an open journal row: to be retried
    lost: list[str]             # none of these
    extra: list[str]            # originals in the processed or rejected place that are not one of the batch's
    unreceipted: list[str]      # receipts without their original (or an original without its receipt)


def where(ws: Any, store: Any, batch: list[Dropped]) -> Whereabouts:
    real = [d for d in batch if d.kind != "junk"]
    placed: dict[str, list[tuple[str, Path]]] = {}
    unreceipted = []
    for kind, folder in (("processed", ws.processed), ("rejected", ws.rejected)):
        files = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
        names = {p.name for p in files}
        for p in files:
            if p.name.endswith(MARKS):
                if p.name.endswith(RECEIPTS) and p.name.rsplit(".", 2)[0] not in names:
                    unreceipted.append(p.name)
                continue
            placed.setdefault(p.name, []).append((kind, p))
            if not any(f"{p.name}{r}" in names for r in RECEIPTS):
                unreceipted.append(p.name)
    rows = {Path(r.work).name.split("__", 1)[-1] for r in store.journal_open_rows() if r.work}
    in_work = Counter(p.name.split("__", 1)[-1] for p in _work_files(ws))
    in_inbox = Counter(p.name for p in ws.inbox.rglob("*") if p.is_file() and ".docflow-work" not in p.parts)
    out: dict[str, list[str]] = {"processed": [], "rejected": [], "waiting": [], "lost": []}
    for d in real:
        here = [(k, p) for k, p in placed.get(d.base, []) if p.read_bytes() == d.data]
        if here:
            out[here[0][0]].append(d.base)
        elif in_inbox[d.base] or (in_work[d.base] and d.base in rows):
            out["waiting"].append(d.base)
        else:
            out["lost"].append(d.base)
    extra = [n for n in placed if n not in {d.base for d in real}]
    return Whereabouts(out["processed"], out["rejected"], out["waiting"], out["lost"], extra, unreceipted)


def _work_files(ws: Any) -> list[Path]:
    found = []
    for folder in (ws.work, ws.inbox / ".docflow-work"):
        if folder.is_dir():
            found += [p for p in folder.iterdir() if p.is_file()]
    return found


def applied_twice(store: Any) -> list[str]:
    """Cases with an event applied more than once (the same step from the same file), and contents processed
    more than once."""
    twice = []
    for row in store.cases():
        seen = Counter((a["kind"], a["step"], a["sha256"]) for a in store.audit(row.case_id))
        twice += [f"{row.case_id} {k[0]} {k[1]}" for k, n in seen.items() if n > 1]
    processed = Counter(f.sha256 for f in store.files(limit=1_000_000) if f.outcome == "processed")
    return twice + [f"sha256 {sha[:12]} processed {n}×" for sha, n in processed.items() if n > 1]


# ---------------------------------------------------------------- a workspace with folders on a share
def on_a_share(tmp: Path, mounts: Mounts, **folders: str) -> tuple[Any, Path, Path]:
    """A workspace at tmp/ws whose ``folders`` (a [folders] key → its path inside the share) are on a share: a
    folder of another filesystem (a tmpfs at tmp/server) bind-mounted at ws/share, which can be unmounted (the share
    gone) and mounted again (back). Returns the workspace, the share's folder on the server, and its mount point."""
    from ..workspace import load_workspace
    from .forms import workspace

    server = mounts.tmpfs(tmp / "server", "64m")
    (server / "share").mkdir()
    ws = workspace(tmp / "ws")
    share = mounts.bind(server / "share", ws.root / "share")
    toml = ws.root / "docflow.toml"
    text = toml.read_text(encoding="utf-8")
    for key, path in folders.items():
        old = f'{key} = "{getattr(ws.config.folders, key)}"'
        if old not in text:
            raise ValueError(f"no {old} in {toml}")
        text = text.replace(old, f'{key} = "share/{path}"')
    toml.write_text(text, encoding="utf-8")
    return load_workspace(ws.root), server / "share", share
