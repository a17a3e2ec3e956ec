"""route — the original goes to the processed place or the rejected place, with its receipt (and, for a
refused workbook, a marked copy). The original is moved, never changed; the receipt is written first.
Earlier refusals of the same thing move to 退回/旧的退回/. Then the file's journal row is closed.

A route that fails (a disk full, a read-only or vanished share) leaves the original in the work folder with its
journal row open, and nothing half-done in the place it was going to: recovery routes it again later."""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import WorkspaceError
from ..outcomes import Duplicate, Outcome, OutcomeKind, Processed, Rejected, Stored
from . import receipts
from .names import safe_file_name
from .render import temp_prefix, write_atomic

if TYPE_CHECKING:
    from ..engine import Engine
    from ..inbox.claim import Claimed

log = logging.getLogger("docflow")


def free_name(folder: Path, name: str) -> Path:
    """A path in ``folder`` that does not exist yet: 'x.xlsx', 'x (2).xlsx', ..."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = folder / name, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return candidate


def receipt_path(dest: Path, outcome: str) -> Path:
    label = "退回说明" if outcome == OutcomeKind.REJECTED else "回执"
    return dest.with_name(f"{dest.name}.{label}.txt")


RETIRED = "旧的退回"   # earlier rejections of a file that was since corrected or rejected again


def place(work: Path, folder: Path, name: str, outcome: str, receipt: str, marked: bytes | None = None,
          fix_folder: Path | None = None, marked_note: str = "") -> list[Path]:
    """Move the original to ``folder`` beside its receipt. A marked copy (cells to fix) goes to
    ``fix_folder`` — the rejected place, where staff look for things to fix — with ``marked_note`` beside it.
    Returns what was written into the fix folder (the rejected place), so that it can be retired later."""
    folder.mkdir(parents=True, exist_ok=True)
    fix_folder = fix_folder or folder
    dest = free_name(folder, safe_file_name(Path(name).stem, Path(name).suffix[:10]))
    written: list[Path] = []
    try:
        written.append(receipt_path(dest, outcome))
        write_atomic(written[0], ("\ufeff" + receipt).encode("utf-8"))
        if marked is not None:
            stem = Path(dest.name).stem
            written.append(fix_folder / f"{stem}.已标注问题.xlsx")
            write_atomic(written[-1], marked)
            if fix_folder != folder:
                written.append(fix_folder / f"{stem}.已标注问题.说明.txt")
                write_atomic(written[-1], ("\ufeff" + (marked_note or receipt)).encode("utf-8"))
        move(work, dest)
    except Exception:
        for p in written:     # no receipt without its original (the next try writes them again, maybe another day)
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)
        raise
    written.append(dest)
    return [p for p in written if p.parent == fix_folder]


def move(work: Path, dest: Path) -> None:
    """Move the original to ``dest``: a rename; to another filesystem, a copy under a temporary name, synced and
    renamed, then the work file removed — a copy cut short (a disk full, a share gone) leaves nothing under the
    original's name. A work file that is not there (its share gone) is an error: the file is not done."""
    try:
        os.replace(work, dest)
        return
    except OSError:
        if not work.exists():
            raise
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(work, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):       # its times, as a move keeps them (some shares refuse)
            shutil.copystat(work, tmp)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        os.unlink(work)
    except OSError:             # the work file's share gone meanwhile: not moved, so no copy either
        with contextlib.suppress(OSError):
            os.unlink(dest)
        raise


def retire(fix_folder: Path, paths: list[str]) -> None:
    """Move an earlier rejection (the original, its receipt, its marked copy) into 退回/旧的退回/: the
    rejected place shows only what is still to fix, and nothing is ever deleted."""
    target = fix_folder / RETIRED
    for rel in paths:
        src = fix_folder / rel
        if src.exists():
            target.mkdir(exist_ok=True)
            try:
                os.replace(src, free_name(target, src.name))
            except OSError:
                shutil.move(str(src), str(free_name(target, src.name)))


# ---------------------------------------------------------------- the route stage of the road
def route(eng: Engine, c: Claimed, stored: Stored, reading: Any = None) -> Outcome:
    """Put the original where it belongs with its receipt, close its journal row; the file's Outcome."""
    _deliver(eng, c, stored, reading)
    file = str(c.original)
    if stored.outcome == OutcomeKind.PROCESSED:
        return Processed(file, c.sha256, tuple(stored.cases), tuple(stored.documents), tuple(stored.warnings),
                         tuple(stored.findings), stored.receipt)
    if stored.outcome == OutcomeKind.REJECTED:
        return Rejected(file, c.sha256, tuple(stored.findings), stored.receipt)
    return Duplicate(file, c.sha256, stored.first_seen, stored.receipt)


class FolderUnavailable(WorkspaceError):
    """The processed or rejected place is not there: a share that dropped. Nothing is made in its stead — a
    folder made now would be on the local disk, under the share's mount point, hidden when the share is back."""


def _deliver(eng: Engine, c: Claimed, stored: Stored, reading: Any) -> None:
    rejected = stored.outcome == OutcomeKind.REJECTED
    for root in (eng.ws.rejected,) if rejected else (eng.ws.processed, eng.ws.rejected):
        if not root.is_dir():       # the workspace's folders are made when it is opened, never here
            raise FolderUnavailable("无法访问这个文件夹（网络共享是否断开？若是被删除了，请重新建立），"
                                    "文件暂存在处理中，恢复后自动完成", place=str(root))
    marked, note = None, ""
    if c.name.lower().endswith((".xlsx", ".xlsm", ".xls", ".et", ".ods")) and stored.findings:
        book = getattr(reading, "book", None)
        try:
            marked = receipts.marked_copy(book.wb if book is not None else c.data, stored.findings)
        except Exception:  # the receipt alone still says everything
            log.warning("could not mark a copy of %s", c.name)
        if stored.outcome == OutcomeKind.PROCESSED:  # a roster taken but for some rows: the note beside it says so
            note = receipts.receipt_text(file=c.name, at=eng.clock.now(), outcome="partial",
                                         row_problems=stored.findings)
    row = eng.store.file_for_journal(c.journal_id)
    identity = row.detail.get("identity") if row else None
    # an earlier refusal of the same thing is done with
    if identity and stored.outcome in (OutcomeKind.PROCESSED, OutcomeKind.REJECTED):
        earlier = eng.store.superseded(identity, c.journal_id)
        for _, paths in earlier:
            retire(eng.ws.rejected, paths)
        with eng.store.transaction():
            eng.store.set_retired([i for i, _ in earlier])
    folder = eng.ws.rejected if rejected else eng.ws.processed / eng.clock.today().isoformat()
    written = place(c.work, folder, c.name, stored.outcome, stored.receipt, marked, fix_folder=eng.ws.rejected,
                    marked_note=note)
    with eng.store.transaction():
        if written:
            eng.store.set_routed(c.journal_id, [p.name for p in written])
        eng.store.journal_close(c.journal_id)
