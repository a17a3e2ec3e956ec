"""The 发文字号 of official documents and reports, allocated in the store once per document (see
engine.pack.organs for the names and the context a 公文 prints)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..outcomes import DueDocument
from ..pack.model import DocumentDef
from ..pack.organs import Official, dated, full_name, prefix
from ..procedure.dates import zh_date
from ..procedure.state import CaseState
from ..store.base import DocNumber

if TYPE_CHECKING:
    from ..engine import Engine


def allocate(eng: Engine, due: list[DueDocument]) -> list[DueDocument]:
    """Give each official document of ``due`` that has none its 发文字号, in ``due``'s order (call inside the
    transaction that stores what made them due, so the number is on record with the events). Returns those
    numbered now."""
    from ..procedure.state import fold

    docs = eng.pack.documents
    official = [d for d in due if d.doc_id in docs and docs[d.doc_id].profile == "official"]
    have = {(n.case_id, n.doc_id, n.period, n.occurrence) for case_id in dict.fromkeys(d.case_id for d in official)
            for n in eng.store.numbers(case_id)}
    todo = [d for d in official if (d.case_id, d.doc_id, d.period, d.occurrence) not in have]
    states: dict[str, CaseState] = {}
    org, off = eng.ws.config.organisation.name, eng.ws.config.official
    for d in todo:
        cs = states.get(d.case_id) or states.setdefault(d.case_id, fold(eng.pack, d.case_id,
                                                                        eng.store.events(d.case_id)))
        branch = str(cs.facts.get(eng.pack.case.branch) or "")
        number_for(eng.store, off, org, branch, d.doc_id, eng.pack.documents[d.doc_id], cs, d.period,
                   d.occurrence, eng.clock.today(), eng.stamp())
    return todo


def number_for(store: Any, off: Official, org: str, branch: str, doc_id: str, doc: DocumentDef, cs: CaseState,
               period: int | None, occurrence: int, today: date, stamp: str) -> DocNumber:
    """The document's 发文字号, allocated the first time it is asked for (in the year of its 成文日期, or of the
    day it is first made when that date is written by hand)."""
    year = (dated(doc, cs) or today).year
    return store.number(prefix(off, org, doc.issuer, branch), year, cs.case_id, doc_id, period, occurrence, stamp)


def report_official(store: Any, off: Official, org: str, key: str, to: str, when: date,
                    stamp: str) -> dict[str, Any]:
    """``official`` of a committee report that is a 公文 (通报, the annual plan and summary): its number is
    allocated once per report (``key``: kind, year, part, branch), in the year it is first issued (``when``: a
    2025 summary written in January 2026 is numbered 〔2026〕), so a report made again keeps it."""
    committee = full_name(off, org)
    issued = when.year
    number = None
    if store is not None:
        with store.transaction():     # a number is taken by one writer at a time (several machines on one server)
            number = store.number(prefix(off, org, "committee", ""), issued, "", key, None, 1, stamp)
    text = number.text if number else f"{prefix(off, org, 'committee', '')}〔{issued}〕1号"
    return {"mark": off.mark or committee + "文件", "number": text, "to": to, "issuer": committee,
            "date": zh_date(when), "signer": off.signer, "upward": False, "copy_to": off.copy_to,
            "printer": off.printer or committee + "办公室", "printed": zh_date(when)}
