"""The inbox side of the road: which files count, taking one (claim), and putting one back (roll back).

claim — take a file out of the inbox by an atomic rename into a work folder, with a journal row written
*before* the rename, so that whatever instant the engine dies at, start-up (``road.recover``) knows where
the file is: still in the inbox, in the work folder (put back), or stored (finished).

    journal 'claiming' (work path known) ─rename, read, verify─▶ 'claimed' ─store txn─▶ 'stored' ─route─▶ closed

A file that cannot be taken (locked by Excel on Windows, unreadable, a share hiccup) stays in the inbox and
its failures are counted in the store (``retries``), so the back-off and ``docflow status`` survive restarts.
"""
from __future__ import annotations

import errno
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

if sys.platform != "win32":
    import fcntl

from ..errors import WorkspaceError
from ..outcomes import JournalStage, NotReady
from ..read.safety import LIMITS
from ..store import InboxStore
from ..workspace import CONFIG_NAME, Workspace
from .submitter import file_owner

HELD = "另一个 docflow 进程（本机或其他电脑）正在处理此文件"
SHOW_AFTER = 3                   # failures before a file is listed by ``docflow status``
WORK_IN_INBOX = ".docflow-work"  # the work folder when the inbox is on another filesystem than the workspace

# ---------------------------------------------------------------- what counts as a file
# Lock and temporary files of Office, WPS and LibreOffice, downloads in progress and system junk. Each
# pattern is a plain prefix / suffix / name (tested one by one in tests/test_inbox.py), never a catch-all.
JUNK_PREFIXES = (
    "~$",            # Office and WPS owner (lock) files: ~$名册.xlsx
    "~wrl", "~wrd",  # Word temporary files: ~WRL0001.tmp, ~WRD0000.tmp
    ".",             # hidden files: .~lock.名册.xlsx# (LibreOffice), ._名册.xlsx (macOS), .DS_Store, .~docflow-*
)
JUNK_SUFFIXES = (
    ".tmp", ".temp",                     # Office, WPS and LibreOffice temporary files (lu1234abcd.tmp)
    ".crdownload", ".part", ".partial",  # downloads in progress (Chrome, Firefox, Edge)
    ".download", ".opdownload",          # Safari, Opera
)
JUNK_NAMES = {"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", "icon\r"}
JUNK_DIRS = {"$recycle.bin", "system volume information", "#recycle", "@eadir", "__macosx", "#snapshot",
             "~snapshot"}


def is_junk(name: str) -> bool:
    """Lock/temporary files of Office, WPS, LibreOffice and system junk: never processed, never moved."""
    lower = name.lower()
    return (lower.startswith(JUNK_PREFIXES) or lower.endswith(JUNK_SUFFIXES) or lower in JUNK_NAMES
            or _excel_save_temp(name))


def _excel_save_temp(name: str) -> bool:
    """Excel saves to an 8-hex-digit name without extension (e.g. 3F2A1B00), then renames it over the file."""
    return len(name) == 8 and all(c in "0123456789ABCDEF" for c in name)


def is_junk_dir(name: str) -> bool:
    return name.startswith(".") or name.lower() in JUNK_DIRS


class InboxUnavailable(WorkspaceError):
    """The inbox cannot be read (a share that dropped): this is never taken for an empty inbox."""


