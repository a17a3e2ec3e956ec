"""Finish or roll back what was in flight when the engine stopped (a crash, a kill -9, a share that dropped
mid-file, a disk that filled up): a file never stored goes back to the inbox, a stored one is rendered and
routed — its documents, those that follow its cases, and the ledger and due list, as the road would have. Each
journal row is handled on its own; one that cannot be finished now stays for the next try."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .inbox.claim import Claimed, InboxUnavailable, move_no_clobber, orphans, roll_back
from .outcomes import OutcomeKind
from .output.documents import render
from .output.route import route
from .store.base import FileRow, JournalRow
from .store.commit import stored_from_row
from .work.holder import others_alive
from .workspace import Workspace

SWEEP_AFTER = 3600.0    # seconds: a temporary file this old is no live process's

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger("docflow")


def recover(eng: Engine) -> list[str]:
    """Returns what was done, in words for staff."""
    done = []
    rows = eng.store.journal_open_rows()
    live = eng.live()         # after the rows: a row's holder beat before it claimed, so is here if it is alive
    changed = False
    for row in rows:
        if row.holder != eng.holder.id and (row.holder in live or not _take(eng, row)):
            continue                  # another process, alive, is on it (or took it over a moment ago)
        try:
            line, processed = _recover_one(eng, row.id, row.original, row.work)
        except Exception as exc:  # a share still down, a disk full, a template bug: keep the row, try again later
            log.info("could not recover %s (journal %d, %s): %s", row.original, row.id, row.stage, exc)
            done.append(f"{row.original}：暂时无法完成上次中断的处理（{exc}），稍后会再试")
            continue
        done.append(line)
        changed = changed or processed
    if changed:                       # the ledger and the due list, which the interrupted road had not rewritten
        from .road import paperwork_notes

        done += paperwork_notes(eng)
    for path in orphans(eng.ws, eng.store):
        original = path.name.split("__", 1)[-1]
        try:
            back = move_no_clobber(path, eng.ws.inbox / original, "（恢复）")
        except FileNotFoundError:     # finished and routed by its process meanwhile
            continue
        except OSError as exc:
            log.info("could not put back %s: %s", path, exc)
            done.append(f"{original}：暂时无法放回 inbox（{exc}），稍后会再试")
            continue
        done.append(f"{back.name}：放回 inbox 重新处理")
    _sweep_temporaries(eng.ws, older_than=SWEEP_AFTER if others_alive(eng.store, eng.holder, eng.lease) else 0.0)
    return done


def _take(eng: Engine, row: JournalRow) -> bool:
    """Take over a claim whose holder is dead; False if another process took it first."""
    with eng.store.transaction():
        taken = eng.store.journal_take(row.id, eng.holder.id, row.holder)
    if taken:
        log.info("took over %s (journal %d) from %s", row.original, row.id, row.holder or "an earlier release")
    return taken


def _recover_one(eng: Engine, jid: int, original: str, work: str) -> tuple[str, bool]:
    """What was done, in words; and whether a processed file was finished (its cases changed)."""
    work_path = eng.ws.root / work if work else None
    row = eng.store.file_for_journal(jid)
    if row is None:  # never stored: it goes back to the inbox and is processed from the start
        back = roll_back(eng.ws, eng.store, jid, original, work_path) if work_path is not None else None
        if work_path is None:
            with eng.store.transaction():
                eng.store.journal_close(jid)
        return (f"{original}：放回 inbox 重新处理" if back else f"{original}：仍在 inbox，将重新处理"), False
    stored = stored_from_row(row)
    if row.outcome == OutcomeKind.PROCESSED:   # its documents, and those that follow its cases (全程纪实表 …)
        render(eng, replace(stored, changed=_cases_changed(row)))
    if work_path is not None and work_path.exists():
        route(eng, Claimed(jid, eng.ws.inbox / original, work_path, work_path.read_bytes(), row.sha256), stored)
    else:
        if work_path is not None and not work_path.parent.is_dir():
            raise InboxUnavailable(f"无法访问 {work_path.parent}", place=str(work_path.parent))
        with eng.store.transaction():
            eng.store.journal_close(jid)
    return f"{original}：已完成上次中断的处理", row.outcome == OutcomeKind.PROCESSED


def _cases_changed(row: FileRow) -> list[str]:
    """The cases a stored file changed: its record names each "<case id> <name>（<branch>）" (store.commit)."""
    return [c.split(" ", 1)[0] for c in row.detail.get("cases", []) if c]


def _sweep_temporaries(ws: Workspace, older_than: float = 0.0) -> None:
    """Half-written documents and receipts (write_atomic's temporary names) left by a crash: in the engine's
    temporaries folder, and — only for a folder on another filesystem, whose temporaries are written beside their
    targets — throughout that folder. While other processes work on the store, only those ``older_than`` seconds
    (theirs, being written now, are young)."""
    home = ws.state / "tmp"
    limit = time.time() - older_than
    if home.is_dir():
        for p in home.iterdir():
            if p.name.startswith(".~docflow-") and p.name.endswith(".tmp") and _older(p, limit, older_than):
                p.unlink(missing_ok=True)
    device = os.stat(ws.state).st_dev if ws.state.is_dir() else None
    for folder in (ws.outbox, ws.processed, ws.rejected):
        if not folder.is_dir() or os.stat(folder).st_dev == device:
            continue
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if name.startswith(".~docflow-") and name.endswith(".tmp") and _older(Path(dirpath, name), limit,
                                                                                      older_than):
                    Path(dirpath, name).unlink(missing_ok=True)


def _older(path: Path, limit: float, older_than: float) -> bool:
    """Left behind: no other process works (``older_than`` 0), its writer — a process of this machine — is gone,
    or it is older than ``older_than`` seconds."""
    if not older_than or _writer_gone(path.name):
        return True
    try:
        return path.stat().st_mtime < limit
    except OSError:
        return False


def _writer_gone(name: str) -> bool:
    from .output.render import temp_prefix
    from .work.holder import pid_running

    mine = temp_prefix()                    # .~docflow-<pid>.<machine>-
    who = name[len(".~docflow-"):].split("-", 1)[0]
    pid, _, machine = who.partition(".")
    return pid.isdigit() and machine == mine[len(".~docflow-"):].split("-", 1)[0].partition(".")[2] \
        and not pid_running(int(pid))
