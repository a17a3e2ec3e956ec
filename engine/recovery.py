"""Finish or roll back what was in flight when the engine stopped (a crash, a kill -9, a share that dropped
mid-file): a file never stored goes back to the inbox, a stored one is rendered and routed. Each journal row is
handled on its own; one that cannot be finished now stays for the next try."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .inbox.claim import Claimed, InboxUnavailable, move_no_clobber, orphans, roll_back
from .outcomes import OutcomeKind
from .output.documents import render_due
from .output.route import route
from .store.commit import stored_from_row
from .workspace import Workspace

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger("docflow")


def recover(eng: Engine) -> list[str]:
    """Returns what was done, in words for staff."""
    done = []
    for jid, original, work, stage in eng.store.journal_open_rows():
        try:
            done.append(_recover_one(eng, jid, original, work))
        except Exception as exc:  # a share still down, a template bug: keep the row, try again later
            log.info("could not recover %s (journal %d, %s): %s", original, jid, stage, exc)
            done.append(f"{original}：暂时无法完成上次中断的处理（{exc}），稍后会再试")
    for path in orphans(eng.ws, eng.store):
        original = path.name.split("__", 1)[-1]
        try:
            back = move_no_clobber(path, eng.ws.inbox / original, "（恢复）")
        except OSError as exc:
            log.info("could not put back %s: %s", path, exc)
            done.append(f"{original}：暂时无法放回 inbox（{exc}），稍后会再试")
            continue
        done.append(f"{back.name}：放回 inbox 重新处理")
    _sweep_temporaries(eng.ws)
    return done


def _recover_one(eng: Engine, jid: int, original: str, work: str) -> str:
    work_path = eng.ws.root / work if work else None
    row = eng.store.file_for_journal(jid)
    if row is None:  # never stored: it goes back to the inbox and is processed from the start
        back = roll_back(eng.ws, eng.store, jid, original, work_path) if work_path is not None else None
        if work_path is None:
            with eng.store.transaction():
                eng.store.journal_close(jid)
        return f"{original}：放回 inbox 重新处理" if back else f"{original}：仍在 inbox，将重新处理"
    stored = stored_from_row(row)
    if row.outcome == OutcomeKind.PROCESSED:
        render_due(eng, row.documents)
    if work_path is not None and work_path.exists():
        route(eng, Claimed(jid, eng.ws.inbox / original, work_path, work_path.read_bytes(), row.sha256), stored)
    else:
        if work_path is not None and not work_path.parent.is_dir():
            raise InboxUnavailable(f"无法访问 {work_path.parent}", place=str(work_path.parent))
        with eng.store.transaction():
            eng.store.journal_close(jid)
    return f"{original}：已完成上次中断的处理"


def _sweep_temporaries(ws: Workspace) -> None:
    """Half-written documents and receipts (write_atomic's temporary names) left by a crash: in the engine's
    temporaries folder, and — only for a folder on another filesystem, whose temporaries are written beside their
    targets — throughout that folder."""
    home = ws.state / "tmp"
    if home.is_dir():
        for p in home.iterdir():
            if p.name.startswith(".~docflow-") and p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)
    device = os.stat(ws.state).st_dev if ws.state.is_dir() else None
    for folder in (ws.outbox, ws.processed, ws.rejected):
        if not folder.is_dir() or os.stat(folder).st_dev == device:
            continue
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if name.startswith(".~docflow-") and name.endswith(".tmp"):
                    Path(dirpath, name).unlink(missing_ok=True)
