"""Who was at which stage, when — each case's stages over time, read from its event log by the dates the forms
give (the activist date, the target date, the committee's approval date …), never by when a file was processed.

PURE: ``person_of`` takes a case's row and events; ``read_people`` (the only function that touches the store)
loads them. The stages are the party pack's (reports are written for it):

    入党申请人 → 入党积极分子 → 发展对象 → 接收待审批 → 预备党员 → 正式党员
    side paths: 终止发展, 转出 (from any stage before 正式党员), 取消预备党员资格 (from 预备党员);
    set-backs that stay in or go back a stage: a failed admission vote, a refused approval, a public notice that
    found a real problem, a refused conversion resolution.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..outcomes import Event, EventKind
from ..pack.model import Pack, StepDef
from ..procedure.dates import add_months
from ..procedure.due import Due, due_date, next_due
from ..procedure.state import CaseState, decode, fold_each, restore, snapshot

if TYPE_CHECKING:
    from ..engine import Engine
    from ..store import CaseRecord, CaseRow


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    fact: str            # the fact that dates the entry into the stage


STAGES: tuple[Stage, ...] = (
    Stage("applicant", "入党申请人", "apply_date"),
    Stage("activist", "入党积极分子", "activist_date"),
    Stage("target", "发展对象", "target_date"),
    Stage("voted", "接收待审批", "admission_meeting_date"),
    Stage("probationary", "预备党员", "approval_date"),
    Stage("full", "正式党员", "full_date"),
)
EXITS: tuple[Stage, ...] = (
    Stage("withdrawn", "终止发展", "leave_date"),
    Stage("transferred_out", "转出", "leave_date"),
    Stage("cancelled", "取消预备党员资格", "cancellation_date"),
)
POOL = ("applicant", "activist", "target", "voted")      # 入党积极分子队伍: before the committee's approval
ORDER = {s.id: i for i, s in enumerate(STAGES)}
LABEL = {s.id: s.label for s in (*STAGES, *EXITS)}
FACT = {s.id: s.fact for s in (*STAGES, *EXITS)}
STATE_STAGE = {
    "applicant": "applicant", "activist": "activist", "target": "target", "voted": "voted",
    "probationary": "probationary", "extended": "probationary", "conversion_voted": "probationary",
    "extension_voted": "probationary", "cancellation_voted": "probationary", "full": "full",
    "withdrawn": "withdrawn", "transferred_out": "transferred_out", "cancelled": "cancelled",
}
# the date a step's form carries, where the first date field is not it (a public notice ends on its last day)
EVENT_DATE = {"publicity_target": "end", "publicity_admission": "end", "publicity_conversion": "end"}
# set-backs: (step, field, value) -> what happened
SETBACKS = {
    ("admission_vote", "outcome", "不通过"): "支部大会讨论接收预备党员未通过",
    ("admission_approval", "result", "不批准"): "上级党委不批准接收为预备党员",
    ("publicity_target", "outcome", "反映问题属实，暂缓发展"): "发展对象公示反映问题属实，暂缓发展",
    ("publicity_admission", "outcome", "反映问题属实，暂缓发展"): "接收预备党员公示反映问题属实，暂缓发展",
    ("conversion_approval", "result", "不批准"): "上级党委不同意支部大会的转正决议",
}
VOTE_FAILED = SETBACKS[("admission_vote", "outcome", "不通过")]
NOTES = {"withdraw": "reason", "transfer_out": "to_org"}
# repeat steps with a due date per period: (step, what the reports call it)
ASSESSMENTS = (("assessment", "入党积极分子考察"), ("probation_assessment", "预备党员考察"))


def check_pack(pack: Pack) -> None:
    """Reports are written for the party pack's states and facts."""
    have = {s.id for s in pack.states}
    missing = sorted((set(STATE_STAGE) - have) | {f for f in FACT.values() if f not in pack.facts})
    if missing:
        raise ConfigError(f"报表是按发展党员工作流程包（party）编写的，当前流程包“{pack.pack.name}”缺少："
                          f"{'、'.join(missing)}")


@dataclass(frozen=True)
class Move:
    """A case entering a stage (``before`` "" when it is new) on the date the forms give."""

    on: date
    before: str
    after: str
    step: str
    imported: bool = False
    note: str = ""

    @property
    def kind(self) -> str:
        """new | forward | back | exit."""
        if not self.before:
            return "new"
        if self.after not in ORDER:
            return "exit"
        return "forward" if ORDER[self.after] > ORDER.get(self.before, -1) else "back"

    @property
    def what(self) -> str:
        if self.kind == "new":
            return "新进入"
        if self.kind == "exit":
            return LABEL[self.after]
        if self.kind == "back":
            return f"退回{LABEL[self.after]}"
        return f"进入{LABEL[self.after]}"


