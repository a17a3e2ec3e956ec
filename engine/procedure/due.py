"""What is due next for a case: the steps it may take now, each with the date its form is due."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..pack.model import DocumentDef, Pack
from .dates import Duration, add
from .state import CaseState


def due_date(pack: Pack, doc: DocumentDef, cs: CaseState, period: int | None) -> date | None:
    if doc.due is None:
        return None
    start = cs.facts.get(doc.due.from_.partition(".")[2])
    if not isinstance(start, date):
        return None
    dur = Duration.parse(doc.due.add)
    return add(start, dur.times(period or 1) if doc.due.times == "period" else dur)


@dataclass(frozen=True)
class Due:
    step_id: str
    label: str
    period: int | None
    due: date | None
    earliest: bool = False          # ``due`` is the earliest date, not a deadline

    @property
    def deadline(self) -> date | None:
        return None if self.earliest else self.due

    def describe(self, today: date) -> str:
        what = self.label + (f"（第{self.period}次）" if self.period else "")
        if self.due is None:
            return what
        if self.earliest:
            return f"{what}，最早可于 {self.due.isoformat()}" if self.due > today else f"{what}，时间已满足"
        late = "，已逾期" if self.due < today else ""
        return f"{what}，应于 {self.due.isoformat()} 前{late}"


def possible(pack: Pack, cs: CaseState, side: bool = False) -> list:
    """Steps the case may take now (main path; with ``side`` also the side paths)."""
    return [s for s in pack.steps if cs.state in s.from_ and all(cs.done(a) for a in s.after)
            and (side or not s.side) and (s.repeat or not cs.done(s.id))]


def next_due(pack: Pack, cs: CaseState) -> list[Due]:
    out = []
    for step in possible(pack, cs):
        period = cs.next_period(step.id) if step.repeat else None
        found = pack.document_collecting(step.form)
        when = due_date(pack, found[1], cs, period) if found else None
        earliest = bool(found and found[1].due and found[1].due.earliest)
        out.append(Due(step.id, step.label, period, when, earliest))
    return out


def last_step(pack: Pack, cs: CaseState) -> str:
    done = [s for s in pack.steps if cs.done(s.id)]
    if not done:
        return ""
    step = done[-1]
    return step.label + (f"（已{cs.periods_on_file(step.id)}次）" if step.repeat else "")
