#!/usr/bin/env python3
"""Faults survived by ``docflow watch``: each fault run on its own workspace with the same batch of files, and what
became of every file — finished (processed, or rejected with its receipt), held up and retried after the fault
cleared ("retried": not finished while the fault was on), lost (must be 0), applied twice (must be 0) — the seconds
from the fault clearing until every file is finished, and whether the watcher was still alive and took a later file.

The faults (engine/testing/faults.py; needs root, or CAP_SYS_ADMIN, for the mounts):
  outbox full            the outbox on a tmpfs of its own, filled up: rendering fails with ENOSPC; then freed
  processed full         the processed place (已处理) so, filled up: routing fails with ENOSPC; then freed
  outbox read-only       the outbox's tmpfs remounted read-only (root's writes fail too: EROFS); then rw again
  database locked        another process holds BEGIN EXCLUSIVE on the state database for --lock seconds (the store
                         waits up to its own 30 s)
  database locked long   the same, held longer than the store waits (its wait shortened to 1 s for the run)
  share gone (places)    已处理 and 退回 on a share (a bind mount) that is unmounted just before the first file is
                         routed, and mounted again once every file is held up
  share gone (inbox)     the inbox on such a share (claimed files wait in its .docflow-work), gone the same way

The watcher runs with its own defaults (native events, a full rescan every --rescan seconds, 2 s first retry,
5 s pause after an error) but for a short quiet period; the shares are polled every 5 s, as a network share is.
The batch (engine/testing/batch.py): valid applicant rosters, member rosters, damaged and foreign files, duplicates.

Usage:  .venv/bin/python bench/faults.py [--files 50] [--rescan 60] [--lock 5] [--only NAME,...]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TODAY = date(2026, 11, 28)      # the samples' day, as the tests fix it

from engine.testing.faults import (  # noqa: E402
    Locker,
    Mounts,
    Running,
    applied_twice,
    fill,
    mount_refused,
    on_a_share,
    short_busy_timeout,
    wait_for,
    where,
)


class Fault(ABC):
    """A fault: the workspace it needs, a hook between the road's stages, what starts it, what clears it."""

    name = ""
    poll = 0.0            # 0: native events; > 0: polled (a network share)
    how = "rename"        # how files are dropped

    def __init__(self, tmp: Path, mounts: Mounts, args: argparse.Namespace) -> None:
        self.tmp, self.mounts, self.args = tmp, mounts, args
        self.hit = threading.Event()

    def workspace(self) -> Any:
        from engine.testing import workspace

        return workspace(self.tmp / "ws")

    def checkpoint(self, stage: str) -> None:
        return None

    def start(self, eng: Any) -> None:
        self.hit.set()

    def ready(self) -> bool:
        """May the fault be cleared now (it has held the files up)?"""
        return self.hit.is_set()

    @abstractmethod
    def clear(self) -> None:
        """Undo the fault (every kind says how)."""


class Full(Fault):
    def __init__(self, tmp: Path, mounts: Mounts, args: argparse.Namespace, folder: str) -> None:
        super().__init__(tmp, mounts, args)
        self.folder = folder
        self.name = "outbox full" if folder == "outbox" else "processed full"

    def start(self, eng: Any) -> None:
        self.filler = fill(self.mounts.tmpfs(getattr(eng.ws, self.folder), "8m"))
        super().start(eng)

    def clear(self) -> None:
        self.filler.unlink()


class ReadOnly(Fault):
    name = "outbox read-only"

    def start(self, eng: Any) -> None:
        self.target = self.mounts.tmpfs(eng.ws.outbox, "64m")
        self.mounts.remount(self.target, "ro")
        super().start(eng)

    def clear(self) -> None:
        self.mounts.remount(self.target, "rw")


class Locked(Fault):
    def __init__(self, tmp: Path, mounts: Mounts, args: argparse.Namespace, store_wait_ms: int | None) -> None:
        super().__init__(tmp, mounts, args)
        self.store_wait_ms = store_wait_ms
        self.name = "database locked" if store_wait_ms is None else "database locked long"

    def start(self, eng: Any) -> None:
        if self.store_wait_ms is not None:
            short_busy_timeout(eng.store, self.store_wait_ms)
        self.locker = Locker(eng.ws.database)
        super().start(eng)

    def ready(self) -> bool:
        return self.locker.held() >= self.args.lock

    def clear(self) -> None:
        self.locker.release()


class ShareGone(Fault):
    poll = 5.0

    def __init__(self, tmp: Path, mounts: Mounts, args: argparse.Namespace, inbox: bool) -> None:
        super().__init__(tmp, mounts, args)
        self.inbox = inbox
        self.name = "share gone (inbox)" if inbox else "share gone (places)"
        self.how = "copy" if inbox else "rename"    # a rename cannot cross into the share

    def workspace(self) -> Any:
        folders = {"inbox": "inbox"} if self.inbox else {"processed": "已处理", "rejected": "退回"}
        ws, self.backing, self.share = on_a_share(self.tmp, self.mounts, **folders)
        return ws

    def start(self, eng: Any) -> None:
        return None                   # the share goes when the first file is about to be routed

    def checkpoint(self, stage: str) -> None:
        if stage == "rendered" and not self.hit.is_set():
            self.mounts.unmount(self.share)
            self.hit.set()

    def clear(self) -> None:
        self.mounts.bind(self.backing, self.share)


