"""watch — decide when a dropped file is READY and send it down the road.

Native filesystem events where they arrive; polling on network shares (chosen from the filesystem type,
or forced with --poll). Events only say "look here"; a periodic full rescan catches anything missed.
Delete events are ignored: a share that drops does not look like an empty inbox. A file is taken only
when its size and mtime have been stable for the quiet period and it can be opened.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .outcomes import NotReady, Outcome
from .road import Engine, inbox_files, is_junk, process_file

log = logging.getLogger("docflow.watch")
NETWORK_FS = {"cifs", "smb3", "smbfs", "nfs", "nfs4", "afs", "fuse.sshfs", "9p", "davfs", "fuse.davfs2",
              "ncpfs", "glusterfs", "ceph", "fuse.rclone", "vboxsf", "virtiofs", "drvfs"}


def filesystem_type(path: Path) -> str:
    """The filesystem type of ``path`` from /proc/mounts ('' where the platform does not tell)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return ""
    best, kind = "", ""
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3:
            mnt = parts[1].replace("\\040", " ")
            if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                best, kind = mnt, parts[2]
    return kind


@dataclass
class Tracker:
    """Per-file stability: a file is ready when (size, mtime) did not change for ``quiet`` seconds."""

    quiet: float
    seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)
    retry_at: dict[Path, float] = field(default_factory=dict)
    failures: dict[Path, int] = field(default_factory=dict)

    def ready(self, path: Path, now: float) -> bool:
        try:
            st = path.stat()
        except OSError:
            self.seen.pop(path, None)
            return False
        if now < self.retry_at.get(path, 0):
            return False
        sig = (st.st_size, st.st_mtime_ns)
        old = self.seen.get(path)
        if old is None or old[:2] != sig:
            self.seen[path] = (*sig, now)
            return self.quiet == 0 and _openable(path)
        return now - old[2] >= self.quiet and _openable(path)

    def done(self, path: Path) -> None:
        self.seen.pop(path, None)
        self.retry_at.pop(path, None)
        self.failures.pop(path, None)

    def failed(self, path: Path, now: float) -> int:
        n = self.failures.get(path, 0) + 1
        self.failures[path] = n
        self.retry_at[path] = now + min(2 ** n, 300)
        return n


def _openable(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
        return True
    except OSError:
        return False


class _Handler(FileSystemEventHandler):
    def __init__(self, wake: Callable[[Path], None]) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("deleted",) or event.is_directory and event.event_type != "moved":
            return
        target = getattr(event, "dest_path", "") or event.src_path
        if target and not is_junk(os.path.basename(target)):
            self.wake(Path(os.fsdecode(target)))


@dataclass
class Watcher:
    eng: Engine
    poll: float = 0.0
    quiet: float = 2.0
    rescan: float = 60.0
    on_outcome: Callable[[Outcome], None] = lambda o: None
    stop: threading.Event = field(default_factory=threading.Event)
    observer_restarts: int = 0

    def __post_init__(self) -> None:
        self.tracker = Tracker(self.quiet)
        self.pending: set[Path] = set()
        self.lock = threading.Lock()
        if not self.poll and filesystem_type(self.eng.ws.inbox) in NETWORK_FS:
            self.poll = 5.0
        self.observer = None

    @property
    def mode(self) -> str:
        return f"轮询（每 {self.poll:g} 秒）" if self.poll else "文件系统事件"

    def _wake(self, path: Path) -> None:
        with self.lock:
            self.pending.add(path)

    def _start_observer(self) -> None:
        obs = PollingObserver(timeout=self.poll) if self.poll else Observer()
        obs.schedule(_Handler(self._wake), str(self.eng.ws.inbox), recursive=True)
        obs.daemon = True
        obs.start()
        self.observer = obs

    def _supervise(self) -> None:
        """Restart an observer that died (a polling observer stops silently when a share drops)."""
        if self.observer is None or not self.observer.is_alive():
            if self.observer is not None:
                self.observer_restarts += 1
                log.warning("observer stopped; restarting (%d)", self.observer_restarts)
            try:
                self._start_observer()
            except OSError as exc:  # the inbox is gone for now (share down): keep rescanning
                log.warning("cannot watch %s: %s", self.eng.ws.inbox, exc)
                self.observer = None

    def run(self, tick: float = 0.5) -> None:
        next_rescan = 0.0
        try:
            while not self.stop.is_set():
                self._supervise()
                now = time.monotonic()
                if now >= next_rescan:
                    self._rescan()
                    next_rescan = now + self.rescan
                self.step(now)
                self.stop.wait(tick)
        finally:
            if self.observer is not None:
                self.observer.stop()

    def _rescan(self) -> None:
        try:
            files = inbox_files(self.eng.ws)
        except OSError:
            return
        with self.lock:
            self.pending.update(files)

    def step(self, now: float) -> list[Outcome]:
        with self.lock:
            candidates = sorted(self.pending)
        out = []
        for path in candidates:
            if self.stop.is_set():
                break
            if not path.exists() or path.is_dir():
                with self.lock:
                    self.pending.discard(path)
                if path.is_dir():
                    self._rescan()
                continue
            if is_junk(path.name):
                with self.lock:
                    self.pending.discard(path)
                continue
            if not self.tracker.ready(path, now):
                continue
            outcome = process_file(self.eng, path)
            if isinstance(outcome, NotReady):
                n = self.tracker.failed(path, now)
                log.warning("%s not ready (%d): %s", path.name, n, outcome.why)
            else:
                self.tracker.done(path)
                with self.lock:
                    self.pending.discard(path)
            self.on_outcome(outcome)
            out.append(outcome)
        return out
