"""The store stage of the road: one transaction per file — the events of every case it changes (new cases
numbered), the member rosters it replaces, and the file's record (sha256, outcome, receipt, documents due).
From here a crash is finished, never redone (see ``recovery``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ClaimLost
from ..outcomes import (
    UNVERIFIED,
    DueDocument,
    Finding,
    JournalStage,
    Member,
    OutcomeKind,
    Refused,
    Seen,
    Stale,
    Stored,
    Submitter,
)
from ..output import receipts
from ..output.documents import doc_path
from ..procedure.apply import Plan
from ..signing import UNVERIFIED_NOTE
from . import FileRow

NOBODY = Submitter()

if TYPE_CHECKING:
    from ..engine import Engine
    from ..inbox.claim import Claimed


def store(eng: Engine, claimed: Claimed, verdict: Plan | Refused | Seen, who: Submitter = NOBODY) -> Stored | Stale:
    """``who``: who handed the file in, recorded with its events and its record."""
    if isinstance(verdict, Seen):
        return _duplicate(eng, claimed, verdict, who)
    if isinstance(verdict, Refused):
        return _rejected(eng, claimed, list(verdict.findings), list(verdict.notes), verdict.identity, who)
    findings = verdict.refusals + verdict.row_problems
    if verdict.refusals or (not verdict.applies_anything and findings):
        return _rejected(eng, claimed, findings, verdict.notes, verdict.identity, who)
    return _processed(eng, claimed, verdict, who)


def _processed(eng: Engine, c: Claimed, p: Plan, who: Submitter) -> Stored | Stale:
    from ..world import still_holds

    at = eng.clock.now()
    stamp = at.isoformat(timespec="seconds")
    due: list[DueDocument] = []
    with eng.store.transaction():
        if not still_holds(eng, p.basis):     # another writer changed what the plan rests on: plan it again
            return Stale(", ".join(p.basis))
        if eng.store.processed(c.sha256) is not None:   # a copy of it was processed meanwhile (another process)
            return Stale("sha256")
        case_ids, changed = [], []
        for ch in p.changes:
            case_id = ch.case_id or eng.store.new_case(ch.year, ch.person_key, ch.name, ch.branch, eng.pack.version,
                                                       stamp)
            eng.store.append(case_id, ch.events, at=stamp, sha256=c.sha256, file_name=c.name,
                             pack_version=eng.pack.version, submitter=who.to_json())
            case_ids.append(f"{case_id} {ch.name}（{ch.branch}）")
            changed.append(case_id)
            if ch.joins_members or ch.leaves_members:
                member = Member(ch.name, ch.joins_members) if ch.joins_members else None
                eng.store.set_member(ch.branch, member, ch.name, c.sha256)
            due += [DueDocument(case_id, d.doc_id, d.period, d.occurrence) for d in ch.documents]
        from ..output.official import allocate
        from ..views import refresh

        allocate(eng, due)                            # the 发文字号 of its official documents, with the events
        refresh(eng, changed)                         # the views, in the same transaction as the events
        for branch, members in p.members.items():
            eng.store.replace_members(branch, members, c.sha256)
        if p.members:
            counts = "；".join(f"{b} {len(m)}人" for b, m in p.members.items())
            p.notes.append(f"已更新{eng.pack.terms.member_roster}：{counts}")
        warnings = p.warnings + [w for ch in p.changes for w in ch.warnings] + _glyph_warnings(eng, p)
        docs = [doc_path(eng, *row).relative_to(eng.ws.outbox).as_posix() for row in due]
        notes = p.notes + ([UNVERIFIED_NOTE] if who.signature == UNVERIFIED else [])
        text = receipts.receipt_text(file=c.name, at=at, outcome="processed", warnings_=warnings,
                                     row_problems=p.row_problems, cases=case_ids, documents=docs, notes=notes,
                                     submitter=who.words())
        detail: dict[str, Any] = {"receipt": text, "cases": case_ids,
                                  "row_problems": [f.to_dict() for f in p.row_problems],
                                  "warnings": [w.to_dict() for w in warnings], "identity": p.identity,
                                  "submitter": who.to_json()}
        queued = eng.store.queue_put("", "due", due, c.journal_id)    # the documents, as work items
        detail["queued"] = queued
        eng.store.record_file(c.sha256, c.name, OutcomeKind.PROCESSED, detail, due, c.journal_id, stamp)
        _stored(eng, c)
    return Stored(OutcomeKind.PROCESSED, text, due, docs, case_ids, list(p.row_problems), warnings, changed=changed,
                  queued=queued)


def _stored(eng: Engine, c: Claimed) -> None:
    """The file's claim moves to 'stored' — only while this process still holds it (fenced: a process taken for
    dead whose claim was taken over stores nothing, the transaction is undone)."""
    holder = eng.store.journal_holder(c.journal_id)
    if holder != eng.holder.id:
        raise ClaimLost(f"{c.name} 已由另一个进程（{holder or '无'}）接手处理", place=c.name)
    eng.store.journal_set(c.journal_id, JournalStage.STORED)


def _glyph_warnings(eng: Engine, p: Plan) -> list[Finding]:
    """A character in what the file brought that no configured font can print (it would print as a box)."""
    from ..outcomes import Severity
    from ..output.glyphs import uncovered

    plan = eng.renderer.fonts if eng.renderer is not None else None
    if plan is None:
        return []
    out, seen = [], set()
    for ch in p.changes:
        for ev in ch.events:
            for key, value in _texts(ev.data):
                for c in uncovered(plan, value):
                    if (key, c) not in seen:
                        seen.add((key, c))
                        out.append(Finding("font_uncovered", f"“{value}”中的“{c}”（U+{ord(c):04X}）没有一种已配置的"
                                           "字体能显示，打印出来可能是方框",
                                           "请核对该字是否录入有误；如无误，在 docflow.toml 的 [fonts] 中加入能显示它的"
                                           "字体（如 coverage = { \"宋体-方正超大字符集\" = \"gb18030\" }）",
                                           field=key, severity=Severity.WARN))
    return out


def _texts(data: object, key: str = "") -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(key, data)] if not data.isascii() else []
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _texts(v, str(k))]
    if isinstance(data, (list, tuple)):
        return [t for v in data for t in _texts(v, key)]
    return []


def _rejected(eng: Engine, c: Claimed, findings: list[Finding], notes: list[str], identity: str,
              who: Submitter) -> Stored:
    at = eng.clock.now()
    text = receipts.receipt_text(file=c.name, at=at, outcome="rejected", refusals=findings, notes=notes,
                                 submitter=who.words())
    detail = {"receipt": text, "findings": [f.to_dict() for f in findings], "identity": identity or f"file|{c.name}",
              "submitter": who.to_json()}
    with eng.store.transaction():
        eng.store.record_file(c.sha256, c.name, OutcomeKind.REJECTED, detail, [], c.journal_id,
                              at.isoformat(timespec="seconds"))
        _stored(eng, c)
    return Stored(OutcomeKind.REJECTED, text, findings=findings)


def _duplicate(eng: Engine, c: Claimed, seen: Seen, who: Submitter) -> Stored:
    at = eng.clock.now()
    first = f"{seen.name}（{seen.at}）"
    text = receipts.receipt_text(file=c.name, at=at, outcome="duplicate", duplicate_of=first, submitter=who.words())
    with eng.store.transaction():
        eng.store.record_file(c.sha256, c.name, OutcomeKind.DUPLICATE, {"receipt": text, "submitter": who.to_json()},
                              [], c.journal_id,
                              at.isoformat(timespec="seconds"))
        _stored(eng, c)
    return Stored(OutcomeKind.DUPLICATE, text, first_seen=first)


def stored_from_row(row: FileRow) -> Stored:
    """A Stored as the file ledger has it (recovery finishes a file from it)."""
    findings = [Finding.from_dict(f) for f in row.detail.get("findings", row.detail.get("row_problems", []))]
    return Stored(OutcomeKind(row.outcome), row.detail.get("receipt", ""), row.documents, findings=findings,
                  queued=row.detail.get("queued"))