class Inbox:
    """The files waiting in a workspace's inbox. Folders dropped in are walked; junk, hidden folders,
    symlinked folders and the engine's own folders (should one be configured inside the inbox) are not."""

    def __init__(self, ws: Workspace) -> None:
        self.root = ws.inbox
        own = [ws.outbox, ws.processed, ws.rejected, ws.state, ws.root / "templates", ws.pack_dir]
        root = _norm(self.root)
        for p in [ws.outbox, ws.processed, ws.rejected]:
            if _norm(p) == root or root.startswith(_norm(p) + os.sep):
                raise WorkspaceError(f"inbox 不能放在 outbox、已处理或退回文件夹里面（{p}），"
                                     "请修改 docflow.toml 的 [folders]",
                                     place=str(ws.root / CONFIG_NAME))
        self.skip = {_norm(p) for p in own if _norm(p).startswith(root + os.sep)}
        self.skip_files = {_norm(ws.root / CONFIG_NAME)}

    def wanted(self, path: Path) -> bool:
        """Is ``path`` (a file path inside the inbox, from an event or a scan) something to process?"""
        full = _norm(path)
        root = _norm(self.root)
        if not full.startswith(root + os.sep) or full in self.skip_files:
            return False
        if any(full == s or full.startswith(s + os.sep) for s in self.skip):
            return False
        parts = full[len(root) + 1:].split(os.sep)
        return not is_junk(parts[-1]) and not any(is_junk_dir(d) for d in parts[:-1])

    def folder_wanted(self, folder: Path) -> bool:
        full, root = _norm(folder), _norm(self.root)
        if full == root:
            return True
        if not full.startswith(root + os.sep) or any(full == s or full.startswith(s + os.sep) for s in self.skip):
            return False
        return not any(is_junk_dir(d) for d in full[len(root) + 1:].split(os.sep))

    def files(self, under: Path | None = None) -> list[Path]:
        """Every file waiting in the inbox (or in one folder of it), in path order. Raises InboxUnavailable
        when the inbox itself cannot be read — a share that dropped does not look like an empty inbox."""
        if not self.root.is_dir():
            raise InboxUnavailable(f"无法访问 inbox 文件夹：{self.root}（网络共享是否断开？）", place=str(self.root))
        start = under or self.root
        if under is not None and not self.folder_wanted(under):
            return []
        found = [p for p in self._walk(start) if self.wanted(p)]
        return sorted(found, key=lambda p: p.relative_to(self.root).as_posix())

    def _walk(self, folder: Path) -> Iterator[Path]:
        stack = [folder]
        while stack:
            d = stack.pop()
            try:
                entries = list(os.scandir(d))
            except OSError:
                if d == self.root:
                    raise InboxUnavailable(f"无法读取 inbox 文件夹：{self.root}", place=str(self.root)) from None
                continue  # a sub-folder still being copied, or removed meanwhile: the next scan sees it
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if not is_junk_dir(e.name) and _norm(e.path) not in self.skip:
                            stack.append(Path(e.path))
                    elif e.is_file():
                        yield Path(e.path)
                except OSError:
                    continue


def _norm(p: Path | str) -> str:
    return os.path.normcase(os.path.abspath(p))


def writer_active(path: Path) -> bool:
    """True if some process has the file open for writing (Linux: a read lease cannot be had). False where
    the platform or filesystem cannot tell (network filesystems, other systems): the other checks remain."""
    if sys.platform == "win32" or not hasattr(fcntl, "F_SETLEASE"):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)  # someone holds a lease: busy
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK)  # EACCES/EINVAL: cannot tell here
    else:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def inbox_files(ws: Workspace) -> list[Path]:
    """Files waiting in the inbox (folders dropped in are walked), in path order."""
    return Inbox(ws).files()


# ---------------------------------------------------------------- claim
@dataclass(frozen=True)
class Claimed:
    journal_id: int
    original: Path          # where it was in the inbox
    work: Path              # where it is now
    data: bytes
    sha256: str
    owner: str = ""         # the file's owner on the share (see engine.inbox.submitter)

    @property
    def name(self) -> str:
        return self.original.name


def inbox_key(ws: Workspace, path: Path) -> str:
    """How a file in the inbox is named in the journal and in ``retries``: its path inside the inbox."""
    return path.relative_to(ws.inbox).as_posix()


def work_dir(ws: Workspace) -> Path:
    """Where claimed files wait: the workspace's work folder, or — when the inbox is on another
    filesystem (a share mounted there) — a hidden folder in the inbox, so the claim stays one atomic rename."""
    try:
        if os.stat(ws.inbox).st_dev != os.stat(ws.work).st_dev:
            folder = ws.inbox / WORK_IN_INBOX
            folder.mkdir(exist_ok=True)
            _hide(folder)
            return folder
    except OSError:
        pass
    return ws.work


def _hide(folder: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(folder), 0x2)  # FILE_ATTRIBUTE_HIDDEN


def stored_path(ws: Workspace, path: Path) -> str:
    try:
        return str(path.relative_to(ws.root))
    except ValueError:
        return str(path)


