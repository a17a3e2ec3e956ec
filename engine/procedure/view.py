"""A case's view: what status, the due list and the ledger show of it, derived from its state (pure). The store
keeps it beside the events (engine.store CaseViews), written in the same transaction, so listing every case
does not fold every event; ``docflow rebuild`` makes them again from the events."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..pack.model import Pack
from .dates import Duration, add
from .due import last_step, next_due
from .state import CaseState
from .workdays import WorkdayCalendar

_CALENDAR = WorkdayCalendar()


def json_value(value: Any) -> Any:
    """A fact as JSON keeps it: dates ISO (a year-month too), numbers and text as they are."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def due_rule(pack: Pack, step_id: str) -> str:
    """The rule behind a step's due date, in words: 自申请入党日期起1个月内 / 自…起满1年后."""
    found = pack.document_collecting(pack.step(step_id).form)
    if found is None or found[1].due is None:
        return ""
    due = found[1].due
    start = pack.facts.get(due.from_.partition(".")[2])
    label = start.label if start else due.from_
    length = Duration.parse(due.add)
    if due.times == "period":
        return f"自{label}起每{length.zh()}一次"
    if due.earliest:
        return f"自{label}起满{length.zh()}后" if length.n else f"{label}之后"
    return f"自{label}起{length.zh()}内" if length.n else f"{label}当日或之前"


def reminders(pack: Pack, cs: CaseState) -> list[dict[str, Any]]:
    """The pack's reminders that apply to the case now (after their steps, before the step that ends them). A
    span's date is the last day of a period that begins on the start date, counted as a public notice is
    (inclusive; working days on the mainland calendar)."""
    out = []
    for n, r in enumerate(pack.reminders):
        if not all(cs.done(a) for a in r.after) or cs.done(r.until) or cs.state not in _open_states(pack, r.until):
            continue
        start = cs.facts.get(r.from_.partition(".")[2])
        if not isinstance(start, date):
            continue
        fact = pack.facts.get(r.from_.partition(".")[2])
        length = Duration.parse(r.add)
        label = fact.label if fact else r.from_
        if r.span:
            when = _span_end(start, length)
            rule = r.rule or f"自{label}起满{length.zh()}（含当日）"
        else:
            when = add(start, length, _CALENDAR)
            rule = r.rule or f"自{label}起{length.zh()}{'后' if r.earliest else '内'}"
        out.append({"step": f"reminder{n}", "label": r.label, "period": None,
                    "date": when.isoformat(), "earliest": r.earliest, "rule": rule})
    return out


def _span_end(start: date, length: Duration) -> date:
    """The last day of ``length`` beginning on ``start`` (inclusive, as engine.procedure.rules counts a span)."""
    if length.unit == "working_day":
        return _CALENDAR.add_working_days(start - timedelta(days=1), length.n)
    return add(start, Duration(max(length.n - 1, 0), length.unit), _CALENDAR) if length.unit == "day" \
        else add(start, length, _CALENDAR) - timedelta(days=1)


def _open_states(pack: Pack, until: str) -> set[str]:
    """The states in which the step that ends a reminder can still be taken (a withdrawn case has none)."""
    step = next((s for s in pack.steps if s.id == until), None)
    return set(step.from_) if step else set()


def case_view(pack: Pack, cs: CaseState) -> dict[str, Any]:
    """The summary of a case (JSON-safe): state, last step, key facts by key, what is due with its rule."""
    return {
        "state": cs.state,
        "state_label": pack.state_label(cs.state),
        "last_step": last_step(pack, cs),
        "facts": {k: json_value(cs.facts[k]) for k in pack.facts if cs.facts.get(k) not in (None, "")},
        "due": [{"step": d.step_id, "label": d.label, "period": d.period,
                 "date": d.due.isoformat() if d.due else None, "earliest": d.earliest,
                 "rule": due_rule(pack, d.step_id)} for d in next_due(pack, cs)] + reminders(pack, cs),
        "warnings": list(cs.warnings),
        "imported": cs.imported,
        "since": cs.history[0][0][:10] if cs.imported and cs.history else "",   # imported on this day
        "pack_version": cs.pack_version,
    }
