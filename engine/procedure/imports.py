"""Adopting docflow mid-year — PURE, like ``advance``: one ledger row → a case at its stage.

Each milestone whose date column is filled becomes a history event marked ``imported``; the half-year
assessments that lie in the past are counted as kept on paper. A row whose dates are out of order, or
whose stage the dates do not support, is refused with the reason.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..check.validate import Submission, placed
from ..outcomes import Code, Decision, DocumentDue, Event, EventKind, Finding, Refusal, Severity, Verdict
from ..pack.model import ImportDef, Milestone, Pack
from . import dates
from .advance import World, policy
from .due import possible
from .rules import RuleContext, run_rules
from .state import encode, fold


def milestone_values(m: Milestone, sub: Submission) -> dict[str, Any]:
    """The step's values a ledger row gives: its columns (or their fallbacks), names split over fields."""
    def get(ref: str) -> Any:
        return sub.values.get(ref.partition(".")[2])

    out = {}
    for k, ref in m.values.items():
        v = get(ref)
        out[k] = get(m.fallback[k]) if v in (None, "") and k in m.fallback else v
    for column, fields in m.split.items():
        names = [n for n in re.split(r"[、，,；;/\s]+", str(sub.values.get(column) or "")) if n]
        for f, n in zip(fields, names, strict=False):
            out[f] = n
        if len(names) > len(fields) and fields:
            out[fields[-1]] = "、".join(names[len(fields) - 1:])
    return out


def _passes(m: Milestone, values: dict[str, Any]) -> bool:
    needed = m.required if m.required is not None else tuple(m.values)
    return bool(needed) and all(values.get(k) not in (None, "") for k in needed)


def plan_import(pack: Pack, imp: ImportDef, sub: Submission, world: World) -> Verdict:
    ctx = RuleContext(form=sub.values, case={}, today=world.today, labels=_form_labels(pack, imp),
                      calendar=world.calendar, policy=policy(pack))
    problems = [f for f in run_rules(imp.rules, ctx) if f.severity == Severity.REFUSE]
    given = {id(m): milestone_values(m, sub) for m in imp.milestones}
    passed = [m for m in imp.milestones if _passes(m, given[id(m)])]
    problems += _stage_problems(pack, imp, sub, [m for m in passed if not m.optional])
    if problems:
        return Refusal(tuple(placed(f, sub) for f in problems))
    person = {f.key: sub.values.get(f.key) for f in pack.forms[pack.steps[0].form].fields}
    created = {"pack_version": pack.version, "person": encode(person), "imported": True}
    events = [Event(EventKind.CASE_CREATED, "", created)]
    state = ""
    for m in passed:                     # an optional step keeps the stage the milestones before it reached
        state = m.state or state
        values = {k: v for k, v in given[id(m)].items() if v not in (None, "")} | dict(m.literals)
        facts = {k: sub.values.get(ref.partition(".")[2]) for k, ref in m.facts.items()}
        events.append(Event(EventKind.STEP_DONE, m.step, {"values": encode(values), "facts": encode(facts),
                                                   "imported": True, "state": state}))
    cs = fold(pack, "", [("", e) for e in events])
    events[0].data["assumed_periods"] = _assumed_periods(pack, cs, passed, sub, world.today)
    cs = fold(pack, "", [("", e) for e in events])
    docs = []  # the forms of every step the case may take now, side paths included
    for step in possible(pack, cs, side=True):
        found = pack.document_collecting(step.form)
        if found:
            docs.append(DocumentDue(found[0], cs.next_period(step.id) if step.repeat else None))
    joins = pack.state_member(cs.state)   # an imported member joins the branch roster with the state's status
    return Decision(tuple(events), tuple(docs), (), joins)


def _stage_problems(pack: Pack, imp: ImportDef, sub: Submission, passed: list) -> list[Finding]:
    """``passed``: the milestones of the stages (not the optional ones) the row has. Without a stage given,
    the row is at the stage its latest milestone reaches."""
    label = pack.forms[imp.form].label_of(imp.stage_field)
    stage = str(sub.values.get(imp.stage_field) or "")
    reached = passed[-1].state if passed else ""
    wanted = next((s.id for s in pack.states if s.label == stage), "") if stage else reached
    ladder = [m for m in imp.milestones if not m.optional]
    gaps = [m for m in ladder[: ladder.index(passed[-1]) + 1] if m not in passed] if passed else []
    if gaps:
        return [Finding(Code.LEDGER_GAP, f"缺少“{_date_label(pack, imp, gaps[0])}”，但后面阶段的时间已填写",
                        "请补填该时间，或核对后面的时间是否填错了列", imp.stage_field, label)]
    if wanted != reached:
        need = next((m for m in imp.milestones if m.state == wanted), None)
        if need is not None and need not in passed:
            missing = _date_label(pack, imp, need)
            return [Finding(Code.LEDGER_STAGE_UNSUPPORTED, f"{label}为“{stage}”，但没有填写“{missing}”",
                            "请补填该时间，或更正当前发展阶段", imp.stage_field, label)]
        return [Finding(Code.LEDGER_STAGE_UNSUPPORTED,
                        f"{label}为“{stage}”，但已填写的时间表明已到“{pack.state_label(reached)}”阶段",
                        "请核对当前发展阶段或各阶段时间", imp.stage_field, label)]
    return []


def _date_label(pack: Pack, imp: ImportDef, m) -> str:
    key = next(iter(m.values.values())).partition(".")[2]
    return pack.forms[imp.form].label_of(key)


def _assumed_periods(pack: Pack, cs, passed: list, sub: Submission, today: date) -> dict[str, int]:
    """Complete assessment periods before adoption (kept on paper), per repeat step: from the step's start
    until the milestone that ended its stage (the target decision ends the activist's assessments, the
    conversion the probation's), or until today."""
    ends = [(next(iter(milestone_values(m, sub).values()), None), m.state) for m in passed if not m.optional]
    out: dict[str, int] = {}
    for step in pack.steps:
        rule = next((r for r in step.rules if r.kind == "period_due"), None)
        if not step.repeat or rule is None:
            continue
        start = cs.facts.get(rule.params["start"].partition(".")[2])
        if not isinstance(start, date):
            continue
        later = sorted(d for d, state in ends if isinstance(d, date) and d > start and state not in step.from_)
        end = min(later[0], today) if later else today
        every, n = dates.Duration.parse(rule.params["every"]), 0
        while dates.add(start, every.times(n + 1)) <= end:
            n += 1
        if n:
            out[step.id] = n
    return out


def _form_labels(pack: Pack, imp: ImportDef) -> dict[str, str]:
    return {f"form.{f.key}": f.label for f in pack.forms[imp.form].fields}


