"""apply — PURE: what a checked file changes, given what the store knows (``Known``), as a ``Plan``.

Forms: one submission for one case (``advance``). Rosters: rows taken one by one — good rows become cases
(or member records), each bad row is a finding with its row number; a person already on file is skipped,
never duplicated (recognised by the roster's key field, e.g. the ID number). No I/O: the road loads
``Known`` from the store before, and stores the Plan after."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from ..check.validate import Checked, Submission, placed
from ..check.values import clean_text
from ..outcomes import Code, Decision, DocumentDue, Event, EventKind, Finding, Member, Refusal, Refused, Severity
from ..pack.model import FormDef, Pack, Terms
from .advance import World, advance
from .imports import plan_import
from .state import CaseState
from .workdays import WorkdayCalendar


@dataclass(frozen=True)
class Branches:
    """The committee's branches (docflow.toml): a roster row naming another branch is refused with the list,
    unless new branches are accepted (then it is added, with a warning). No list configured: every branch is
    taken, and a new one is pointed out."""

    configured: tuple[str, ...] = ()
    accept_new: bool = False

    def check(self, branch: str, known: frozenset[str] | set[str], field: str, field_label: str,
              terms: Terms) -> Finding | None:
        key = clean_text(branch, compact=True)
        listed = {clean_text(b, compact=True): b for b in self.configured}
        if key in listed or key in {clean_text(b, compact=True) for b in known}:
            return None
        ours = f"本{terms.organisation}的{terms.branch}"
        if self.configured and not self.accept_new:
            guess = difflib.get_close_matches(key, list(listed), n=1, cutoff=0.5)
            hint = f"（是否指“{listed[guess[0]]}”？）" if guess else ""
            return Finding(Code.BRANCH_UNKNOWN, f"“{branch}”不是{ours}{hint}",
                           f"请改为以下之一：{'、'.join(self.configured)}；"
                           f"如确是新设立的{terms.branch}，请先在 docflow.toml 的 [organisation] branches 中加上它",
                           field, field_label)
        why = (f"docflow.toml 尚未列出{ours}" if not self.configured
               else f"它不在 docflow.toml 列出的{terms.branch}中（accept_new_branches = true）")
        return Finding(Code.BRANCH_NEW, f"新的{terms.branch}“{branch}”：{why}，已按名册新建",
                       f"如是名称写错了，请更正名册；建议在 docflow.toml 的 [organisation] branches 中列出{ours}",
                       field, field_label, severity=Severity.WARN)


@dataclass(frozen=True)
class CaseRef:
    """A case as the store lists it."""

    case_id: str
    person_key: str
    name: str
    branch: str


@dataclass(frozen=True)
class Known:
    """What the store knows that planning one file needs (loaded by the road before the pure step)."""

    today: date
    calendar: WorkdayCalendar
    branches: Branches = Branches()
    known_branches: frozenset[str] = frozenset()
    case: CaseRef | None = None                   # a form: its case (None: the case id is unknown)
    state: CaseState | None = None                # ... and its state
    members: Mapping[str, Member] | None = None   # ... and its branch's member roster (None: no roster yet)
    people: Mapping[str, str] = field(default_factory=dict)   # a roster: person key -> case id on file


@dataclass
class CaseChange:
    case_id: str                      # "" = a new case
    person_key: str
    name: str
    branch: str
    year: int
    events: list[Event]
    documents: list[DocumentDue]
    warnings: list[Finding] = field(default_factory=list)
    joins_members: str = ""           # a member status: join the branch roster with it
    leaves_members: bool = False      # leave the branch roster


@dataclass
class Plan:
    changes: list[CaseChange] = field(default_factory=list)
    members: dict[str, list[Member]] = field(default_factory=dict)
    refusals: list[Finding] = field(default_factory=list)       # the whole file is refused
    row_problems: list[Finding] = field(default_factory=list)   # single roster rows refused
    notes: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)       # about the file as a whole (a new branch...)
    identity: str = ""                                          # what the file is (see reading.identity_key)
    # what the plan was made on: case id → its number of events, person key → its case id ("" = none yet);
    # the store stage checks it still holds (another writer on a shared store may have changed it meanwhile)
    basis: dict[str, int | str] = field(default_factory=dict)

    @property
    def applies_anything(self) -> bool:
        return bool(self.changes or self.members)


def person_key(pack: Pack, form: FormDef, sub: Submission) -> str:
    """How a roster row names its person in the store (members: a name is unique within a branch only)."""
    key = str(sub.values.get(form.key_field) or "")
    return f"{sub.values.get(branch_field(pack, form))}/{key}" if form.members and key else key


def branch_field(pack: Pack, form: FormDef) -> str:
    return pack.members.branch if form.members and pack.members else pack.case.branch


def apply(pack: Pack, checked: Checked | Refused, known: Known) -> Plan | Refused:
    if isinstance(checked, Refused):
        return checked
    form = pack.forms[checked.form_id]
    if checked.form is not None:
        plan = _form(pack, checked, checked.form, known)
    else:
        plan = _roster(pack, checked, form, known)
    plan.identity = checked.reading.identity.key(checked.reading.name)
    return plan


def _form(pack: Pack, checked: Checked, sub: Submission, known: Known) -> Plan:
    ident = checked.reading.identity
    case = known.case
    if case is None or known.state is None:
        return Plan(refusals=[Finding(Code.UNKNOWN_CASE, f"表中的案卷编号“{ident.case_id}”在本系统中不存在",
                                      "请使用本系统为该同志生成的表格；如果换了电脑或工作区，请联系负责本系统的管理员")])
    if ident.pack_version and ident.pack_version.split("@")[0] != pack.pack.id:
        return Plan(refusals=[Finding(Code.WRONG_PACK,
                                      f"这张表属于流程包“{ident.pack_version}”，不是当前的“{pack.version}”",
                                      "请使用当前流程包生成的表格")])
    shown = checked.reading.shown_name
    if shown and clean_text(shown, compact=True) != clean_text(case.name, compact=True):
        label = pack.person_label(pack.case.name)
        return Plan(refusals=[Finding(Code.FORM_PERSON_MISMATCH,
                                      f"这张表是为{case.name}（案卷 {case.case_id}）生成的，"
                                      f"但表中{label}写的是“{shown}”",
                                      f"请使用为{clean_text(shown, compact=True)}生成的表格"
                                      "（在 outbox 该同志的文件夹中），不要复制别人的表格改名使用",
                                      pack.case.name, label)])
    verdict = advance(pack, known.state, sub, World(known.today, known.calendar, known.members))
    problems = all_problems(sub, verdict)
    if problems:
        return Plan(refusals=problems)
    assert isinstance(verdict, Decision)
    warnings = list(verdict.warnings)
    if verdict.events and verdict.events[0].kind == EventKind.STEP_CORRECTED:
        step_label = pack.step(verdict.events[0].step).label
        warnings.append(Finding(Code.CORRECTION, f"“{step_label}”此前已有记录，本次按更正处理",
                                "原记录保留在案卷历史中；如并非更正，请检查是否放错了表", severity=Severity.WARN))
    change = CaseChange(case.case_id, case.person_key, case.name, case.branch, 0, list(verdict.events),
                        list(verdict.documents), warnings, verdict.joins_members, verdict.leaves_members)
    return Plan(changes=[change])


def _roster(pack: Pack, checked: Checked, form: FormDef, known: Known) -> Plan:
    out = Plan(notes=list(checked.notes))
    seen: dict[str, int] = {}
    new_branches: set[str] = set()
    field = branch_field(pack, form)
    for row in checked.rows:
        sub = row.sub
        branch = str(sub.values.get(field) or "")
        found = (known.branches.check(branch, known.known_branches, field, form.label_of(field), pack.terms)
                 if branch else None)
        if found is not None and found.severity == "refuse":
            sub = replace(sub, problems=sub.problems + (placed(found, sub),))
        elif found is not None and branch not in new_branches:
            new_branches.add(branch)
            out.warnings.append(_at_row(placed(found, sub), row.number))
        if form.members and sub.problems:
            out.row_problems += [_at_row(f, row.number) for f in sub.problems]
            continue
        key = person_key(pack, form, sub)
        if key and key in seen:
            key_label = form.label_of(form.key_field)
            out.row_problems.append(Finding(Code.DUPLICATE_ROW, f"与第{seen[key]}行是同一人（{key_label}相同）",
                                            "请删去重复的一行", form.key_field, key_label,
                                            f"第{row.number}行", ref=sub.refs.get(form.key_field, "")))
            continue
        if key:
            seen[key] = row.number
        if form.members and pack.members is not None:
            m = pack.members
            out.members.setdefault(branch, []).append(
                Member(str(sub.values.get(m.name)), str(sub.values.get(m.status)),
                       bool(m.discipline) and sub.values.get(m.discipline) == m.discipline_yes))
        else:
            _person(pack, sub, row.number, key, known, out)
    return out


def _person(pack: Pack, sub: Submission, row_number: int, key: str, known: Known, out: Plan) -> None:
    c = pack.case
    existing = known.people.get(key) if key else None
    if existing is not None:
        out.notes.append(f"第{row_number}行 {sub.values.get(c.name)} 已于此前登记（案卷 {existing}），本次跳过")
        return
    imp = next((i for i in pack.imports.values() if i.form == sub.form_id), None)
    world = World(known.today, known.calendar)
    verdict = plan_import(pack, imp, sub, world) if imp is not None else advance(pack, None, sub, world)
    problems = all_problems(sub, verdict)
    if problems:
        out.row_problems += [_at_row(f, row_number) for f in problems]
        return
    assert isinstance(verdict, Decision)
    applied = sub.values.get(c.year)
    out.changes.append(CaseChange("", key, str(sub.values.get(c.name)), str(sub.values.get(c.branch)),
                                  applied.year if isinstance(applied, date) else known.today.year,
                                  list(verdict.events), list(verdict.documents),
                                  [_at_row(w, row_number) for w in verdict.warnings], verdict.joins_members,
                                  verdict.leaves_members))


def all_problems(sub: Submission, verdict: Decision | Refusal) -> list[Finding]:
    """Every problem one pass can find: the values that could not be read or are missing, and the refusals of
    the rules that could still be evaluated (a rule about a field whose value is unreadable says nothing new).
    A form dropped at the wrong step or for the wrong person is only told that."""
    refusals = list(verdict.reasons) if isinstance(verdict, Refusal) else []
    if any(r.code == "wrong_step" for r in refusals):
        return refusals
    unreadable = {p.field for p in sub.problems}
    return list(sub.problems) + [r for r in refusals if not (r.field and r.field in unreadable)]


def _at_row(f: Finding, row_number: int) -> Finding:
    place = f.place if f.place.startswith("第") else f"第{row_number}行" + (f"（{f.place}）" if f.place else "")
    return replace(f, place=place)