@dataclass(frozen=True)
class Incident:
    """A side path or set-back: an exit, a return, a failed vote (which leaves the stage as it was)."""

    on: date
    stage: str           # the stage the case was at
    what: str
    note: str = ""
    exit: bool = False   # the case left (终止发展, 转出, 取消预备党员资格); else a set-back


@dataclass
class Person:
    case_id: str
    name: str
    branch: str
    cs: CaseState
    moves: list[Move] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    registered: date | None = None      # when docflow took the case (an imported case: the import)

    @property
    def facts(self) -> dict[str, Any]:
        return self.cs.facts

    @property
    def imported(self) -> bool:
        return self.cs.imported

    @property
    def stage(self) -> str:
        return STATE_STAGE.get(self.cs.state, "")

    def stage_on(self, day: date) -> str:
        """The stage at the end of ``day`` ("" before the case began)."""
        now = ""
        for m in self.moves:
            if m.on > day:
                break
            now = m.after
        return now

    def entered(self, stage: str, day: date) -> date | None:
        """When the case last entered ``stage`` on or before ``day``."""
        found = None
        for m in self.moves:
            if m.on > day:
                break
            if m.after == stage:
                found = m.on
        return found

    def moves_between(self, start: date, end: date) -> list[Move]:
        return [m for m in self.moves if start <= m.on <= end]

    def first(self, stage: str) -> date | None:
        """When the case first entered ``stage`` (e.g. the committee's approval: a new member)."""
        return next((m.on for m in self.moves if m.after == stage), None)


def _event_date(step: StepDef, pack: Pack, values: dict[str, Any]) -> date | None:
    key = EVENT_DATE.get(step.id)
    if key and isinstance(values.get(key), date):
        return values[key]
    for f in pack.forms[step.form].fields:
        if f.type == "date" and isinstance(values.get(f.key), date):
            return values[f.key]
    return None


def _may_move(step: StepDef) -> bool:
    return not step.from_ or step.to not in step.from_ or bool(step.to_when)


def person_of(pack: Pack, row: CaseRow, events: list[tuple[str, Event]]) -> Person:
    cs, each = fold_each(pack, row.case_id, events)            # the state and facts after each event, one pass
    raw: list[tuple[date, int, str, str, bool, str]] = []      # (date, order, stage, step, imported, note)
    incidents: list[Incident] = []
    done = [i for i, (_, ev) in enumerate(events) if ev.kind == EventKind.STEP_DONE]
    current = ""                                               # the stage in the order the events came
    for n, i in enumerate(done):
        ev = events[i][1]
        step = pack.step(ev.step)
        nxt = next((j for j in done[n + 1:] if events[j][1].step == step.id), len(events))
        last = max(j for j in range(i, nxt) if events[j][1].step == step.id)   # corrections of this occurrence
        values = decode(events[last][1].data.get("values", {}))
        on = _event_date(step, pack, values)
        for (sid, key, value), what in SETBACKS.items():
            if sid == step.id and values.get(key) == value and on is not None:
                incidents.append(Incident(on, "", what))
        if not _may_move(step):
            continue
        stage = STATE_STAGE.get(each[i][0], "")
        if not stage or stage == current:      # a step within a stage (e.g. 预备党员 → 支部大会通过转正)
            continue
        current = stage
        fact = FACT[stage]
        sets_it = (fact in step.sets or any(fact in t.sets for t in step.to_when)
                   or fact in ev.data.get("facts", {}))
        if sets_it:
            dated = each[last][1].get(fact)
            on = dated if isinstance(dated, date) else on
        if on is None:
            continue
        note = str(values.get(NOTES.get(step.id, "")) or "")
        raw.append((on, i, stage, step.id, bool(ev.data.get("imported")), note))
    raw.sort(key=lambda r: (r[0], r[1]))
    moves: list[Move] = []
    now = ""
    for on, _, stage, step_id, imported, note in raw:
        if stage == now:
            continue
        moves.append(Move(on, now, stage, step_id, imported, note))
        now = stage
    p = Person(row.case_id, row.name, row.branch, cs, moves, [], _registered(events))
    for inc in incidents:   # the stage the case was at when it happened
        p.incidents.append(Incident(inc.on, p.stage_on(inc.on - timedelta(days=1)) or p.stage_on(inc.on), inc.what))
    for m in moves:             # the returns are the set-backs above
        if m.kind == "exit":
            p.incidents.append(Incident(m.on, m.before, m.what, m.note, exit=True))
    p.incidents.sort(key=lambda x: x.on)
    return p


def _registered(events: list[tuple[str, Event]]) -> date | None:
    if not events or not events[0][0]:
        return None
    try:
        return datetime.fromisoformat(events[0][0]).date()
    except ValueError:
        return None


def fits(pack: Pack) -> bool:
    try:
        check_pack(pack)
    except ConfigError:
        return False
    return True


