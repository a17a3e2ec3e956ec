"""advance — PURE. (case state, submission, clock/calendar, settings) → Decision or Refusal.

No I/O here: everything the procedure's rules need is passed in. This is where the steps of a pack
are enforced: the case must be at a state the step starts from, the steps it follows must be on file,
a repeat step takes its periods in order, and every rule of the step is run (refusals block, warnings
are recorded beside the step).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..check.validate import Submission, placed
from ..outcomes import Code, Decision, DocumentDue, Event, EventKind, Finding, Member, Refusal, Severity, Verdict
from ..pack.model import Pack, StepDef, Transition
from .rules import RuleContext, run_rules
from .rules.base import MemberPolicy
from .state import CaseState, encode
from .workdays import WorkdayCalendar


@dataclass(frozen=True)
class World:
    """What advance may know of the world besides the case: the date, the calendar, the members."""

    today: date
    calendar: WorkdayCalendar
    members: Mapping[str, Member] | None = None


def advance(pack: Pack, case: CaseState | None, sub: Submission, world: World) -> Verdict:
    steps = pack.steps_for_form(sub.form_id)
    if not steps:
        label = pack.forms[sub.form_id].label
        if sub.form_id in pack.switched_off:      # its step is switched off in this workspace
            names = "、".join(f"{n} = true" for n in pack.switched_off[sub.form_id]) or "相应的设置"
            return _refuse(Code.NO_STEP, f"本工作区没有开启“{label}”这一步（docflow.toml 的 [settings] 中关闭了），"
                                         "所以不接收这张表",
                           f"如本{pack.terms.organisation}执行这一步，请在 docflow.toml 的 [settings] 中改为 {names}，"
                           "重新启动 docflow 后再放入这张表")
        return _refuse(Code.NO_STEP, f"表单“{label}”不对应流程中的任何步骤", "")
    step = steps[0] if case is None else _step_for_case(steps, case)
    if case is None:
        if step.from_:
            return _refuse(Code.NO_CASE, "找不到对应的发展对象案卷", "请使用本系统为该同志生成的表格")
        return _decide(pack, step, CaseState(""), sub, world, kind=EventKind.STEP_DONE, period=None)
    blocker = _precondition(pack, step, case, sub)
    if blocker:
        return Refusal((blocker,))
    period = sub.values.get(step.period_field) if step.repeat else None
    corrected = case.done(step.id) and (not step.repeat or period in case.periods.get(step.id, {}))
    if step.repeat and period is not None and period <= case.assumed.get(step.id, 0):
        return _refuse(Code.PERIOD_ON_PAPER, f"第{period}次已在导入台账时按纸质记录计入（共{case.assumed[step.id]}次）",
                       f"请提交第{case.next_period(step.id)}次")
    kind = EventKind.STEP_CORRECTED if corrected else EventKind.STEP_DONE
    return _decide(pack, step, case, sub, world, kind=kind, period=period)


def policy(pack: Pack) -> MemberPolicy:
    return MemberPolicy(pack.members.full if pack.members else "", pack.terms, pack.case.branch)


def _step_for_case(steps: list[StepDef], case: CaseState) -> StepDef:
    return next((s for s in steps if case.state in s.from_), steps[0])


def _precondition(pack: Pack, step: StepDef, case: CaseState, sub: Submission) -> Finding | None:
    state_label = pack.state_label(case.state)
    if case.done(step.id) and not step.repeat:
        return None  # a resubmission corrects the step (recorded as a correction)
    if case.state not in step.from_:
        wanted = "、".join(pack.state_label(s) for s in step.from_)
        return _finding(Code.WRONG_STEP, f"此表用于“{step.label}”，须在“{wanted}”阶段提交，"
                        f"而{case.facts.get('name', '此人')}目前处于“{state_label}”阶段",
                        "请核对是否放错了人或放错了表；如阶段有误，请联系负责本系统的管理员")
    missing = [pack.step(a).label for a in step.after if not case.done(a)]
    if missing:
        return _finding(Code.MISSING_EARLIER_STEP, f"尚未完成前一步骤：{'、'.join(missing)}",
                        "请先提交前一步骤的表格，再提交本表")
    if step.repeat:
        period, expected = sub.values.get(step.period_field), case.next_period(step.id)
        if period is None or period > expected:
            label = pack.forms[step.form].label_of(step.period_field)
            return _finding(Code.PERIOD_OUT_OF_ORDER, f"{label}为{period}，但下一次应为第{expected}次",
                            f"请先提交第{expected}次，或把{label}改为{expected}", step.period_field, label)
    return None


def _decide(pack: Pack, step: StepDef, case: CaseState, sub: Submission, world: World, *,
            kind: str, period: int | None) -> Verdict:
    ctx = RuleContext(form=sub.values, case=case.facts, today=world.today, labels=_labels(pack, step),
                      members=world.members, calendar=world.calendar,
                      periods={k: case.periods_on_file(k) for k in {*case.periods, *case.assumed}},
                      policy=policy(pack))
    findings = run_rules(step.rules, ctx)
    refusals = tuple(placed(f, sub) for f in findings if f.severity == Severity.REFUSE)
    if refusals:
        return Refusal(refusals)
    warnings = tuple(placed(f, sub) for f in findings if f.severity == Severity.WARN)
    data: dict = {"values": encode(sub.values), "warnings": [w.message for w in warnings]}
    if world.members is not None:  # the branch as it stood (e.g. whether it has a committee: 7 full members)
        full = pack.members.full if pack.members else ""
        data["branch"] = {"full_members": sum(1 for m in world.members.values() if m.status == full)}
    events = [Event(EventKind(kind), step.id, data)]
    if case.case_id == "":
        person = {f.key: sub.values.get(f.key) for f in pack.forms[sub.form_id].fields}
        events.insert(0, Event(EventKind.CASE_CREATED, "", {"pack_version": pack.version, "person": encode(person)}))
    transition = step.transition(ctx.get)
    moves = transition or step    # who says what happens to the member roster
    joins = moves.joins_members if kind == EventKind.STEP_DONE else ""
    leaves = moves.leaves_members and kind == EventKind.STEP_DONE
    again = kind == EventKind.STEP_DONE   # a new occurrence issues documents anew; a correction re-renders the latest
    documents = _documents(pack, step, case, ctx, period, again)
    if kind == EventKind.STEP_DONE and transition is not None:
        documents += _reissued(pack, case, transition)
    if kind == EventKind.STEP_CORRECTED:  # forms already issued may be in staff hands: never overwrite them
        documents = tuple(d for d in documents if not pack.documents[d.doc_id].collects)
    data["documents"] = [[d.doc_id, d.period, d.occurrence] for d in documents]   # what this step issued
    return Decision(tuple(events), documents, warnings, joins, leaves)


def _documents(pack: Pack, step: StepDef, case: CaseState, ctx: RuleContext, period: int | None,
               again: bool) -> tuple[DocumentDue, ...]:
    out = []
    for doc_id, doc in pack.documents_after(step.id):
        if doc.when is not None and not doc.when.holds(ctx.get):
            continue
        if doc.after_all and any(not case.done(a) for a in doc.after if a != step.id):
            continue
        if doc.period == "next":
            collect = pack.steps_for_form(doc.collects)[0].id
            recorded = set(case.periods.get(collect, {}))
            if collect == step.id and period is not None:
                recorded.add(period)
            out.append(DocumentDue(doc_id, case.assumed.get(collect, 0) + len(recorded) + 1))
        else:
            occurrence = case.next_issue(doc_id) if again else max(case.issued.get(doc_id, 0), 1)
            out.append(DocumentDue(doc_id, None, occurrence))
    return tuple(out)


def _reissued(pack: Pack, case: CaseState, transition: Transition) -> tuple[DocumentDue, ...]:
    """The forms for the steps a transition reopens, issued again (a new file beside the earlier one)."""
    return tuple(DocumentDue(doc_id, None, case.next_issue(doc_id)) for doc_id in transition.reissue)


def _labels(pack: Pack, step: StepDef) -> dict[str, str]:
    labels = {f"case.{k}": v.label for k, v in pack.facts.items()}
    for form in pack.forms.values():
        if form.creates_case:
            labels.update({f"case.{f.key}": f.label for f in form.fields})
    labels.update({f"form.{f.key}": f.label for f in pack.forms[step.form].fields})
    return labels


def _finding(code: str, message: str, fix: str, field: str = "", label: str = "") -> Finding:
    return Finding(code, message, fix, field, label)


def _refuse(code: str, message: str, fix: str) -> Refusal:
    return Refusal((_finding(code, message, fix),))
