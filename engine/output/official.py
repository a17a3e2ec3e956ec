"""The 发文字号 of official documents and reports, allocated in the store once per document (see
engine.pack.organs for the names and the context a 公文 prints)."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..pack.model import DocumentDef
from ..pack.organs import Official, dated, full_name, prefix
from ..procedure.dates import zh_date
from ..procedure.state import CaseState
from ..store.base import DocNumber


def number_for(store: Any, off: Official, org: str, branch: str, doc_id: str, doc: DocumentDef, cs: CaseState,
               period: int | None, occurrence: int, today: date, stamp: str) -> DocNumber:
    """The document's 发文字号, allocated the first time it is asked for (in the year of its 成文日期, or of the
    day it is first made when that date is written by hand)."""
    year = (dated(doc, cs) or today).year
    return store.number(prefix(off, org, doc.issuer, branch), year, cs.case_id, doc_id, period, occurrence, stamp)


def report_official(store: Any, off: Official, org: str, key: str, year: int, to: str, when: date,
                    stamp: str) -> dict[str, Any]:
    """``official`` of a committee report that is a 公文 (通报, the annual plan and summary): its number is
    allocated once per report (``key``: kind, year, part, branch), so a report made again keeps it."""
    committee = full_name(off, org)
    number = store.number(prefix(off, org, "committee", ""), year, "", key, None, 1, stamp) if store else None
    text = number.text if number else f"{prefix(off, org, 'committee', '')}〔{year}〕1号"
    return {"mark": off.mark or committee + "文件", "number": text, "to": to, "issuer": committee,
            "date": zh_date(when), "signer": off.signer, "upward": False, "copy_to": off.copy_to,
            "printer": off.printer or committee + "办公室", "printed": zh_date(when)}
