"""An in-memory store: the same interface as SQLite's, in plain Python (tests; a model for other backends).
A transaction copies the state and puts the copy back if anything inside fails."""
from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from ..outcomes import Event, JournalStage, Member
from .base import (
    CaseRecord,
    CaseRow,
    CaseView,
    DocNumber,
    DueDocument,
    DueRow,
    FileRow,
    HolderRow,
    JournalRow,
    QueueItem,
    ReportRun,
    RetryRow,
    ViewRow,
)
from .sqlite import SCHEMA_VERSION


@dataclass
class _Case:
    row: CaseRow
    year: int
    seq: int
    events: list[tuple[dict[str, Any], Event]] = field(default_factory=list)   # (audit fields, event)


@dataclass
class _State:
    cases: dict[str, _Case] = field(default_factory=dict)
    event_ids: int = 0
    files: list[FileRow] = field(default_factory=list)
    journal: dict[int, JournalRow] = field(default_factory=dict)
    journal_ids: int = 0
    members: dict[str, dict[str, Member]] = field(default_factory=dict)
    retries: dict[str, RetryRow] = field(default_factory=dict)
    views: dict[str, CaseView] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    reports: list[ReportRun] = field(default_factory=list)
    numbers: list[DocNumber] = field(default_factory=list)
    holders: dict[str, HolderRow] = field(default_factory=dict)
    queue: dict[int, dict[str, Any]] = field(default_factory=dict)
    queue_ids: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)


