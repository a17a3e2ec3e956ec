"""The render stage of the road: the documents due → outbox/<branch>/<case>-<name>/NN-<title>.docx|xlsx,
each written to a temporary name and renamed (a crash leaves no half document under a real name)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..outcomes import DueDocument, Stored
from ..procedure.state import CaseState, fold
from .context import document_context
from .names import safe_name
from .render import Identity, output_name, write_atomic

if TYPE_CHECKING:
    from ..engine import Engine


def doc_path(eng: Engine, case_id: str, doc_id: str, period: int | None, occurrence: int = 1) -> Path:
    row = eng.store.case(case_id)
    assert row is not None
    doc = eng.pack.documents[doc_id]
    return (eng.ws.outbox / safe_name(row.branch, "未分支部") / safe_name(f"{case_id}-{row.name}")
            / output_name(doc, period, occurrence))


def render(eng: Engine, stored: Stored) -> None:
    render_due(eng, stored.due)


def render_due(eng: Engine, due: list[DueDocument]) -> None:
    states: dict[str, CaseState] = {}
    for d in due:
        if d.case_id not in states:
            states[d.case_id] = fold(eng.pack, d.case_id, eng.store.events(d.case_id))
        render_document(eng, states[d.case_id], d.doc_id, d.period, d.occurrence)


def render_document(eng: Engine, cs: CaseState, doc_id: str, period: int | None, occurrence: int = 1) -> Path:
    doc = eng.pack.documents[doc_id]
    org = eng.ws.config.organisation
    context = document_context(eng.pack, org.name, cs, doc, period, org.feedback)
    ident = Identity(doc.collects, cs.case_id, eng.pack.version, period) if doc.collects else None
    path = doc_path(eng, cs.case_id, doc_id, period, occurrence)
    assert eng.renderer is not None
    write_atomic(path, eng.renderer.render(doc, context, ident))
    return path
