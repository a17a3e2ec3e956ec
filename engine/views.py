"""The case views (engine.store CaseViews): made from a case's events when they change, in the same transaction,
and all of them again by ``docflow rebuild`` (or when the views were made by another release, with another pack
version or other settings). A view is what status, the due list, the ledger and the reports read of a case, each
part ready for its reader: the summary, the lines of status, what is due, the ledger row, the reports' record."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING

from .output.ledger import due_cells, ledger_row
from .procedure.state import fold
from .procedure.view import case_view
from .report import people
from .status import case_text, due_lines
from .store.base import CaseView, DueLine

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger(__name__)
# what a view holds and how: a release that changes it makes every view again (see ``fingerprint``)
VIEW_FORMAT = 8


def refresh(eng: Engine, case_ids: list[str]) -> None:
    """Make the views of ``case_ids`` from their events (call inside the transaction that appended them)."""
    made_with = fingerprint(eng)
    reports = people.fits(eng.pack)
    for case_id in dict.fromkeys(case_ids):
        row = eng.store.case(case_id)
        assert row is not None
        events = eng.store.events(case_id)
        if reports:
            person = people.person_of(eng.pack, row, events)
            cs, record = person.cs, people.dump(person)
        else:
            cs, record = fold(eng.pack, case_id, events), ""
        view = case_view(eng.pack, cs)
        due = tuple(DueLine(d["step"], d["label"], d["period"], d["date"] or "", bool(d["earliest"]), d["rule"],
                            due_cells(case_id, row.name, row.branch, d) if d["date"] else b"") for d in view["due"])
        eng.store.put_view(case_id, CaseView(
            cs.state, len(events), made_with, view, case_text(eng.pack, view, case_id, row.name, row.branch),
            due_lines(view), due, view["since"], ledger_row(eng.pack, cs, row.name, row.branch, view,
                                                            numbers_text(eng, case_id)).encode(), record))


def numbers_text(eng: Engine, case_id: str) -> str:
    """The 发文字号 of the case's official documents, for its ledger row: 关于接收预备党员的批复 X党〔2026〕7号；…"""
    docs = eng.pack.documents
    return "；".join(f"{docs[n.doc_id].title} {n.text}" if n.doc_id in docs else n.text
                    for n in eng.store.numbers(case_id))


def rebuild(eng: Engine) -> int:
    """Every case's view again, from its events (one transaction). Returns how many."""
    cases = [c.case_id for c in eng.store.cases()]
    with eng.store.transaction():
        refresh(eng, cases)
    return len(cases)


def fingerprint(eng: Engine) -> str:
    """What a view depends on besides the events: its format, the pack (as loaded: its steps, documents,
    reminders … with the settings of docflow.toml bound in) and the settings themselves."""
    settings = json.dumps(eng.pack.settings, sort_keys=True, ensure_ascii=False, default=str)
    pack = eng.pack.model_dump_json(exclude={"root"})
    return f"{VIEW_FORMAT}:{eng.pack.version}:" + hashlib.sha256((pack + settings).encode()).hexdigest()[:16]


def ensure(eng: Engine) -> bool:
    """Views for a database that has cases without them (made by an older release), or whose views were made
    with another format, pack version or other settings. Returns whether it rebuilt them. Costs two counts."""
    cases = eng.store.case_count()
    if not cases or (eng.store.view_count() == cases and not eng.store.views_made_otherwise(fingerprint(eng))):
        return False
    if cases >= 5000:       # minutes at a county's size: say so rather than seem to hang (once, after an upgrade)
        log.warning("正在按事件记录重建 %d 份案卷的当前状态（升级或更改设置后第一次打开时需要，约 %d 分钟），请稍候…",
                    cases, max(1, cases // 60000 + 1))
    else:
        log.info("rebuilding case views")
    rebuild(eng)
    return True
