"""The case views (engine.store CaseViews): made from a case's events when they change, in the same transaction,
and all of them again by ``docflow rebuild`` (or when a database has none yet, e.g. after the migration)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .output.ledger import ledger_row
from .procedure.state import fold
from .procedure.view import case_view
from .status import case_text

if TYPE_CHECKING:
    from .engine import Engine

log = logging.getLogger(__name__)


def refresh(eng: Engine, case_ids: list[str]) -> None:
    """Make the views of ``case_ids`` from their events (call inside the transaction that appended them)."""
    for case_id in dict.fromkeys(case_ids):
        row = eng.store.case(case_id)
        assert row is not None
        events = eng.store.events(case_id)
        cs = fold(eng.pack, case_id, events)
        view = {**case_view(eng.pack, cs), "made_with": fingerprint(eng)}
        dates = [d["date"] for d in view["due"] if d["date"]]
        eng.store.put_view(case_id, cs.state, len(events), view, ledger_row(eng.pack, cs, row.name, row.branch, view),
                           case_text(eng.pack, view, case_id, row.name, row.branch), min(dates) if dates else "")


def rebuild(eng: Engine) -> int:
    """Every case's view again, from its events (one transaction). Returns how many."""
    cases = [c.case_id for c in eng.store.cases()]
    with eng.store.transaction():
        refresh(eng, cases)
    return len(cases)


def fingerprint(eng: Engine) -> str:
    """What a view depends on besides the events: the pack's version and its settings (docflow.toml)."""
    import hashlib
    import json

    settings = json.dumps(eng.pack.settings, sort_keys=True, ensure_ascii=False, default=str)
    return eng.pack.version + ":" + hashlib.sha256(settings.encode()).hexdigest()[:12]


def ensure(eng: Engine) -> bool:
    """Views for a database that has cases without them (made by an older release), or whose views were made
    with another pack version or other settings. Returns whether it rebuilt them."""
    n, cases = eng.store.view_count(), eng.store.cases()
    if not cases:
        return False
    first = eng.store.view(cases[0].case_id)
    if n == len(cases) and first is not None and first.summary.get("made_with") == fingerprint(eng):
        return False
    log.info("rebuilding case views")
    rebuild(eng)
    return True
