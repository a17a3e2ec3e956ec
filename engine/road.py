"""The one road: claim → identify → read → validate → advance → store → render → route.

``process_file`` runs it for one file; ``docflow process``, the watcher, the tests and batch jobs all
call it. Outcomes are values (Processed, Rejected, Duplicate, NotReady).
"""
from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import receipts
from .claim import (Claimed, InboxUnavailable, claim, inbox_files, move_no_clobber, orphans, roll_back,
                    writer_active)
from .clock import Clock, SystemClock, WorkdayCalendar
from .context import document_context
from .errors import DocflowError, InputError
from .identify import identify, open_body
from .intake import Branches, Plan, plan
from .names import safe_name
from .outcomes import Duplicate, Finding, NotReady, Outcome, Processed, Rejected
from .pack import Pack, load_pack
from .readers.safety import open_package
from .render import Identity as DocIdentity
from .render import Renderer, output_name, write_atomic
from .route import retire, route
from .rules import Member
from .state import fold
from .store import Store
from .workspace import Workspace

log = logging.getLogger("docflow")


@dataclass
class Engine:
    """The shared context of every stage: workspace, pack, store, renderer, clock and calendar."""

    ws: Workspace
    pack: Pack
    store: Store
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    renderer: Renderer | None = None

    def __post_init__(self) -> None:
        self.renderer = self.renderer or Renderer(self.pack)

    @classmethod
    def open(cls, ws: Workspace, clock: Clock | None = None, store: Store | None = None) -> "Engine":
        pack = load_pack(ws.pack_dir, ws.config.settings)
        return cls(ws, pack, store or Store(ws.database), clock or SystemClock())

    def stamp(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")


def process_file(eng: Engine, path: Path) -> Outcome:
    """Process one file dropped into the inbox, from claim to route."""
    got = claim(eng.ws, eng.store, path, eng.stamp())
    if isinstance(got, NotReady):
        return got
    return _after_claim(eng, got)


def _after_claim(eng: Engine, c: Claimed) -> Outcome:
    first = eng.store.processed(c.sha256)
    if first is not None:
        return _finish_duplicate(eng, c, first.name, first.at)
    identity = f"file|{c.name}"   # what the file is, once known: an issued form of a case, or a file by name
    try:
        verdict, identity = _decide(eng, c)
    except DocflowError as exc:
        verdict = [Finding(exc.code, exc.message, "", place=exc.place)]
    except Exception:  # a bug must not lose the file: refuse it with a receipt and keep going
        log.error("internal error on %s\n%s", c.name, traceback.format_exc())
        verdict = [Finding("internal_error", "系统处理此文件时出现内部错误，文件已原样退回",
                           "请把此文件和退回说明发给系统管理员")]
    if isinstance(verdict, Plan) and verdict.applies_anything and not verdict.refusals:
        return _finish_processed(eng, c, verdict, identity)
    findings = verdict if isinstance(verdict, list) else verdict.refusals + verdict.row_problems
    notes = verdict.notes if isinstance(verdict, Plan) else []
    if isinstance(verdict, Plan) and not findings:  # e.g. a roster whose people are all on file
        return _finish_processed(eng, c, verdict, identity)
    return _finish_rejected(eng, c, findings, notes, identity)


def _decide(eng: Engine, c: Claimed) -> tuple[Plan | list[Finding], str]:
    name = f"file|{c.name}"
    try:
        pkg = open_package(c.data, c.name)
    except InputError as exc:
        return [Finding(exc.code, exc.message, "")], name
    opened = open_body(pkg)
    ident = identify(eng.pack, opened)
    if isinstance(ident, Finding):
        return [ident], name
    identity = f"form|{ident.form_id}|{ident.case_id}|{ident.period or ''}" if ident.kind == "form" else name
    org = eng.ws.config.organisation
    return plan(eng.pack, eng.store, opened, ident, eng.clock.today(), eng.calendar,
                Branches(tuple(org.branches), org.accept_new_branches)), identity


# ---------------------------------------------------------------- store, render, route
def _finish_processed(eng: Engine, c: Claimed, p: Plan, identity: str) -> Processed:
    at = eng.clock.now()
    due: list[list] = []
    with eng.store.transaction():
        case_ids = []
        for ch in p.changes:
            case_id = ch.case_id or eng.store.new_case(ch.year, ch.person_key, ch.name, ch.branch,
                                                       eng.pack.version, at.isoformat(timespec="seconds"))
            eng.store.append(case_id, ch.events, at=at.isoformat(timespec="seconds"), sha256=c.sha256,
                             file_name=c.name, pack_version=eng.pack.version)
            case_ids.append(f"{case_id} {ch.name}（{ch.branch}）")
            if ch.joins_members:
                member = None if ch.joins_members == "-" else Member(ch.name, ch.joins_members)
                eng.store.set_member(ch.branch, member, ch.name, c.sha256)
            due += [[case_id, d.doc_id, d.period, d.occurrence] for d in ch.documents]
        for branch, members in p.members.items():
            eng.store.replace_members(branch, members, c.sha256)
        if p.members:
            p.notes.append("已更新党员名册：" + "；".join(f"{b} {len(m)}人" for b, m in p.members.items()))
        warnings = p.warnings + [w for ch in p.changes for w in ch.warnings]
        docs = [_doc_path(eng, *row).relative_to(eng.ws.outbox).as_posix() for row in due]
        text = receipts.receipt_text(file=c.name, at=at, outcome="processed", warnings_=warnings,
                                     row_problems=p.row_problems, cases=case_ids, documents=docs, notes=p.notes)
        detail = {"receipt": text, "cases": case_ids, "row_problems": [f.to_dict() for f in p.row_problems],
                  "warnings": [w.to_dict() for w in warnings], "identity": identity}
        eng.store.record_file(c.sha256, c.name, "processed", detail, due, c.journal_id, at.isoformat(timespec="seconds"))
        eng.store.journal_set(c.journal_id, "stored")
    _render_due(eng, due)
    _route_and_close(eng, c, "processed", text, p.row_problems)
    return Processed(str(c.original), c.sha256, tuple(case_ids), tuple(docs), tuple(warnings), tuple(p.row_problems), text)


def _finish_rejected(eng: Engine, c: Claimed, findings: list[Finding], notes: list[str], identity: str) -> Rejected:
    at = eng.clock.now()
    text = receipts.receipt_text(file=c.name, at=at, outcome="rejected", refusals=findings, notes=notes)
    with eng.store.transaction():
        eng.store.record_file(c.sha256, c.name, "rejected", {"receipt": text, "findings": [f.to_dict() for f in findings],
                                                             "identity": identity},
                              [], c.journal_id, at.isoformat(timespec="seconds"))
        eng.store.journal_set(c.journal_id, "stored")
    _route_and_close(eng, c, "rejected", text, findings)
    return Rejected(str(c.original), c.sha256, tuple(findings), text)


def _finish_duplicate(eng: Engine, c: Claimed, first_name: str, first_at: str) -> Duplicate:
    at = eng.clock.now()
    text = receipts.receipt_text(file=c.name, at=at, outcome="duplicate", duplicate_of=f"{first_name}（{first_at}）")
    with eng.store.transaction():
        eng.store.record_file(c.sha256, c.name, "duplicate", {"receipt": text}, [], c.journal_id,
                              at.isoformat(timespec="seconds"))
        eng.store.journal_set(c.journal_id, "stored")
    _route_and_close(eng, c, "duplicate", text, [])
    return Duplicate(str(c.original), c.sha256, f"{first_name}（{first_at}）", text)


def _route_and_close(eng: Engine, c: Claimed, outcome: str, text: str, findings: list[Finding]) -> None:
    marked, note = None, ""
    if c.name.lower().endswith((".xlsx", ".xlsm")) and findings:
        try:
            marked = receipts.marked_copy(c.data, findings)
        except Exception:  # the receipt alone still says everything
            log.warning("could not mark a copy of %s", c.name)
        if outcome == "processed":  # a roster taken but for some rows: the note beside the copy says so
            note = receipts.receipt_text(file=c.name, at=eng.clock.now(), outcome="partial", row_problems=findings)
    row = eng.store.file_for_journal(c.journal_id)
    identity = row.detail.get("identity") if row else None
    if identity and outcome in ("processed", "rejected"):  # an earlier rejection of the same thing is done with
        earlier = eng.store.superseded(identity, c.journal_id)
        for _, paths in earlier:
            retire(eng.ws.rejected, paths)
        with eng.store.transaction():
            eng.store.set_retired([i for i, _ in earlier])
    folder = eng.ws.rejected if outcome == "rejected" else eng.ws.processed / eng.clock.today().isoformat()
    written = route(c.work, folder, c.name, outcome, text, marked, fix_folder=eng.ws.rejected, marked_note=note)
    with eng.store.transaction():
        if written:
            eng.store.set_routed(c.journal_id, [p.name for p in written])
        eng.store.journal_close(c.journal_id)


def _doc_path(eng: Engine, case_id: str, doc_id: str, period: int | None, occurrence: int = 1) -> Path:
    row = eng.store.case(case_id)
    doc = eng.pack.documents[doc_id]
    return (eng.ws.outbox / safe_name(row.branch, "未分支部") / safe_name(f"{case_id}-{row.name}")
            / output_name(doc, period, occurrence))


def _render_due(eng: Engine, due: list[list]) -> None:
    states = {}
    for case_id, doc_id, period, *more in due:  # rows stored before occurrences existed have three items
        if case_id not in states:
            states[case_id] = fold(eng.pack, case_id, eng.store.events(case_id))
        render_document(eng, states[case_id], doc_id, period, more[0] if more else 1)


def render_document(eng: Engine, cs, doc_id: str, period: int | None, occurrence: int = 1) -> Path:
    doc = eng.pack.documents[doc_id]
    org = eng.ws.config.organisation
    context = document_context(eng.pack, org.name, cs, doc, period, org.feedback)
    ident = DocIdentity(doc.collects, cs.case_id, eng.pack.version, period) if doc.collects else None
    path = _doc_path(eng, cs.case_id, doc_id, period, occurrence)
    write_atomic(path, eng.renderer.render(doc, context, ident))
    return path


# ---------------------------------------------------------------- inbox pass and recovery
def recover(eng: Engine) -> list[str]:
    """Finish or roll back files that were in flight when the engine stopped (a crash, a kill -9, a share
    that dropped mid-file): a file never stored goes back to the inbox, a stored one is rendered and routed.
    Each row is handled on its own; one that cannot be finished now stays in the journal for the next try.
    Returns what was done (Chinese)."""
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
    if row.outcome == "processed":
        _render_due(eng, row.documents)
    if work_path is not None and work_path.exists():
        findings = [Finding.from_dict(f) for f in row.detail.get("findings", row.detail.get("row_problems", []))]
        claimed = Claimed(jid, eng.ws.inbox / original, work_path, work_path.read_bytes(), row.sha256)
        _route_and_close(eng, claimed, row.outcome, row.detail.get("receipt", ""), findings)
    else:
        if work_path is not None and not work_path.parent.is_dir():
            raise InboxUnavailable(f"无法访问 {work_path.parent}", place=str(work_path.parent))
        with eng.store.transaction():
            eng.store.journal_close(jid)
    return f"{original}：已完成上次中断的处理"


def _sweep_temporaries(ws: Workspace) -> None:
    """Half-written documents and receipts (write_atomic's temporary names) left by a crash."""
    for folder in (ws.outbox, ws.processed, ws.rejected):
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if name.startswith(".~docflow-") and name.endswith(".tmp"):
                    Path(dirpath, name).unlink(missing_ok=True)


def process_inbox(eng: Engine) -> list[Outcome]:
    """One pass over the inbox. A file still open for writing (where the system can tell) is left for the
    next pass; ``docflow watch`` also waits for files to be quiet and complete."""
    return [NotReady(str(p), "文件仍在写入（复制尚未完成），请稍后再处理") if writer_active(p) else process_file(eng, p)
            for p in inbox_files(eng.ws)]