@dataclass
class Row:
    scenario: str
    dropped: int
    processed: int
    rejected: int
    retried: int
    lost: int
    twice: int
    settle: float | None
    alive: bool


def run(fault: Fault, staging: Path, batch: list, later: Any) -> Row:
    from inbox_batch import settled

    from engine import Engine
    from engine.clock import FixedClock
    from engine.store import SqliteStore
    from engine.testing.batch import put

    ws = fault.workspace()
    eng = Engine.open(ws, clock=FixedClock(TODAY), checkpoint=fault.checkpoint)
    probe = SqliteStore(ws.database)
    fault.start(eng)
    running = Running(eng, poll=fault.poll, rescan=fault.args.rescan, quiet=0.2, error_pause=5.0, retry_base=2.0)
    real = [d for d in batch if d.kind != "junk"]
    try:
        for d in batch:
            put(ws.inbox, d, staging, fault.how)
        state: list[Any] = []

        def held_up() -> bool:            # the fault is on and nothing moves for 2 s
            w = where(ws, probe, batch)
            now = (len(w.processed), len(w.rejected), len(w.waiting), len(probe.journal_open_rows()))
            if not state or state[0] != now:
                state[:] = [now, time.monotonic()]
            return fault.ready() and time.monotonic() - state[1] >= 2.0
        wait_for(held_up, 120, every=0.2)
        during = where(ws, probe, batch)
        held = len(real) - len(during.processed) - len(during.rejected)    # not finished while the fault was on
        t = time.monotonic()
        fault.clear()
        done = wait_for(lambda: settled(ws, batch), 600, every=0.1)
        settle = time.monotonic() - t if done else None
        after = where(ws, probe, batch)
        twice = applied_twice(probe)
        put(ws.inbox, later, staging, fault.how)
        took = wait_for(lambda: any(Path(o.file).name == later.base and o.kind == "processed"
                                    for o in running.outcomes), 300, every=0.1)
        receipted = [n for n in after.processed + after.rejected if n not in after.unreceipted]
        return Row(fault.name, len(real), sum(n in receipted for n in after.processed),
                   sum(n in receipted for n in after.rejected), held,
                   len(real) - len(receipted) + len(after.extra), len(twice), settle, running.alive() and took)
    finally:
        running.stop()
        probe.close()
        eng.store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--rescan", type=float, default=60.0, help="the watcher's full rescan, seconds (default 60)")
    ap.add_argument("--lock", type=float, default=5.0, help="seconds the database is held locked (default 5)")
    ap.add_argument("--only", default="", help="comma-separated scenario names (or parts of them)")
    args = ap.parse_args(argv)
    why = mount_refused()
    if why:
        print(why)
        return 1
    from engine.testing import applicant, write_roster
    from engine.testing.batch import Dropped, make_batch

    n = args.files
    work = Path(tempfile.mkdtemp(prefix="docflow-faults-"))
    staging = work / "staging"
    sizes = dict(valid=n * 4 // 10, member=n // 10, invalid=n * 2 // 10)
    batch = make_batch(staging, duplicate=n - sum(sizes.values()), junk=0, seed=7, **sizes)
    row = applicant("欧阳后来", date(1990, 6, 6), date(2026, 2, 2), seq=977)
    later_path = write_roster(staging / "后来的名册.xlsx", [row], title="入党申请人名册")
    later = Dropped(later_path.name, later_path.read_bytes(), "valid", person=row["公民身份号码"])
    faults = [lambda t, m: Full(t, m, args, "outbox"), lambda t, m: Full(t, m, args, "processed"),
              lambda t, m: ReadOnly(t, m, args), lambda t, m: Locked(t, m, args, None),
              lambda t, m: Locked(t, m, args, 1000), lambda t, m: ShareGone(t, m, args, inbox=False),
              lambda t, m: ShareGone(t, m, args, inbox=True)]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    print(f"{len(batch)} files (valid rosters {sizes['valid']}, member rosters {sizes['member']}, refused "
          f"{sizes['invalid']}, duplicates {n - sum(sizes.values())}); the watcher's rescan {args.rescan:g} s; "
          f"settle: from the fault clearing until every file is finished\n")
    print(f"{'scenario':<22} {'dropped':>7} {'processed':>9} {'rejected':>8} {'retried':>7} {'lost':>4} "
          f"{'twice':>5} {'settle s':>8} {'watcher alive':>13}")
    bad = 0
    try:
        for i, make in enumerate(faults):
            mounts = Mounts()
            try:
                fault = make(work / f"run{i}", mounts)
                if only and not any(o in fault.name for o in only):
                    continue
                r = run(fault, staging, batch, later)
            finally:
                mounts.close()
            settle = f"{r.settle:.1f}" if r.settle is not None else "—"
            print(f"{r.scenario:<22} {r.dropped:>7} {r.processed:>9} {r.rejected:>8} {r.retried:>7} {r.lost:>4} "
                  f"{r.twice:>5} {settle:>8} {'yes' if r.alive else 'no':>13}", flush=True)
            bad += bool(r.lost or r.twice or not r.alive or r.settle is None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
