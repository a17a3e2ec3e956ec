"""claim — take a file out of the inbox by an atomic rename into the work folder, with a journal row;
recover — at start-up, finish or roll back whatever was in flight when the engine stopped."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .outcomes import NotReady
from .store import Store
from .workspace import Workspace

MAX_READ_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Claimed:
    journal_id: int
    original: Path          # where it was in the inbox
    work: Path              # where it is now
    data: bytes
    sha256: str

    @property
    def name(self) -> str:
        return self.original.name


def claim(ws: Workspace, store: Store, path: Path, at: str) -> Claimed | NotReady:
    original = str(path.relative_to(ws.inbox))
    with store.transaction():
        jid = store.journal_open(original, at)
    work = ws.work / f"{jid:08d}__{path.name}"
    try:
        os.replace(path, work)
    except OSError as exc:  # vanished, locked by Excel on Windows, share hiccup
        with store.transaction():
            store.journal_close(jid)
        return NotReady(str(path), f"无法取得文件（{exc.strerror or type(exc).__name__}），稍后重试")
    with store.transaction():
        store.journal_set(jid, "claimed", str(work.relative_to(ws.root)))
    with open(work, "rb") as fh:
        data = fh.read(MAX_READ_BYTES + 1)
    return Claimed(jid, path, work, data, hashlib.sha256(data).hexdigest())


def roll_back(ws: Workspace, store: Store, journal_id: int, original: str, work: Path) -> None:
    """Put a claimed file back where it was (it will be processed again from the start)."""
    target = ws.inbox / original
    if work.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target = target.with_name(f"{target.stem}（恢复{journal_id}）{target.suffix}")
        os.replace(work, target)
    with store.transaction():
        store.journal_close(journal_id)


def orphans(ws: Workspace, store: Store) -> list[Path]:
    """Work files without a journal row (a crash between rename and the journal update)."""
    known = {Path(w).name for _, _, w, _ in store.journal_open_rows() if w}
    return [p for p in ws.work.iterdir() if p.is_file() and p.name not in known]
