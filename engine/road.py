"""The one road: claim → identify → read → validate → advance → permit → store → render → route.

``process_file`` runs it for one file; ``docflow process``, the watcher, the tests and batch jobs all call it.
Each stage takes the previous stage's typed result; a refusal (``Refused``) or a file seen before (``Seen``)
is a value that passes through the later stages to be stored and routed like any other outcome. Outcomes
are values too (Processed, Rejected, Duplicate, NotReady).
"""
from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from .access import folder_branch, permit
from .check.validate import validate_file
from .engine import Engine
from .errors import ClaimLost, DocflowError, StoreUnavailable, WorkspaceError
from .inbox import submitter
from .inbox.claim import Claimed, claim, inbox_files, writer_active
from .outcomes import Code, Finding, NotReady, Outcome, OutcomeKind, Refused, Seen, Stale, Stored
from .output.documents import render
from .output.ledger import write_paperwork
from .output.route import route
from .read.reading import read
from .recovery import recover
from .store.commit import store
from .world import advance_file

__all__ = ["Engine", "process_file", "process_inbox", "recover"]
log = logging.getLogger("docflow")
T = TypeVar("T")
PLANS = 10          # how many times a file is planned again while other writers keep changing its case


def process_file(eng: Engine, path: Path, *, paperwork: bool = True) -> Outcome:
    """Process one file dropped into the inbox, from claim to route. ``paperwork``: rewrite the ledger and the
    due list when it changed something (a batch does that once, at its end)."""
    claimed = claim(eng.ws, eng.store, path, eng.stamp(), eng.limits.read_bytes, eng.rename,  # ① inbox → work
                    eng.holder.id)
    if isinstance(claimed, NotReady):
        return claimed
    try:
        return _after_claim(eng, claimed, paperwork)
    except ClaimLost as exc:          # taken for dead and taken over: the process that took it finishes it
        log.warning("%s", exc.message)
        return NotReady(str(path), exc.message)


def _after_claim(eng: Engine, claimed: Claimed, paperwork: bool) -> Outcome:
    eng.checkpoint("claimed")
    reading = guarded(read, eng, claimed)             # ②③ identify and read, each part parsed once
    checked = guarded(validate_file, eng, reading)    # ④ typed values, field problems
    folder = folder_branch(eng.ws, claimed.original)  # the branch inbox it came through ("" the committee's)
    who = submitter.of(claimed.owner, reading, folder)
    for _ in range(PLANS):
        plan = guarded(advance_file, eng, checked)    # ⑤ the procedure's rules (pure), what changes
        plan = permit(eng, folder, plan)              #   ... within what the folder it came through may change
        stored = store(eng, claimed, plan, who)       # ⑥ one transaction: events, the file's record
        if not isinstance(stored, Stale):             # (Stale: the case changed meanwhile; plan it again)
            break
        if (first := eng.store.processed(claimed.sha256)) is not None:   # (a copy was processed meanwhile)
            checked = Seen(first.name, first.at)
    else:
        busy = Finding(Code.INTERNAL_ERROR, "这份案卷正在被其他电脑同时修改，本次未能处理",
                       "请稍后把原件重新放入 inbox")
        stored = store(eng, claimed, Refused((busy,), identity=getattr(plan, "identity", "")), who)
    assert not isinstance(stored, Stale)
    eng.checkpoint("stored")
    render(eng, stored)                               # ⑦ documents due → outbox
    eng.checkpoint("rendered")
    if paperwork and stored.outcome == OutcomeKind.PROCESSED:
        stored = with_notes(stored, paperwork_notes(eng))   # the ledger and the due list, from the case views
    return route(eng, claimed, stored, reading)       # ⑧ original + receipt → 已处理 / 退回


def paperwork_notes(eng: Engine) -> list[str]:
    """Rewrite the ledger and the due list; what staff must know (a file written beside an open one). A failure
    here must not cost the file its receipt: it becomes a note, and the next change tries again."""
    try:
        return write_paperwork(eng)
    except OSError as exc:
        log.error("ledger not written: %s", exc)
        return [f"台账和待办事项未能更新（{exc.strerror or exc}），下次处理文件时会再写入"]


def with_notes(stored: Stored, notes: list[str]) -> Stored:
    if not notes:
        return stored
    return replace(stored, receipt=stored.receipt + "".join(f"说明：{n}\r\n" for n in notes))


def guarded(stage: Callable[[Engine, Any], T], eng: Engine, given: Any) -> T | Refused | Seen:
    """Run a stage; a refusal or a duplicate passes by. An engine error about the file becomes a refusal with
    its message; a bug must not lose the file either: it is refused with a receipt, and the road goes on."""
    if isinstance(given, (Refused, Seen)):
        return given
    try:
        return stage(eng, given)
    except StoreUnavailable:
        raise                   # the server is away: not the file's fault, it is tried again later
    except DocflowError as exc:
        from .read.safety import ADVICE

        fix = "" if "另存为" in exc.message or "请" in exc.message.rpartition("。")[2] else ADVICE.get(exc.code, "")
        return Refused((Finding(exc.code, exc.message, fix, place=exc.place),), identity=_identity(given))
    except Exception as exc:
        if store_busy(exc):
            raise               # the database busy or locked by another process: ditto
        log.error("internal error in %s on %s\n%s", stage.__name__, getattr(given, "name", given),
                  traceback.format_exc())
        return Refused((Finding(Code.INTERNAL_ERROR, "系统处理此文件时出现内部错误，文件已原样退回",
                                "请把此文件和退回说明发给系统管理员"),), identity=_identity(given))


def _identity(given: Any) -> str:
    reading = getattr(given, "reading", given)
    if hasattr(reading, "identity") and hasattr(reading, "opened"):
        return reading.identity.key(reading.name)
    return f"file|{getattr(given, 'name', '')}"


def store_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def process_inbox(eng: Engine) -> list[Outcome]:
    """One pass over the inbox. A file still open for writing (where the system can tell) is left for the
    next pass; ``docflow watch`` also waits for files to be quiet and complete. A file that cannot be finished now
    (a disk full, a folder gone, the database locked) waits — its claim is finished by the next run — and the
    pass goes on with the others."""
    outcomes: list[Outcome] = []
    for p in inbox_files(eng.ws):
        if writer_active(p):
            outcomes.append(NotReady(str(p), "文件仍在写入（复制尚未完成），请稍后再处理"))
            continue
        try:
            outcomes.append(process_file(eng, p, paperwork=False))
        except (OSError, StoreUnavailable, sqlite3.OperationalError, WorkspaceError) as exc:
            log.error("%s not finished: %s", p.name, exc)
            outcomes.append(NotReady(str(p), f"处理时出错（{getattr(exc, 'message', None) or exc}），"
                                             "文件不会丢失，下次处理时自动完成"))
    if any(o.kind == OutcomeKind.PROCESSED for o in outcomes):
        eng.notes += paperwork_notes(eng)             # once for the batch
    return outcomes
