"""watch — decide when a dropped file is READY and send it down the road.

How files are noticed:
- native filesystem events on local disks (watchdog), supervised: an observer whose thread or emitter died,
  or whose inbox was replaced underneath it (a share unmounted and mounted again), is restarted;
- polling on network shares (SMB/CIFS/NFS deliver no events for changes made by other machines): chosen
  from the filesystem type where the platform tells it, or forced with ``--poll SECONDS``. The poll *is*
  our own scan of the inbox, so there is no polling thread that could stop silently when the share drops;
- a periodic full rescan even with native events: a missed event delays a file, never loses it.
Events and scans only say "look here"; nothing is ever done on a delete event or on absence — a share
that disappears is reported as unavailable, never taken for an empty inbox.

When a file is READY (the ``Tracker``'s small vocabulary: wait, ready, gone, locked): its size, mtime and
inode did not change for the quiet period; it is not open for writing by anyone (Linux: a read lease can be
taken); it can be opened and read; and it does not look half-copied (0 bytes, or an Office zip without its
end record — copies that pre-allocate the full size and fill it in) unless it stayed so for a longer grace
period, after which it goes down the road and is refused with a receipt rather than kept forever.
A file that cannot be taken (locked, unreadable) is retried with back-off; failures are counted in the
store, so ``docflow status`` shows it after repeated failures and the count survives a restart. A file of this
process left in flight by a failure (a disk full, a share gone, the database locked) is finished by recovery,
tried again with back-off too (from ``retry_base`` up to the rescan), not only at the next full rescan.
"""
from __future__ import annotations

import errno
import logging
import os
import random
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from ..outcomes import NotReady, Outcome
from ..road import Engine, process_file, recover
from ..work.renders import work
from ..workspace import Workspace
from .claim import HELD, SHOW_AFTER, Inbox, InboxUnavailable, inbox_key, writer_active

log = logging.getLogger("docflow.watch")
# watchdog 7 logs an error when its inotify emitter is stopped normally; it is not one
logging.getLogger("watchdog.observers.inotify").addFilter(
    lambda record: "called when the thread is inactive" not in record.getMessage())

NETWORK_FS = {"cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs3", "nfs4", "afs", "afpfs", "webdav", "9p",
              "davfs", "ncpfs", "glusterfs", "ceph", "vboxsf", "virtiofs", "drvfs", "fuse.sshfs",
              "fuse.davfs2", "fuse.rclone", "fuse.gvfsd-fuse", "fuse.s3fs", "fuse.glusterfs", "fuse.cephfs"}
DEFAULT_POLL = 5.0
ERROR_PAUSE = 5.0
OFFICE_ZIPS = (".xlsx", ".xlsm", ".docx", ".docm")


# ---------------------------------------------------------------- what kind of filesystem
def filesystem_type(path: Path) -> str:
    """The filesystem type of ``path`` ('' where the platform does not tell): /proc/mounts on Linux,
    ``mount`` on macOS and the BSDs, the drive type and volume information on Windows."""
    target = os.path.realpath(path)
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            return _windows_fs_type(target)
        if os.path.exists("/proc/mounts"):
            return linux_fs_type(target, Path("/proc/mounts").read_text(errors="replace"))
        out = subprocess.run(["mount"], capture_output=True, text=True, timeout=5).stdout
        return bsd_fs_type(target, out)
    except (OSError, subprocess.SubprocessError):
        return ""


def is_network(kind: str) -> bool:
    return kind.lower() in NETWORK_FS


def _unescape_mount(text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def _longest_mount(target: str, mounts: list[tuple[str, str]]) -> str:
    best, kind = "", ""
    for mnt, fstype in mounts:
        inside = target == mnt or target.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best):
            best, kind = mnt, fstype
    return kind


def linux_fs_type(target: str, proc_mounts: str) -> str:
    """From /proc/mounts text: 'device mountpoint type options 0 0' (spaces in names as \\040)."""
    mounts = [(_unescape_mount(p[1]), p[2]) for p in (line.split() for line in proc_mounts.splitlines()) if len(p) >= 3]
    return _longest_mount(target, mounts)


