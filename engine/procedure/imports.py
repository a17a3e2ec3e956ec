"""Adopting docflow mid-year — PURE, like ``advance``: one ledger row → a case at its stage.

Each milestone whose date column is filled becomes a history event marked ``imported``; the half-year
assessments that lie in the past are counted as kept on paper. A row whose dates are out of order, or
whose stage the dates do not support, is refused with the reason.
"""
from __future__ import annotations

from datetime import date

from ..check.validate import Submission, placed
from ..outcomes import Code, Decision, DocumentDue, Event, EventKind, Finding, Refusal, Severity, Verdict
from ..pack.model import ImportDef, Pack
from . import dates
from .advance import World, policy
from .due import possible
from .rules import RuleContext, run_rules
from .state import encode, fold


def plan_import(pack: Pack, imp: ImportDef, sub: Submission, world: World) -> Verdict:
    ctx = RuleContext(form=sub.values, case={}, today=world.today, labels=_form_labels(pack, imp),
                      calendar=world.calendar, policy=policy(pack))
    problems = [f for f in run_rules(imp.rules, ctx) if f.severity == Severity.REFUSE]
    passed = [m for m in imp.milestones if all(sub.values.get(r.partition(".")[2]) for r in m.values.values())]
    problems += _stage_problems(pack, imp, sub, passed)
    if problems:
        return Refusal(tuple(placed(f, sub) for f in problems))
    person = {f.key: sub.values.get(f.key) for f in pack.forms[pack.steps[0].form].fields}
    created = {"pack_version": pack.version, "person": encode(person), "imported": True}
    events = [Event(EventKind.CASE_CREATED, "", created)]
    for m in passed:
        values = {k: sub.values.get(ref.partition(".")[2]) for k, ref in m.values.items()} | dict(m.literals)
        facts = {k: sub.values.get(ref.partition(".")[2]) for k, ref in m.facts.items()}
        events.append(Event(EventKind.STEP_DONE, m.step, {"values": encode(values), "facts": encode(facts),
                                                   "imported": True, "state": m.state}))
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
    label = pack.forms[imp.form].label_of(imp.stage_field)
    stage = str(sub.values.get(imp.stage_field) or "")
    wanted = next((s.id for s in pack.states if s.label == stage), "")
    reached = passed[-1].state if passed else ""
    gaps = [m for m in imp.milestones[: imp.milestones.index(passed[-1]) + 1] if m not in passed] if passed else []
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
    """Complete assessment periods before adoption (kept on paper), per repeat step."""
    milestone_dates = sorted(d for d in (sub.values.get(next(iter(m.values.values())).partition(".")[2])
                                         for m in passed) if isinstance(d, date))
    out: dict[str, int] = {}
    for step in pack.steps:
        rule = next((r for r in step.rules if r.kind == "period_due"), None)
        if not step.repeat or rule is None:
            continue
        start = cs.facts.get(rule.params["start"].partition(".")[2])
        if not isinstance(start, date):
            continue
        later = [d for d in milestone_dates if d > start]
        end = min(later[0], today) if later else today
        every, n = dates.Duration.parse(rule.params["every"]), 0
        while dates.add(start, every.times(n + 1)) <= end:
            n += 1
        if n:
            out[step.id] = n
    return out


def _form_labels(pack: Pack, imp: ImportDef) -> dict[str, str]:
    return {f"form.{f.key}": f.label for f in pack.forms[imp.form].fields}


