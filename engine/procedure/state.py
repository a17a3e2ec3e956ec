"""A case's state is derived from its event log (a pure fold). Nothing else is stored about a case."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..check.values import MonthDate
from ..outcomes import Event, EventKind
from ..pack.model import Pack
from .refs import Ref


@dataclass
class CaseState:
    case_id: str
    pack_version: str = ""
    state: str = ""
    person: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)              # key dates and person fields
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)   # step id -> latest data (one-off steps)
    periods: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)  # repeat step -> period -> data
    warnings: list[str] = field(default_factory=list)
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (at, kind, step)
    imported: bool = False                                             # history came from a ledger import
    assumed: dict[str, int] = field(default_factory=dict)              # repeat step -> periods kept on paper
    occurrences: dict[str, int] = field(default_factory=dict)          # step -> times taken (a redo counts)
    reopened: set[str] = field(default_factory=set)                    # steps to be taken again (see Transition)
    issued: dict[str, int] = field(default_factory=dict)               # document -> times issued (not periods)

    def periods_on_file(self, step_id: str) -> int:
        return len(self.periods.get(step_id, {})) + self.assumed.get(step_id, 0)

    def done(self, step_id: str) -> bool:
        if step_id in self.reopened:
            return False
        return step_id in self.steps or bool(self.periods.get(step_id)) or self.assumed.get(step_id, 0) > 0

    def next_issue(self, doc_id: str) -> int:
        """The number of the next issue of a document: 1 the first time; 2, 3... when a step taken again makes it
        due again (named （第2次办理）, so the earlier file is kept)."""
        return self.issued.get(doc_id, 0) + 1

    def next_period(self, step_id: str) -> int:
        return self.periods_on_file(step_id) + 1


def fold(pack: Pack, case_id: str, events: list[tuple[str, Event]]) -> CaseState:
    """Replay ``(at, event)`` pairs in order. Corrections replace the data of the step they correct."""
    cs = CaseState(case_id)
    for at, ev in events:
        _apply(pack, cs, at, ev)
    return cs


def fold_each(pack: Pack, case_id: str, events: list[tuple[str, Event]]
              ) -> tuple[CaseState, list[tuple[str, dict[str, Any]]]]:
    """What ``fold`` gives, and the state and the facts after each event (``fold`` of each prefix), in one pass."""
    cs = CaseState(case_id)
    out = []
    for at, ev in events:
        _apply(pack, cs, at, ev)
        out.append((cs.state, dict(cs.facts)))
    return cs, out


def snapshot(cs: CaseState) -> dict[str, Any]:
    """The case's state, JSON-safe (``restore`` gives it back equal): kept in its view for the reports."""
    return {"case_id": cs.case_id, "pack_version": cs.pack_version, "state": cs.state, "person": encode(cs.person),
            "facts": encode(cs.facts), "steps": {k: encode(v) for k, v in cs.steps.items()},
            "periods": {k: [[n, encode(v)] for n, v in p.items()] for k, p in cs.periods.items()},
            "warnings": cs.warnings, "history": cs.history, "imported": cs.imported, "assumed": cs.assumed,
            "occurrences": cs.occurrences, "reopened": sorted(cs.reopened), "issued": cs.issued}


def restore(data: dict[str, Any]) -> CaseState:
    return CaseState(data["case_id"], data["pack_version"], data["state"], decode(data["person"]),
                     decode(data["facts"]), {k: decode(v) for k, v in data["steps"].items()},
                     {k: {int(n): decode(v) for n, v in p} for k, p in data["periods"].items()},
                     list(data["warnings"]), [tuple(h) for h in data["history"]], data["imported"],
                     dict(data["assumed"]), dict(data["occurrences"]), set(data["reopened"]), dict(data["issued"]))


def _apply(pack: Pack, cs: CaseState, at: str, ev: Event) -> None:
    cs.history.append((at, ev.kind, ev.step))
    if ev.kind == EventKind.CASE_CREATED:
        cs.pack_version = ev.data.get("pack_version", "")
        cs.person = decode(ev.data.get("person", {}))
        cs.facts.update(cs.person)
        cs.assumed = dict(ev.data.get("assumed_periods", {}))
        cs.imported = bool(ev.data.get("imported"))
    elif ev.kind in (EventKind.STEP_DONE, EventKind.STEP_CORRECTED):
        _apply_step(pack, cs, ev)


def _apply_step(pack: Pack, cs: CaseState, ev: Event) -> None:
    step = pack.step(ev.step)
    data = decode(ev.data.get("values", {}))
    if step.repeat:
        cs.periods.setdefault(step.id, {})[int(data[step.period_field])] = data
    else:
        cs.steps[step.id] = data
    get = lookup(data, cs.facts)
    transition = step.transition(get)
    sets = {**step.sets, **(transition.sets if transition else {})}
    for fact, expr in sets.items():  # in order: a later fact may use an earlier one
        cs.facts[fact] = expr.evaluate(data, cs.facts)
    cs.facts.update(decode(ev.data.get("facts", {})))  # imported facts are taken as they are
    for doc_id, period, issue in ev.data.get("documents", []):
        if period is None:
            cs.issued[doc_id] = max(cs.issued.get(doc_id, 0), issue)
    if "branch" in ev.data:                             # the branch as it stood when the step was taken
        cs.facts["branch_full_members"] = ev.data["branch"].get("full_members")
    cs.warnings.extend(ev.data.get("warnings", []))
    cs.imported = cs.imported or bool(ev.data.get("imported"))
    if ev.kind == EventKind.STEP_DONE:
        cs.state = ev.data.get("state") or (transition.to if transition else step.to)
        cs.occurrences[step.id] = cs.occurrences.get(step.id, 0) + 1
        cs.reopened.discard(step.id)
        if transition is not None:
            cs.reopened.update(transition.reopen)


def lookup(form: dict[str, Any], facts: dict[str, Any]):
    """A resolver of "form.x" / "case.x" references (Ref.get, over this step's values and the facts so far)."""

    def get(ref: str) -> Any:
        return Ref.parse(ref).get(form, facts)

    return get


def encode(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe form of typed values (dates as ISO strings tagged with a prefix)."""
    out = {}
    for k, v in values.items():
        if isinstance(v, date):
            out[k] = {"date": date.isoformat(date(v.year, v.month, v.day)), "month": type(v).__name__ == "MonthDate"}
        else:
            out[k] = v
    return out


def decode(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        if type(v) is dict and "date" in v:
            d = date.fromisoformat(v["date"])
            out[k] = MonthDate(d.year, d.month, 1) if v.get("month") else d
        else:
            out[k] = v
    return out