def bsd_fs_type(target: str, mount_output: str) -> str:
    """From `mount` output on macOS/BSD: '//user@server/share on /Volumes/share (smbfs, nodev, ...)'."""
    mounts = []
    for line in mount_output.splitlines():
        m = re.match(r"^.+? on (.+) \(([^,)]+)", line)
        if m:
            mounts.append((m.group(1), m.group(2).strip()))
    return _longest_mount(target, mounts)


def _windows_fs_type(target: str) -> str:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return ""
    import ctypes

    if target.startswith("\\\\"):
        return "smb"                                   # a UNC path: \\server\share\...
    drive = os.path.splitdrive(target)[0] + "\\"
    if ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # DRIVE_REMOTE: a mapped network drive
        return "smb"
    name = ctypes.create_unicode_buffer(64)
    ok = ctypes.windll.kernel32.GetVolumeInformationW(drive, None, 0, None, None, None, name, 64)
    return name.value.lower() if ok else ""


# ---------------------------------------------------------------- readiness
WAIT, READY, GONE, LOCKED = "wait", "ready", "gone", "locked"


def inspect(path: Path, st: os.stat_result) -> tuple[bool, str]:
    """(looks half-copied, why it cannot be read). Reads the first byte and, for an Office zip, the tail
    where the zip's end record must be (a copy that pre-allocates the size has zeros there until done)."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
            if st.st_size == 0:
                return True, ""
            if not path.name.lower().endswith(OFFICE_ZIPS):
                return False, ""
            fh.seek(max(0, st.st_size - 65557))
            return b"PK\x05\x06" not in fh.read(), ""
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
            return False, f"文件被占用或无权读取（可能正在 Excel/WPS 中打开）：{exc.strerror or exc}"
        return False, f"暂时无法读取：{exc.strerror or exc}"


@dataclass(frozen=True)
class Check:
    state: str          # wait | ready | gone | locked
    why: str = ""       # for locked: why it cannot be taken (Chinese)


@dataclass
class _Entry:
    first: float                    # when first seen (files are taken in this order)
    sig: tuple | None = None        # (size, mtime_ns, inode) at the last look
    since: float = 0.0              # since when ``sig`` has not changed
    due: float = 0.0                # when to look again
    retry_at: float = 0.0           # back-off after a failure
    failures: int = 0


@dataclass
class Tracker:
    """Per-file readiness. A file is ready when (size, mtime, inode) did not change for ``quiet`` seconds,
    nobody has it open for writing, it can be read, and it does not look half-copied (see the module doc)."""

    quiet: float
    grace: float = 60.0             # how long a half-copied-looking file is waited for
    backoff: float = 2.0            # first retry delay after a failure; doubles up to ``max_backoff``
    max_backoff: float = 300.0
    probe: Callable[[Path, os.stat_result], tuple[bool, str]] = inspect   # readable? half-copied?
    entries: dict[Path, _Entry] = field(default_factory=dict)

    def see(self, path: Path, now: float) -> None:
        """An event or a scan says ``path`` is there: look at it soon (not before its back-off ends)."""
        e = self.entries.get(path)
        if e is None:
            self.entries[path] = _Entry(first=now, due=now)
        else:
            e.due = min(e.due, max(now, e.retry_at))

    def due(self, now: float) -> list[Path]:
        """Files to look at now, oldest first (a huge inbox costs one pass, not one stat per file)."""
        due = [(e.first, str(p), p) for p, e in self.entries.items() if e.due <= now and e.retry_at <= now]
        return [p for _, _, p in sorted(due)]

    def next_due(self) -> float:
        return min((max(e.due, e.retry_at) for e in self.entries.values()), default=float("inf"))

    def check(self, path: Path, now: float) -> Check:
        e = self.entries.setdefault(path, _Entry(first=now, due=now))
        if now < e.retry_at:
            e.due = e.retry_at
            return Check(WAIT)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self.forget(path)
            return Check(GONE)
        except OSError as exc:
            return Check(LOCKED, f"无法读取文件信息：{exc.strerror or exc}")
        if not stat.S_ISREG(st.st_mode):
            self.forget(path)
            return Check(GONE)
        sig = (st.st_size, st.st_mtime_ns, st.st_ino)
        if sig != e.sig:
            e.sig, e.since = sig, now
        if now - e.since < self.quiet:
            e.due = e.since + self.quiet
            return Check(WAIT)
        if writer_active(path):
            e.due = now + max(self.quiet, 0.2)
            return Check(WAIT)
        incomplete, why = self.probe(path, st)
        if why:
            return Check(LOCKED, why)
        if incomplete and now - e.since < self.grace:
            e.due = e.since + self.grace
            return Check(WAIT)
        return Check(READY)

    def ready(self, path: Path, now: float) -> bool:
        return self.check(path, now).state == READY

    def done(self, path: Path) -> None:
        self.entries.pop(path, None)

    forget = done

    def failed(self, path: Path, now: float, count: int | None = None) -> int:
        e = self.entries.setdefault(path, _Entry(first=now))
        e.failures = count if count is not None else e.failures + 1
        e.retry_at = e.due = now + min(self.backoff * 2 ** (e.failures - 1), self.max_backoff)
        return e.failures


# ---------------------------------------------------------------- the watcher
class _Handler(FileSystemEventHandler):
    """Events only say "look here". Deletes (and opens) say nothing."""

    def __init__(self, wake: Callable[[Path, bool], None]) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "modified", "moved", "closed"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own mtime: its files have their own events
        target = (getattr(event, "dest_path", "") if event.event_type == "moved" else "") or event.src_path
        if target:
            self.wake(Path(os.fsdecode(target)), event.is_directory)


@dataclass
class Watcher:
    eng: Engine
    poll: float = 0.0                 # > 0: poll every so many seconds; 0: native events where they arrive
    quiet: float = 2.0
    rescan: float = 60.0
    on_outcome: Callable[[Outcome], None] = lambda o: None
    on_notice: Callable[[str], None] = lambda text: None   # things staff should know (Chinese)
    stop: threading.Event = field(default_factory=threading.Event)
    grace: float | None = None        # default: max(60 s, 10 × quiet)
    retry_base: float = 2.0
    batch_seconds: float = 2.0        # look after events, scans and the observer at least this often
    observer_restarts: int = 0
    # seams: what the watcher asks of the world (tests pass their own)
    clock: Callable[[], float] = time.monotonic
    fs_probe: Callable[[Path], str] = filesystem_type
    observer_factory: Callable[[], BaseObserver] = Observer
    process: Callable[[Engine, Path], Outcome] = process_file
    make_inbox: Callable[[Workspace], Inbox] = Inbox
    probe: Callable[[Path, os.stat_result], tuple[bool, str]] = inspect
    default_poll: float = DEFAULT_POLL  # the poll chosen on a network share
    render_work: Callable[[Engine], int] | None = work   # idle: documents from the store's render queue
    work_every: float = 2.0             # seconds between looks at the render queue while idle
    spread: bool = False                # take ready files in random order (several watchers share the inbox)
    error_pause: float = ERROR_PAUSE    # after an unexpected error in the loop

    def __post_init__(self) -> None:
        self.inbox = self.make_inbox(self.eng.ws)
        self.fs_type = self.fs_probe(self.eng.ws.inbox)
        self.auto_poll = not self.poll and is_network(self.fs_type)
        if self.auto_poll:
            self.poll = self.default_poll
        grace = self.grace if self.grace is not None else max(60.0, 10 * self.quiet)
        self.tracker = Tracker(self.quiet, grace, self.retry_base, probe=self.probe)
        self.lock = threading.Lock()
        self._kick = threading.Event()
        self.woken: set[Path] = set()
        self.woken_dirs: set[Path] = set()
        self.observer: BaseObserver | None = None
        self._inbox_id: tuple[int, int] | None = None
        self.available = True
        self.next_scan = 0.0
        self.next_work = 0.0
        self.recover_at = float("inf")   # when to try again to finish this process's files left in flight
        self.recover_wait = 0.0

    @property
    def mode(self) -> str:
        if not self.poll:
            return "文件系统事件"
        why = f"，{self.fs_type} 网络共享自动选择" if self.auto_poll else ""
        return f"轮询（每 {self.poll:g} 秒{why}）"

    # ------------------------------------------------------------ loop
    def run(self, tick: float = 0.5) -> None:
        """Watch until ``stop`` is set. An unexpected error (a database busy for too long, a disk full)
        is reported and the loop goes on after a pause: the watcher itself never stops on its own."""
        try:
            while not self.stop.is_set():
                try:
                    self._once()
                except Exception as exc:
                    log.exception("watch loop error")
                    self.on_notice(f"监视出错（{exc}），{self.error_pause:g} 秒后继续")
                    self.stop.wait(self.error_pause)
                self._pause(tick)
        finally:
            self._stop_observer()

    def _pause(self, tick: float) -> None:
        """Sleep until the next file is due, an event arrives, or ``tick`` has passed."""
        due = min(self.tracker.next_due() if self.available else float("inf"), self.next_scan, self.recover_at)
        wait = min(tick, max(0.0, due - self.clock()))
        if wait > 0 and not self.stop.is_set():
            self._kick.wait(wait)
        self._kick.clear()

    def _once(self) -> None:
        if not self.poll:
            self._supervise()
        if self.clock() >= self.next_scan:
            self.scan()
            self.next_scan = self.clock() + (self.poll or self.rescan)
        elif self.clock() >= self.recover_at and self.available:
            self._recover(again=True)
        self.step()

    def scan(self, under: Path | None = None) -> None:
        """Look at every file in the inbox (or in one folder of it). Absence is never acted upon."""
        try:
            files = self.inbox.files(under)
        except InboxUnavailable as exc:
            if self.available:
                self.available = False
                log.info("inbox unavailable: %s", exc)
                self.on_notice(f"{exc.message}。恢复后会自动继续，期间不做任何处理")
            return
        if not self.available:
            self.available = True
            self.on_notice("inbox 已恢复访问，继续处理")
            self.next_scan = 0.0
        now = self.clock()
        for path in files:
            self.tracker.see(path, now)
        if under is None:
            self._forget_retries({inbox_key(self.eng.ws, p) for p in files})
            if self.eng.store.journal_open_rows():
                self._recover()

    def step(self) -> list[Outcome]:
        """Take in events, then send down the road every file that is due and ready (for a while at most)."""
        with self.lock:
            woken, dirs = self.woken, self.woken_dirs
            self.woken, self.woken_dirs = set(), set()
        for folder in sorted(dirs):
            self.scan(folder)
        now = self.clock()
        for path in woken:
            if self.inbox.wanted(path):
                self.tracker.see(path, now)
        out: list[Outcome] = []
        if not self.available:
            return out
        deadline = now + self.batch_seconds
        due = self.tracker.due(now)
        if self.spread:                 # several watchers on one inbox: not all after the same file first
            random.shuffle(due)
        for path in due:
            if self.stop.is_set() or self.clock() > deadline:
                break
            out += self._handle(path)
        if not out and self.render_work is not None and self.clock() >= self.next_work:
            self.next_work = self.clock() + self.work_every
            while self.render_work(self.eng) and self.clock() < deadline and not self.stop.is_set():
                self.next_work = 0.0       # more may be waiting: look again at once
        return out

    def _handle(self, path: Path) -> list[Outcome]:
        now = self.clock()
        c = self.tracker.check(path, now)
        if c.state == LOCKED:
            if self.inbox.root.is_dir():
                self._failure(path, c.why, now)
            else:  # the whole share is away: not this file's failure; the next scan reports it
                self.tracker.failed(path, now, 1)
            return []
        if c.state != READY:
            return []
        try:
            outcome = self.process(self.eng, path)
        except Exception as exc:  # a share that dropped mid-file, a bug: the file is not lost (journal)
            log.exception("error while processing %s", path)
            self.on_notice(f"{inbox_key(self.eng.ws, path)} 处理时出错（{exc}），文件不会丢失，稍后自动重试")
            self._recover()       # first: counting the failure may fail too (the database locked)
            self._failure(path, f"处理时出错：{exc}", self.clock())
            return []
        if isinstance(outcome, NotReady) and outcome.why == HELD:
            if self._held_here(path):   # this process's claim, left open by a failure: again once recovery closed it
                self.tracker.failed(path, self.clock())
                self.recover_at = min(self.recover_at, self.clock())
            else:                       # another process has it: not a failure
                self.tracker.done(path)
            return []
        if isinstance(outcome, NotReady):
            row = self.eng.store.retry(inbox_key(self.eng.ws, path))
            if row is None and not os.path.lexists(path):
                self.tracker.forget(path)
            else:
                self._failed_count(path, row.failures if row else 1, outcome.why, self.clock())
        else:
            self.tracker.done(path)
            if os.path.lexists(path):  # a new file dropped under the same name while this one was in flight
                self.tracker.see(path, self.clock())
        self.on_outcome(outcome)
        return [outcome]

    # ------------------------------------------------------------ failures and recovery
    def _failure(self, path: Path, why: str, now: float) -> None:
        with self.eng.store.transaction():
            n = self.eng.store.retry_failed(inbox_key(self.eng.ws, path), why, self.eng.stamp())
        self._failed_count(path, n, why, now)

    def _failed_count(self, path: Path, n: int, why: str, now: float) -> None:
        self.tracker.failed(path, now, n)
        log.info("%s cannot be taken (%d): %s", path.name, n, why)
        if n == SHOW_AFTER:
            self.on_notice(f"{inbox_key(self.eng.ws, path)} 已连续 {n} 次无法处理：{why}。"
                           "文件仍在 inbox，会继续自动重试；docflow status 可查看")

    def _forget_retries(self, present: set[str]) -> None:
        """Files that left the inbox (staff took them back) are no longer retried or shown."""
        gone = [r.original for r in self.eng.store.retries() if r.original not in present]
        if gone:
            with self.eng.store.transaction():
                for original in gone:
                    self.eng.store.retry_clear(original)

    def _recover(self, again: bool = False) -> None:
        """Finish (or put back) what was left in flight. While a file of this process is still in flight afterwards,
        try again after a back-off: ``retry_base`` after the first failure, doubled after each retry that failed
        (``again``), up to the rescan."""
        try:
            for line in recover(self.eng):
                self.on_notice(f"恢复：{line}")
            left = any(r.holder == self.eng.holder.id for r in self.eng.store.journal_open_rows())
        except Exception:
            log.exception("recovery failed; will try again")
            left = True
        if not left:
            self.recover_at, self.recover_wait = float("inf"), 0.0
        elif again or self.recover_at == float("inf"):
            wait = 2 * self.recover_wait if again else self.retry_base
            self.recover_wait = min(max(wait, self.retry_base), max(self.rescan, self.retry_base))
            self.recover_at = self.clock() + self.recover_wait

    def _held_here(self, path: Path) -> bool:
        key = inbox_key(self.eng.ws, path)
        return any(r.original == key and r.holder == self.eng.holder.id for r in self.eng.store.journal_open_rows())

    # ------------------------------------------------------------ native events, supervised
    def _wake(self, path: Path, is_dir: bool) -> None:
        with self.lock:
            (self.woken_dirs if is_dir else self.woken).add(path)
        self._kick.set()

    def _supervise(self) -> None:
        """(Re)start the observer when it is missing, its thread or emitter died, or the inbox went away or
        was replaced underneath it (a share unmounted and mounted again)."""
        ident = _identity(self.eng.ws.inbox)
        obs = self.observer
        if (obs is not None and ident is not None and ident == self._inbox_id and obs.is_alive() and obs.emitters
                and all(e.is_alive() for e in obs.emitters)):
            return
        if obs is not None:
            self.observer_restarts += 1
            log.info("observer stopped or inbox replaced; restarting (%d)", self.observer_restarts)
            self._stop_observer()
            self.next_scan = 0.0
            if ident is not None:
                self.on_notice("文件监视中断（共享文件夹断开或被替换？），已自动重新开始监视并全部扫描一遍")
        if ident is None:  # the inbox is gone for now (share down): scans report it; watch again when back
            return
        try:
            self._start_observer()
            self._inbox_id = ident
        except OSError as exc:  # e.g. the inotify watch limit: poll instead, never stop watching
            log.info("native events unavailable (%s); polling", exc)
            self.on_notice(f"无法使用文件系统事件（{exc}），改为每 {self.default_poll:g} 秒轮询")
            self._stop_observer()
            self.poll = self.default_poll

    def _start_observer(self) -> None:
        obs = self.observer_factory()
        obs.schedule(_Handler(self._wake), str(self.eng.ws.inbox), recursive=True)
        obs.daemon = True
        self.observer = obs
        obs.start()

    def _stop_observer(self) -> None:
        obs, self.observer = self.observer, None
        if obs is not None:
            try:
                obs.stop()
                obs.join(2)
            except Exception:  # an emitter stuck on a dead share: it is a daemon thread, leave it
                log.info("observer did not stop cleanly")


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
