"""The render stage of the road: the documents due → outbox/<branch>/<case>-<name>/NN-<title>.docx|xlsx,
each written to a temporary name and renamed (a crash leaves no half document under a real name)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from ..outcomes import DueDocument, Stored
from ..pack.organs import official_context
from ..procedure.state import CaseState, fold
from ..store.base import CaseRow
from .context import document_context
from .names import safe_name
from .official import number_for
from .render import Identity, output_name, write_atomic

if TYPE_CHECKING:
    from ..engine import Engine


def doc_path(eng: Engine, case_id: str, doc_id: str, period: int | None, occurrence: int = 1,
             row: CaseRow | None = None) -> Path:
    """``row``: the case's row, when the caller has it already."""
    row = row or eng.store.case(case_id)
    assert row is not None
    doc = eng.pack.documents[doc_id]
    return (eng.ws.outbox / safe_name(row.branch, "未分支部") / safe_name(f"{case_id}-{row.name}")
            / output_name(doc, period, occurrence))


def render(eng: Engine, stored: Stored) -> None:
    made = render_stored(eng, stored)
    with eng.store.transaction():     # the hashes of what is written, in one commit (a crash: not recorded)
        made += refresh(eng, stored.changed, {(d.case_id, d.doc_id, d.period, d.occurrence) for d in stored.due})
    if eng.ws.config.pdf.beside:
        from ..pdfs import pdf_after_render

        pdf_after_render(eng, made)


def render_stored(eng: Engine, stored: Stored) -> list[tuple[Path, str]]:
    """The documents a stored file made due: its work items this process can take (one another process took is
    rendered there; one done already is not rendered again). A file stored before the queue: its documents."""
    from ..work.renders import render_items, take

    if stored.queued is None:
        with eng.store.transaction():
            return list(zip(render_due(eng, stored.due), [d.doc_id for d in stored.due], strict=True))
    return render_items(eng, take(eng, ids=stored.queued, limit=max(1, len(stored.queued))))


def render_due(eng: Engine, due: list[DueDocument]) -> list[Path]:
    states: dict[str, CaseState] = {}
    out = []
    for d in due:
        if d.case_id not in states:
            states[d.case_id] = fold(eng.pack, d.case_id, eng.store.events(d.case_id))
        out.append(render_document(eng, states[d.case_id], d.doc_id, d.period, d.occurrence))
    return out


def refresh(eng: Engine, case_ids: list[str], done: frozenset | set = frozenset()) -> list[tuple[Path, str]]:
    """Documents whose content follows the case (``refresh`` in the pack: the register's 培养发展情况, the full
    record), made again when the case changes — unless staff edited them since docflow wrote them."""
    keep = {k for k, d in eng.pack.documents.items() if d.refresh}
    out = []
    for case_id in dict.fromkeys(case_ids):
        issued = [d for d in dict.fromkeys(eng.store.issued(case_id))
                  if d.doc_id in keep and (d.case_id, d.doc_id, d.period, d.occurrence) not in done]
        if not issued:                # nothing made before, or all of it was just made
            continue
        cs = fold(eng.pack, case_id, eng.store.events(case_id))
        for d in issued:
            path = doc_path(eng, case_id, d.doc_id, d.period, d.occurrence)
            if edited(eng, path):
                continue
            out.append((render_document(eng, cs, d.doc_id, d.period, d.occurrence), d.doc_id))
    return out


def document_bytes(eng: Engine, cs: CaseState, doc_id: str, period: int | None, occurrence: int = 1) -> bytes:
    doc = eng.pack.documents[doc_id]
    org = eng.ws.config.organisation
    official = None
    if doc.profile == "official":
        off, branch = eng.ws.config.official, str(cs.facts.get(eng.pack.case.branch) or "")
        number = number_for(eng.store, off, org.name, branch, doc_id, doc, cs, period, occurrence,
                            eng.clock.today(), eng.stamp())
        official = official_context(off, org.name, doc, cs, branch, number.text)
    rows, controls = record_rows(eng, cs) if doc.record else (None, None)
    context = document_context(eng.pack, org.name, cs, doc, period, org.feedback, record=rows, official=official,
                               controls=controls)
    ident = None
    if doc.collects:
        signature = eng.signer.sign(doc.collects, cs.case_id, eng.pack.version, period, occurrence)
        ident = Identity(doc.collects, cs.case_id, eng.pack.version, period, occurrence, signature)
    assert eng.renderer is not None
    return eng.renderer.render(doc, context, ident)


def render_document(eng: Engine, cs: CaseState, doc_id: str, period: int | None, occurrence: int = 1) -> Path:
    path = doc_path(eng, cs.case_id, doc_id, period, occurrence)
    write_document(eng, path, document_bytes(eng, cs, doc_id, period, occurrence))
    return path


def write_document(eng: Engine, path: Path, data: bytes) -> None:
    """Write a document into outbox/ and record the hash of what was written."""
    write_atomic(path, data)
    eng.store.record_output(path.relative_to(eng.ws.outbox).as_posix(), hashlib.sha256(data).hexdigest(), eng.stamp())


def remade(eng: Engine, path: Path, data: bytes, force: bool = False) -> str:
    """What making ``path`` again with ``data`` does: unchanged (the same bytes are there), kept (staff edited it
    since docflow wrote it; not with ``force``), written."""
    old = path.read_bytes() if path.exists() else None
    if old == data:
        return "unchanged"
    theirs = eng.store.output_hash(path.relative_to(eng.ws.outbox).as_posix())
    if old is not None and theirs is not None and hashlib.sha256(old).hexdigest() != theirs and not force:
        return "kept"
    return "written"


def edited(eng: Engine, path: Path) -> bool:
    """Did staff change the file since docflow wrote it? (its bytes no longer have the recorded hash)"""
    recorded = eng.store.output_hash(path.relative_to(eng.ws.outbox).as_posix())
    if recorded is None or not path.exists():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() != recorded


def record_rows(eng: Engine, cs: CaseState) -> tuple[list[dict], list[dict]]:
    """The full record (全程纪实: every event of the case with its step, date, the people named on its form, the
    file it came from and when that was processed) and its five controls (五项制度落实情况, engine.controls), from
    one read of its events and their audit rows."""
    from ..controls import controls
    from .context import record

    events, audit = eng.store.events(cs.case_id), eng.store.audit(cs.case_id)
    return (record(eng.pack, events, audit),
            [line.to_dict() for line in controls(eng.pack, events, audit, eng.calendar)])