class MemoryStore:
    schema_version = SCHEMA_VERSION

    def __init__(self) -> None:
        self.state = _State()
        self._in_transaction = False

    def close(self) -> None:
        pass

    shareable = False

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        yield

    def locator(self) -> tuple[str, str]:
        raise NotImplementedError("an in-memory store is this process's only")

    @contextmanager
    def transaction(self, exclusive: bool = True) -> Iterator[None]:
        if self._in_transaction:
            raise RuntimeError("transactions do not nest")
        before = copy.deepcopy(self.state)
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self.state = before
            raise
        finally:
            self._in_transaction = False

    # ------------------------------------------------------------ outputs
    def record_output(self, path: str, sha256: str, at: str) -> None:
        self.state.outputs[path] = sha256

    def output_hash(self, path: str) -> str | None:
        return self.state.outputs.get(path)

    def record_report(self, made: ReportRun) -> None:
        for i, r in enumerate(self.state.reports):
            if r[:5] == made[:5]:             # the same report: made again now, keeps its place
                self.state.reports[i] = made
                return
        self.state.reports.append(made)

    def reports_made(self) -> list[ReportRun]:
        return list(self.state.reports)

    def number(self, prefix: str, year: int, case_id: str, doc_id: str, period: int | None, occurrence: int,
               at: str) -> DocNumber:
        for n in self.state.numbers:
            if (n.case_id, n.doc_id, n.period, n.occurrence) == (case_id, doc_id, period, occurrence):
                return n
        serial = 1 + max((n.serial for n in self.state.numbers if (n.prefix, n.year) == (prefix, year)), default=0)
        made = DocNumber(prefix, year, serial, case_id, doc_id, period, occurrence, at)
        self.state.numbers.append(made)
        return made

    def numbers(self, case_id: str | None = None) -> list[DocNumber]:
        return [n for n in self.state.numbers if case_id is None or n.case_id == case_id]

    def issued(self, case_id: str | None = None) -> list[DueDocument]:
        return [d for f in self.state.files if f.outcome == "processed" for d in f.documents
                if case_id is None or d.case_id == case_id]

    # ------------------------------------------------------------ views
    def put_view(self, case_id: str, view: CaseView) -> None:
        if case_id not in self.state.cases:
            raise KeyError(case_id)
        self.state.views[case_id] = replace(view, summary=copy.deepcopy(view.summary))

    def _viewed(self) -> list[tuple[CaseRow, CaseView]]:
        return [(row, self.state.views[row.case_id]) for row in self.cases() if row.case_id in self.state.views]

    def view(self, case_id: str) -> ViewRow | None:
        v = self.state.views.get(case_id)
        if v is None:
            return None
        c = self.state.cases[case_id].row
        return ViewRow(case_id, c.name, c.branch, v.state, v.events, v.made_with, copy.deepcopy(v.summary))

    def views(self) -> list[ViewRow]:
        out = [self.view(row.case_id) for row, _ in self._viewed()]
        return [v for v in out if v is not None]

    def view_texts(self) -> list[tuple[str, str, str]]:
        return [(row.case_id, v.text, v.due_text) for row, v in self._viewed()]

    def due_rows(self, until: str | None = None, today: str | None = None) -> list[DueRow]:
        out = [DueRow(row.case_id, row.name, row.branch, v.since, *d) for row, v in self._viewed() for d in v.due
               if (until is None or (d.date and d.date <= until))
               and (today is None or (d.date > today if d.earliest else d.date >= v.since))]
        return sorted(out, key=lambda d: d.date)         # stable: by case, in the view's order, within a day

    def ledger_rows(self) -> list[tuple[str, bytes]]:
        return [(row.branch, v.row) for row, v in self._viewed()]

    def records(self, branch: str | None = None) -> list[CaseRecord]:
        return [CaseRecord(row.case_id, row.name, row.branch, v.record) for row, v in self._viewed()
                if branch is None or row.branch == branch]

    def view_count(self) -> int:
        return len(self.state.views)

    def views_made_otherwise(self, made_with: str) -> int:
        return sum(1 for v in self.state.views.values() if v.made_with != made_with)

    def event_count(self, case_id: str) -> int:
        c = self.state.cases.get(case_id)
        return len(c.events) if c else 0

    # ------------------------------------------------------------ cases and events
    def case_by_key(self, person_key: str) -> CaseRow | None:
        return next((c.row for c in self.state.cases.values() if c.row.person_key == person_key), None)

    def case(self, case_id: str) -> CaseRow | None:
        c = self.state.cases.get(case_id)
        return c.row if c else None

    def cases(self) -> list[CaseRow]:
        return [c.row for c in sorted(self.state.cases.values(), key=lambda c: (c.year, c.seq))]

    def case_count(self) -> int:
        return len(self.state.cases)

    def new_case(self, year: int, person_key: str, name: str, branch: str, pack_version: str, at: str) -> str:
        if self.case_by_key(person_key):
            raise ValueError(f"a case for {person_key!r} exists")
        seq = max((c.seq for c in self.state.cases.values() if c.year == year), default=0) + 1
        case_id = f"{year}-{seq:04d}"
        self.state.cases[case_id] = _Case(CaseRow(case_id, person_key, name, branch, pack_version), year, seq)
        return case_id

    def append(self, case_id: str, events: list[Event], *, at: str, sha256: str, file_name: str,
               pack_version: str, submitter: str = "") -> None:
        case = self.state.cases[case_id]
        for e in events:
            self.state.event_ids += 1
            audit = {"id": self.state.event_ids, "at": at, "kind": str(e.kind), "step": e.step, "file": file_name,
                     "sha256": sha256, "submitter": submitter, "case_id": case_id}
            case.events.append((audit, Event(e.kind, e.step, copy.deepcopy(e.data))))

    def events(self, case_id: str) -> list[tuple[str, Event]]:
        case = self.state.cases.get(case_id)
        return [(a["at"], copy.deepcopy(e)) for a, e in case.events] if case else []

    def audit(self, case_id: str) -> list[dict[str, Any]]:
        case = self.state.cases.get(case_id)
        return [dict(a) for a, _ in case.events] if case else []

    def audit_since(self, since: str = "") -> list[dict[str, Any]]:
        rows = [dict(a) for c in self.state.cases.values() for a, _ in c.events if a["at"] >= since]
        return sorted(rows, key=lambda a: a["id"])

    def secret(self, name: str, make: str) -> str:
        return self.state.secrets.setdefault(name, make)

    def event_log(self) -> Iterator[tuple[dict[str, Any], Event]]:
        for case_id in sorted(self.state.cases):
            for a, e in self.state.cases[case_id].events:
                yield dict(a), Event(e.kind, e.step, copy.deepcopy(e.data))

    def purge_case(self, case_id: str, name: str, person_key: str, events: list[tuple[int, dict[str, Any]]],
                   files: list[tuple[int, dict[str, Any]]], paths: str) -> None:
        from dataclasses import replace

        case = self.state.cases[case_id]
        data = dict(events)
        case.events = [(a, Event(e.kind, e.step, copy.deepcopy(data[a["id"]])) if a["id"] in data else e)
                       for a, e in case.events]
        case.row = case.row._replace(name=name, person_key=person_key)
        details = dict(files)
        self.state.files = [replace(f, detail=copy.deepcopy(details[f.id])) if f.id in details else f
                            for f in self.state.files]
        self.state.outputs = {p: h for p, h in self.state.outputs.items() if not p.startswith(paths)}
        self.state.log = [r for r in self.state.log if not str(r.get("path", "")).startswith(paths)]

    # ------------------------------------------------------------ files
    def processed(self, sha256: str) -> FileRow | None:
        return next((f for f in self.state.files if f.sha256 == sha256 and f.outcome == "processed"), None)

    def file_for_journal(self, journal_id: int) -> FileRow | None:
        return next((f for f in self.state.files if f.journal_id == journal_id), None)

    def record_file(self, sha256: str, name: str, outcome: str, detail: dict[str, Any],
                    documents: list[DueDocument], journal_id: int | None, at: str) -> None:
        self.state.files.append(FileRow(len(self.state.files) + 1, sha256, name, str(outcome), copy.deepcopy(detail),
                                        [DueDocument(*d) for d in documents], journal_id, at))

    def _update(self, which: Any, change: dict[str, Any]) -> None:
        self.state.files = [replace(f, detail={**f.detail, **change}) if which(f) else f for f in self.state.files]

    def set_routed(self, journal_id: int, paths: list[str]) -> None:
        self._update(lambda f: f.journal_id == journal_id, {"routed": list(paths)})

    def superseded(self, identity: str, journal_id: int) -> list[tuple[int, list[str]]]:
        return [(f.id, list(f.detail["routed"])) for f in self.state.files
                if f.detail.get("identity") == identity and f.journal_id != journal_id
                and not f.detail.get("retired") and f.detail.get("routed") is not None]

    def set_retired(self, file_ids: list[int]) -> None:
        ids = set(file_ids)
        self._update(lambda f: f.id in ids, {"retired": True})

    def files(self, limit: int = 50) -> list[FileRow]:
        return list(reversed(self.state.files))[:limit]

    # ------------------------------------------------------------ journal
    def journal_open(self, original: str, at: str, holder: str = "") -> int | None:
        if any(r.original == original for r in self.state.journal.values()):
            return None
        self.state.journal_ids += 1
        jid = self.state.journal_ids
        self.state.journal[jid] = JournalRow(jid, original, "", JournalStage.CLAIMING, holder)
        return jid

    def journal_set(self, journal_id: int, stage: str, work: str | None = None) -> None:
        row = self.state.journal.get(journal_id)
        if row is not None:
            self.state.journal[journal_id] = row._replace(stage=stage, work=row.work if work is None else work)

    def journal_close(self, journal_id: int) -> None:
        self.state.journal.pop(journal_id, None)

    def journal_open_rows(self) -> list[JournalRow]:
        return [self.state.journal[k] for k in sorted(self.state.journal)]

    def journal_take(self, journal_id: int, holder: str, was: str) -> bool:
        row = self.state.journal.get(journal_id)
        if row is None or row.holder != was:
            return False
        self.state.journal[journal_id] = row._replace(holder=holder)
        return True

    def journal_holder(self, journal_id: int) -> str | None:
        row = self.state.journal.get(journal_id)
        return row.holder if row else None

    # ------------------------------------------------------------ holders
    def holder_beat(self, holder: str, host: str, pid: int, role: str, started: str) -> None:
        self.state.holders[holder] = HolderRow(holder, host, pid, role, started, time.time(), 0.0)

    def holders(self) -> list[HolderRow]:
        now = time.time()
        return [h._replace(age=now - h.beat) for h in sorted(self.state.holders.values(), key=lambda h: (h.started,
                                                                                                         h.id))]

    def holder_gone(self, holder: str) -> None:
        self.state.holders.pop(holder, None)

    # ------------------------------------------------------------ render queue
    def queue_put(self, batch: str, mode: str, items: list[DueDocument], journal_id: int | None = None) -> list[int]:
        ids = []
        for d in items:
            self.state.queue_ids += 1
            self.state.queue[self.state.queue_ids] = {
                "item": QueueItem(self.state.queue_ids, batch, mode, d.case_id, d.doc_id, d.period, d.occurrence,
                                  journal_id, 0), "state": "queued", "holder": "", "result": None}
            ids.append(self.state.queue_ids)
        return ids

    def queue_batch(self, batch: str, mode: str, items: list[DueDocument]) -> None:
        self.queue_put(batch, mode, items)

    def queue_take(self, holder: str, dead: list[str], lease: float, limit: int, *, ids: list[int] | None = None,
                   batch: str | None = None) -> list[QueueItem]:
        now = time.time()
        live = {h.id for h in self.state.holders.values() if now - h.beat < lease and h.id not in dead} - {holder}
        out: list[QueueItem] = []
        for k in sorted(ids if ids is not None else self.state.queue):
            q = self.state.queue.get(k)
            if q is None or len(out) >= limit or (batch is not None and q["item"].batch != batch):
                continue
            if q["state"] == "queued" or (q["state"] == "taken" and q["holder"] not in live):
                q.update(state="taken", holder=holder, item=q["item"]._replace(attempts=q["item"].attempts + 1))
                out.append(q["item"])
        return out

    def queue_done(self, item_id: int, holder: str, status: str, path: str, sha256: str, at: str) -> bool:
        q = self.state.queue.get(item_id)
        if q is None or q["holder"] != holder or q["state"] != "taken":
            return False
        q.update(state="done", result=(path, status, sha256))
        it = q["item"]
        self.state.log.append({"item": it.id, "batch": it.batch, "mode": it.mode, "case_id": it.case_id,
                               "doc_id": it.doc_id, "period": it.period, "occurrence": it.occurrence,
                               "holder": holder, "attempts": it.attempts, "status": status, "path": path,
                               "sha256": sha256, "at": at})
        return True

    def queue_left(self, batch: str) -> int:
        return sum(1 for q in self.state.queue.values() if q["item"].batch == batch and q["state"] != "done")

    def queue_results(self, batch: str) -> list[tuple[str, str, str]]:
        return [q["result"] for k, q in sorted(self.state.queue.items())
                if q["item"].batch == batch and q["state"] == "done"]

    def queue_drop(self, batch: str) -> None:
        self.state.queue = {k: q for k, q in self.state.queue.items() if q["item"].batch != batch}

    def render_log(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.state.log]

    # ------------------------------------------------------------ members
    def branches(self) -> set[str]:
        return {c.row.branch for c in self.state.cases.values()} | {b for b, m in self.state.members.items() if m}

    def members(self, branch: str) -> dict[str, Member] | None:
        return dict(self.state.members[branch]) if self.state.members.get(branch) else None

    def set_member(self, branch: str, member: Member | None, name: str, sha256: str) -> None:
        roster = self.state.members.setdefault(branch, {})
        roster.pop(name, None)
        if member is not None:
            roster[member.name] = member

    def replace_members(self, branch: str, members: list[Member], sha256: str) -> None:
        self.state.members[branch] = {m.name: m for m in members}

    # ------------------------------------------------------------ retries
    def retry_failed(self, original: str, reason: str, at: str) -> int:
        old = self.state.retries.get(original)
        row = RetryRow(original, old.failures + 1, reason, old.first_at, at) if old else RetryRow(original, 1, reason,
                                                                                                  at, at)
        self.state.retries[original] = row
        return row.failures

    def retry_clear(self, original: str) -> None:
        self.state.retries.pop(original, None)

    def retries(self) -> list[RetryRow]:
        return [self.state.retries[k] for k in sorted(self.state.retries)]

    def retry(self, original: str) -> RetryRow | None:
        return self.state.retries.get(original)
