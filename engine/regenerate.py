"""``docflow regenerate``: every document made again from the store — so a corrected template, setting or case
propagates everywhere — then the ledger and the due list. Deterministic (the same store, settings and templates
give byte-identical files). A document staff edited since docflow wrote it (its recorded hash no longer matches)
is kept and listed, unless ``force``; ``dry_run`` only says what would change. The work is split over processes
(one engine each, reading the same store) with a progress bar."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .outcomes import DueDocument

if TYPE_CHECKING:
    from .engine import Engine

CHUNK = 200          # documents per task handed to a worker


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
    """The documents docflow has made (every issue of each), of the cases chosen, in case order."""
    cases = {c.case_id: c for c in eng.store.cases()
             if (case_id is None or c.case_id == case_id) and (branch is None or c.branch == branch)
             and (year is None or c.case_id.startswith(f"{year}-"))}
    order = {cid: n for n, cid in enumerate(cases)}
    found = dict.fromkeys(d for d in eng.store.issued() if d.case_id in cases)
    return sorted(found, key=lambda d: (order[d.case_id], eng.pack.documents[d.doc_id].number if d.doc_id in
                                        eng.pack.documents else 0, d.period or 0, d.occurrence))


_WORKER: dict[str, Engine] = {}


def _open_worker(root: str) -> None:
    """A worker process's engine, opened once (its pack loaded, its templates compiled on first use)."""
    from .engine import Engine
    from .workspace import load_workspace

    _WORKER["engine"] = Engine.open(load_workspace(Path(root)))


def _work(jobs: list[DueDocument], recorded: dict[str, str | None], force: bool,
          dry_run: bool) -> list[tuple[str, str, str]]:
    """In a worker: render ``jobs``; (path, "written"|"unchanged"|"kept", sha256) for each."""
    return _chunk(_WORKER["engine"], jobs, recorded, force, dry_run)


def _chunk(eng: Engine, jobs: list[DueDocument], recorded: dict[str, str | None], force: bool,
           dry_run: bool) -> list[tuple[str, str, str]]:
    """A chunk written without a sync per file, then synced once: its hashes are recorded only after that, so a
    hash on record always belongs to a file on disk (a crash midway: run regenerate again)."""
    rows = list(_render(eng, jobs, recorded, force, dry_run))
    if not dry_run and any(status == "written" for _, status, _ in rows):
        os.sync()
    return rows


def _render(eng: Engine, jobs: list[DueDocument], recorded: dict[str, str | None], force: bool,
            dry_run: bool) -> Iterator[tuple[str, str, str]]:
    from .output.documents import doc_path, document_bytes
    from .output.render import write_atomic
    from .procedure.state import fold

    states = {}
    for d in jobs:
        if d.case_id not in states:
            states = {d.case_id: fold(eng.pack, d.case_id, eng.store.events(d.case_id))}
        path = doc_path(eng, d.case_id, d.doc_id, d.period, d.occurrence)
        rel = path.relative_to(eng.ws.outbox).as_posix()
        data = document_bytes(eng, states[d.case_id], d.doc_id, d.period, d.occurrence)
        sha = hashlib.sha256(data).hexdigest()
        old = path.read_bytes() if path.exists() else None
        if old == data:
            yield rel, "unchanged", sha
            continue
        theirs = recorded.get(rel)
        if old is not None and theirs is not None and hashlib.sha256(old).hexdigest() != theirs and not force:
            yield rel, "kept", sha
            continue
        if not dry_run:
            write_atomic(path, data, durable=False)
        yield rel, "written", sha


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
    """Make ``jobs`` again (see the module). ``progress(n)`` is called as documents are done. ``reports``:
    (year, branch) — the reports made before, of that year and branch (None: all), are made again too."""
    from .output.documents import doc_path

    jobs = [d for d in jobs if d.doc_id in eng.pack.documents]     # a document the pack no longer has: none
    rels = [doc_path(eng, d.case_id, d.doc_id, d.period, d.occurrence).relative_to(eng.ws.outbox).as_posix()
            for d in jobs]
    recorded = {rel: eng.store.output_hash(rel) for rel in rels}   # what docflow wrote there, by hash
    number_all(eng, jobs)
    processes = processes or os.cpu_count() or 1
    chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    known = [{rel: recorded[rel] for rel in rels[i:i + CHUNK]} for i in range(0, len(jobs), CHUNK)]
    result = Result()
    if processes <= 1 or len(chunks) <= 1:
        done: Iterator[list[tuple[str, str, str]]] = (_chunk(eng, c, recorded, force, dry_run) for c in chunks)
        pool = None
    else:
        pool = ProcessPoolExecutor(processes, initializer=_open_worker, initargs=(str(eng.ws.root),))
        done = pool.map(_work, chunks, known, [force] * len(chunks),
                        [dry_run] * len(chunks))
    try:
        for rows in done:
            with eng.store.transaction():                # one commit per chunk, not per document
                for rel, status, sha in rows:
                    getattr(result, status).append(rel)
                    if status == "written" and not dry_run:
                        eng.store.record_output(rel, sha, eng.stamp())
            if progress:
                progress(len(rows))
    finally:
        if pool is not None:
            pool.shutdown()
    if reports is not None and eng.store.reports_made():
        from .report.build import remake

        made = remake(eng, *reports, force=force, dry_run=dry_run)
        for status in ("written", "unchanged", "kept", "notes"):
            getattr(result, status).extend(made[status])
    if not dry_run:
        from .output.ledger import write_paperwork

        result.notes += write_paperwork(eng)
    return result