def dump(p: Person) -> str:
    """A Person as its case's view keeps it (JSON; ``load`` gives it back)."""
    return json.dumps({"cs": snapshot(p.cs), "registered": p.registered.isoformat() if p.registered else None,
                       "moves": [[m.on.isoformat(), m.before, m.after, m.step, m.imported, m.note] for m in p.moves],
                       "incidents": [[i.on.isoformat(), i.stage, i.what, i.note, i.exit] for i in p.incidents]},
                      ensure_ascii=False, separators=(",", ":"))


def load(rec: CaseRecord) -> Person:
    data = json.loads(rec.record)
    day = date.fromisoformat
    return Person(rec.case_id, rec.name, rec.branch, restore(data["cs"]),
                  [Move(day(m[0]), m[1], m[2], m[3], m[4], m[5]) for m in data["moves"]],
                  [Incident(day(i[0]), i[1], i[2], i[3], i[4]) for i in data["incidents"]],
                  day(data["registered"]) if data["registered"] else None)


def read_people(eng: Engine, branch: str | None = None) -> list[Person]:
    """Every case (of one branch) as a Person, in case-number order: from the cases' views (made with their
    events; engine.views), not by folding every event again."""
    check_pack(eng.pack)
    return [load(r) for r in eng.store.records(branch)]


# ---------------------------------------------------------------- what was due
@dataclass(frozen=True)
class Check:
    """One half-year assessment that fell due: on time, late, missing, kept on paper (imported), not yet due."""

    person: Person
    kind: str            # 入党积极分子考察 / 预备党员考察
    period: int
    due: date
    done: date | None
    status: str          # 按期完成 | 逾期完成 | 逾期未完成 | 尚未到期 | 导入前纸质记录


ON_TIME, LATE, MISSING, NOT_YET, ON_PAPER = "按期完成", "逾期完成", "逾期未完成", "尚未到期", "导入前纸质记录"
CHECK_STATUSES = (ON_TIME, LATE, MISSING, NOT_YET, ON_PAPER)


def assessments(pack: Pack, p: Person, start: date, end: date, as_of: date) -> list[Check]:
    """The half-year assessments whose due date falls between ``start`` and ``end``: due while the case was at the
    step's stage on that day (or on file anyway), each with how it was kept."""
    out: list[Check] = []
    for step_id, kind in ASSESSMENTS:
        step = pack.step(step_id)
        found = pack.document_collecting(step.form)
        if found is None or found[1].due is None:
            continue
        stage = STATE_STAGE[step.from_[0]]
        date_field = next((f.key for f in pack.forms[step.form].fields if f.type == "date"), "")
        for k in range(1, 60):
            due = due_date(pack, found[1], p.cs, k)
            if due is None or due > end:
                break
            if due < start:
                continue
            record = p.cs.periods.get(step_id, {}).get(k)
            on_paper = k <= p.cs.assumed.get(step_id, 0)
            if record is None and not on_paper and p.stage_on(due) != stage:
                continue
            done = record.get(date_field) if record else None
            done = done if isinstance(done, date) else None
            if on_paper and record is None:
                status = ON_PAPER
            elif done is not None:
                status = ON_TIME if done <= due else LATE
            else:
                status = MISSING if due < as_of else NOT_YET
            out.append(Check(p, kind, k, due, done, status))
    return out


@dataclass(frozen=True)
class Late:
    person: Person
    what: str
    deadline: date
    days: int


def overdue(pack: Pack, p: Person, as_of: date) -> list[Late]:
    """What is past its deadline on ``as_of`` for a case still at the stage it is at now. An imported case's
    history (deadlines before docflow took it) is kept on paper and never reported as overdue."""
    stage = p.stage_on(as_of)
    if not stage or stage not in ORDER or stage != p.stage:
        return []
    out = []
    for d in next_due(pack, p.cs):
        for k, deadline in _deadlines(pack, p.cs, d, as_of):
            if p.imported and p.registered is not None and deadline < p.registered:
                continue
            what = d.label + (f"（第{k}次）" if k else "")
            out.append(Late(p, what, deadline, (as_of - deadline).days))
    return out


def _deadlines(pack: Pack, cs: CaseState, d: Due, as_of: date) -> list[tuple[int | None, date]]:
    if d.deadline is None or d.deadline >= as_of:
        return []
    if d.period is None:
        return [(None, d.deadline)]
    found = pack.document_collecting(pack.step(d.step_id).form)
    out: list[tuple[int | None, date]] = []
    k = d.period
    while found is not None and k < d.period + 40:
        when = due_date(pack, found[1], cs, k)
        if when is None or when >= as_of:
            break
        out.append((k, when))
        k += 1
    return out


def months_between(start: date, end: date) -> int:
    """Full calendar months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)