def claim(ws: Workspace, store: InboxStore, path: Path, at: str, read_bytes: int = LIMITS.read_bytes,
          rename: Callable[[Path, Path], None] = os.replace, holder: str = "") -> Claimed | NotReady:
    """Take ``path`` out of the inbox for ``holder``. NotReady if it cannot be taken now (it stays, or is put back),
    or if another process holds it (its claim row: one per inbox path)."""
    original = inbox_key(ws, path)
    try:
        before = os.stat(path)
    except FileNotFoundError:
        return NotReady(str(path), "文件已不在 inbox 中")
    except OSError as exc:
        return _failed(store, path, original, at, exc)
    folder = work_dir(ws)
    with store.transaction():
        jid = store.journal_open(original, at, holder)
        if jid is not None:
            work = folder / f"{jid:08d}__{path.name}"
            store.journal_set(jid, JournalStage.CLAIMING, stored_path(ws, work))
    if jid is None:
        return NotReady(str(path), HELD)
    try:
        rename(path, work)  # on Windows this fails while anyone (Excel, a copy) holds the file open
    except OSError as exc:
        with store.transaction():
            store.journal_close(jid)
        if isinstance(exc, FileNotFoundError):
            return NotReady(str(path), "文件已不在 inbox 中")
        return _failed(store, path, original, at, exc)
    try:
        with open(work, "rb") as fh:
            # ask for what the file holds (+1 to see it grow), not for the limit: read(n) reserves n bytes
            data = fh.read(min(os.fstat(fh.fileno()).st_size, read_bytes) + 1)
            after = os.fstat(fh.fileno())
    except OSError as exc:
        return _put_back(ws, store, jid, original, work, path, at, _why(exc))
    if _changed(before, after, data, read_bytes):  # a writer still had it open (POSIX lets the rename happen anyway)
        return _put_back(ws, store, jid, original, work, path, at, "文件仍在写入")
    with store.transaction():
        store.journal_set(jid, JournalStage.CLAIMED)
        store.retry_clear(original)
    return Claimed(jid, path, work, data, hashlib.sha256(data).hexdigest(), file_owner(work, after))


def _changed(before: os.stat_result, after: os.stat_result, data: bytes, read_bytes: int) -> bool:
    return ((before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
            or len(data) != min(after.st_size, read_bytes + 1))


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        return f"文件被占用或无权读取（可能正在 Excel/WPS 中打开）：{exc.strerror or exc}"
    return f"暂时无法读取：{exc.strerror or type(exc).__name__}"


def _failed(store: InboxStore, path: Path, original: str, at: str, exc: OSError | str) -> NotReady:
    why = exc if isinstance(exc, str) else _why(exc)
    with store.transaction():
        n = store.retry_failed(original, why, at)
    return NotReady(str(path), f"{why}，稍后重试（第 {n} 次）")


def _put_back(ws: Workspace, store: InboxStore, jid: int, original: str, work: Path, path: Path, at: str,
              why: str) -> NotReady:
    try:
        roll_back(ws, store, jid, original, work)
    except (OSError, InboxUnavailable):  # the journal row stays open: the next recovery puts it back
        pass
    return _failed(store, path, original, at, why)


# ---------------------------------------------------------------- put back
def roll_back(ws: Workspace, store: InboxStore, journal_id: int, original: str, work: Path) -> Path | None:
    """Put a claimed file back where it was (it will be processed again from the start). A file dropped
    meanwhile under the same name is never overwritten: the one put back gets another name."""
    if not work.parent.is_dir():
        raise InboxUnavailable(f"无法访问处理中的文件夹：{work.parent}", place=str(work.parent))
    back = None
    if work.exists():
        target = ws.inbox / original
        target.parent.mkdir(parents=True, exist_ok=True)
        back = move_no_clobber(work, target, f"（恢复{journal_id}）")
    with store.transaction():
        store.journal_close(journal_id)
    return back


def move_no_clobber(src: Path, dst: Path, tag: str) -> Path:
    """Rename ``src`` to ``dst``, or to ``dst`` with ``tag`` (and a number) before the suffix if a file
    is there: an existing file is never replaced, even one that appears at the same instant."""
    n = 1
    target = dst
    while True:
        if _rename_no_replace(src, target):
            return target
        n += 1
        target = dst.with_name(f"{dst.stem}{tag}{'' if n == 2 else n - 1}{dst.suffix}")


def _rename_no_replace(src: Path, dst: Path) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows: rename never replaces
        try:
            os.rename(src, dst)
            return True
        except FileExistsError:
            return False
    try:
        os.link(src, dst)    # fails if dst exists: atomic, no window
    except FileExistsError:
        if os.path.samefile(src, dst):  # a crash between link and unlink last time
            os.unlink(src)
            return True
        return False
    except OSError:          # no hard links here (some shares, FAT): check, then rename
        if os.path.lexists(dst):
            return False
        os.rename(src, dst)
        return True
    os.unlink(src)
    return True


def orphans(ws: Workspace, store: InboxStore) -> list[Path]:
    """Work files without an open journal row (left by an older version that wrote the row later)."""
    found = []   # the folder first, then the rows: a file claimed meanwhile has its row written before its rename
    for folder in (ws.work, ws.inbox / WORK_IN_INBOX):
        if folder.is_dir():
            found += [p for p in folder.iterdir() if p.is_file()]
    known = {Path(r.work).name for r in store.journal_open_rows() if r.work}
    return [p for p in found if p.name not in known]
