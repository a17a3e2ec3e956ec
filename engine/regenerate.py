"""``docflow regenerate``: every document made again from the store — so a corrected template, setting or case
propagates everywhere — then the ledger and the due list. Deterministic (the same store, settings and templates
give byte-identical files). A document staff edited since docflow wrote it (its recorded hash no longer matches)
is kept and listed, unless ``force``; ``dry_run`` only says what would change. The documents are work items of the
store's render queue (``engine.work.renders``), taken by worker processes (one engine each) with a progress bar."""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .outcomes import DueDocument

if TYPE_CHECKING:
    from .engine import Engine

CHUNK = 200          # documents a worker takes from the queue at once


@dataclass
class Result:
    written: list[str] = field(default_factory=list)     # outbox-relative paths (new or changed)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)        # edited by staff: not overwritten
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.written) + len(self.unchanged) + len(self.kept)


def planned(eng: Engine, year: int | None = None, branch: str | None = None,
            case_id: str | None = None) -> list[DueDocument]:
    """The documents docflow has made (every issue of each), of the cases chosen, in case order — not of a case
    whose personal data was purged (``docflow purge`` removed its documents for good)."""
    from .purge import PURGED

    cases = {c.case_id: c for c in eng.store.cases() if not c.person_key.startswith(PURGED)
             if (case_id is None or c.case_id == case_id) and (branch is None or c.branch == branch)
             and (year is None or c.case_id.startswith(f"{year}-"))}
    order = {cid: n for n, cid in enumerate(cases)}
    found = dict.fromkeys(d for d in eng.store.issued() if d.case_id in cases)
    found.update(dict.fromkeys(never_issued(eng, set(cases), found)))
    return sorted(found, key=lambda d: (order[d.case_id], eng.pack.documents[d.doc_id].number if d.doc_id in
                                        eng.pack.documents else 0, d.period or 0, d.occurrence))


def never_issued(eng: Engine, cases: set[str], issued: dict[DueDocument, None]) -> list[DueDocument]:
    """The form of each step a case may take now whose form it was never issued — a step switched on after the
    case passed the point where its form is issued (民主测评 turned on for an activist), or one an import skipped."""
    docs = eng.pack.documents
    have = {(d.case_id, docs[d.doc_id].collects) for d in issued if d.doc_id in docs and docs[d.doc_id].collects}
    steps = {s.id: s for s in eng.pack.steps}
    out = []
    for row in eng.store.due_rows():
        step = steps.get(row.step)
        if row.case_id not in cases or step is None or step.repeat or (row.case_id, step.form) in have:
            continue
        doc_id = next((k for k, d in docs.items() if d.collects == step.form and not d.period
                       and d.needs_step in ("", step.id)), None)
        if doc_id is not None and eng.pack.forms[step.form].kind == "form":
            out.append(DueDocument(row.case_id, doc_id, None, 1))
            have.add((row.case_id, step.form))
    return out


def _drain(locator: tuple[str, str], root: str, batch: str) -> int:
    """In a worker process: render items of ``batch`` until none is left; how many this process rendered."""
    from .engine import Engine
    from .store import open_store
    from .work.renders import work
    from .workspace import load_workspace

    eng = Engine.open(load_workspace(Path(root)), store=open_store(*locator))
    eng.start_heartbeat("render")
    try:
        total = 0
        while n := work(eng, batch=batch, limit=CHUNK):
            total += n
        return total
    finally:
        eng.stop_heartbeat()
        eng.store.close()


def _drain_here(eng: Engine, batch: str, progress: Callable[[int], None] | None) -> None:
    from .work.renders import work

    while n := work(eng, batch=batch, limit=CHUNK):
        if progress:
            progress(n)


def _drain_over(eng: Engine, batch: str, processes: int, progress: Callable[[int], None] | None,
                total: int) -> None:
    """Worker processes of this machine take the batch's items (as would ``docflow work`` on other machines);
    this one counts the progress, and at the end takes what a worker that died left."""
    pool = ProcessPoolExecutor(processes)
    try:
        futures = [pool.submit(_drain, eng.store.locator(), str(eng.ws.root), batch) for _ in range(processes)]
        told = 0
        while not all(f.done() for f in futures):
            time.sleep(0.2)
            done = total - eng.store.queue_left(batch)
            if progress and done > told:
                progress(done - told)
            told = max(told, done)
        for f in futures:
            f.result()                  # a worker's error (a template's) is this command's
    finally:
        pool.shutdown(cancel_futures=True)
    _drain_here(eng, batch, None)
    if progress and total > told:
        progress(total - told)


def number_all(eng: Engine, jobs: list[DueDocument]) -> int:
    """Give every official document of ``jobs`` that has none its 发文字号 (documents made before numbers were
    kept), here in one transaction and in the jobs' order, so worker processes only read numbers; the ledger
    rows of those cases are made again. A number is a record, not a document: ``--dry-run`` allocates them too."""
    from .output.official import allocate
    from .views import refresh

    with eng.store.transaction():
        done = allocate(eng, jobs)
        refresh(eng, [d.case_id for d in done])
    return len(done)


def regenerate(eng: Engine, jobs: list[DueDocument], *, force: bool = False, dry_run: bool = False,
               processes: int | None = None, progress: Callable[[int], None] | None = None,
               reports: tuple[int | None, str | None] | None = None) -> Result:
    """Make ``jobs`` again (see the module): put as a batch of work items on the store's render queue and taken by
    ``processes`` worker processes here — and by ``docflow work`` on any other machine using the store. ``progress(n)``
    is called as documents are done. ``reports``: (year, branch) — the reports made before, of that year and branch
    (None: all), are made again too."""
    jobs = [d for d in jobs if d.doc_id in eng.pack.documents]     # a document the pack no longer has: none
    number_all(eng, jobs)
    processes = processes or os.cpu_count() or 1
    batch = f"regenerate-{uuid.uuid4().hex}"
    mode = "dry" if dry_run else "force" if force else "regenerate"
    with eng.store.transaction(exclusive=False):
        eng.store.queue_batch(batch, mode, jobs)
    result = Result()
    try:
        if processes <= 1 or len(jobs) <= CHUNK or not eng.store.shareable:
            _drain_here(eng, batch, progress)
        else:
            _drain_over(eng, batch, processes, progress, len(jobs))
        for rel, status, _sha in eng.store.queue_results(batch):
            if status in ("written", "unchanged", "kept"):
                getattr(result, status).append(rel)
    finally:
        with eng.store.transaction(exclusive=False):
            eng.store.queue_drop(batch)
    if reports is not None and eng.store.reports_made():
        from .report.build import remake

        made = remake(eng, *reports, force=force, dry_run=dry_run)
        for status in ("written", "unchanged", "kept", "notes"):
            getattr(result, status).extend(made[status])
    if not dry_run:
        from .output.ledger import write_paperwork

        result.notes += write_paperwork(eng)
    return result

