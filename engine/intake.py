"""From an identified file to a Plan: what to append to which case (validate + advance), or why not.

Forms: one submission for one case. Rosters: rows taken one by one — good rows become cases (or member
records), each bad row is a finding with its row number; a person already on file is skipped, never
duplicated (recognised by the roster's key field, e.g. the ID number)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from datetime import date

from .advance import World, advance
from .clock import WorkdayCalendar
from .outcomes import Decision, DocumentDue, Event, Finding, Refusal
from .pack import FormDef, Pack
from .readers import docx as docx_reader
from .readers import xlsx as xlsx_reader
from .identify import Identity, Opened
from .imports import plan_import
from .rules import Member
from .state import fold
from .store import Store
from .validate import Submission, placed, validate
from .values import clean_text


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
    joins_members: str = ""           # "预备党员"/"正式党员": join the branch roster; "-": leave it


@dataclass(frozen=True)
class Branches:
    """The committee's branches (docflow.toml): a roster row naming another branch is refused with the list,
    unless new branches are accepted (then it is added, with a warning). No list configured: every branch is
    taken, and a new one is pointed out."""

    configured: tuple[str, ...] = ()
    accept_new: bool = False

    def check(self, branch: str, known: set[str], field_label: str) -> Finding | None:
        key = clean_text(branch, compact=True)
        listed = {clean_text(b, compact=True): b for b in self.configured}
        if key in listed or key in {clean_text(b, compact=True) for b in known}:
            return None
        if self.configured and not self.accept_new:
            guess = difflib.get_close_matches(key, list(listed), n=1, cutoff=0.5)
            hint = f"（是否指“{listed[guess[0]]}”？）" if guess else ""
            return Finding("branch_unknown", f"“{branch}”不是本党委的党支部{hint}",
                           f"请改为以下之一：{'、'.join(self.configured)}；如确是新设立的党支部，请先在 docflow.toml 的 "
                           "[organisation] branches 中加上它", "branch", field_label)
        why = ("docflow.toml 尚未列出本党委的党支部" if not self.configured
               else "它不在 docflow.toml 列出的党支部中（accept_new_branches = true）")
        return Finding("branch_new", f"新的党支部“{branch}”：{why}，已按名册新建",
                       "如是支部名称写错了，请更正名册；建议在 docflow.toml 的 [organisation] branches 中列出各党支部",
                       "branch", field_label, severity="warn")


@dataclass
class Plan:
    changes: list[CaseChange] = field(default_factory=list)
    members: dict[str, list[Member]] = field(default_factory=dict)
    refusals: list[Finding] = field(default_factory=list)       # the whole file is refused
    row_problems: list[Finding] = field(default_factory=list)   # single roster rows refused
    notes: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)       # about the file as a whole (a new branch...)

    @property
    def applies_anything(self) -> bool:
        return bool(self.changes or self.members)


def plan(pack: Pack, store: Store, opened: Opened, ident: Identity, today: date, calendar: WorkdayCalendar,
         branches: Branches = Branches()) -> Plan:
    form = pack.forms[ident.form_id]
    seen = len(calendar.notes)
    if ident.kind == "roster":
        out = _plan_roster(pack, store, opened, ident.form_id, form, today, calendar, branches)
    else:
        out = _plan_form(pack, store, opened, ident, form, today, calendar)
    out.notes += calendar.notes[seen:]  # e.g. a year the holiday calendar does not cover yet
    return out


def _plan_form(pack: Pack, store: Store, opened: Opened, ident: Identity, form: FormDef, today: date,
               calendar: WorkdayCalendar) -> Plan:
    row = store.case(ident.case_id)
    if row is None:
        return Plan(refusals=[Finding("unknown_case", f"表中的案卷编号“{ident.case_id}”在本系统中不存在",
                                      "请使用本系统为该同志生成的表格；如果换了电脑或工作区，请联系党务管理员")])
    if ident.pack_version and ident.pack_version.split("@")[0] != pack.pack.id:
        return Plan(refusals=[Finding("wrong_pack", f"这张表属于流程包“{ident.pack_version}”，不是当前的“{pack.version}”",
                                      "请使用当前流程包生成的表格")])
    if opened.package.kind == "xlsx":
        raw, date1904 = xlsx_reader.read_form(opened.body, form), xlsx_reader.is_1904(opened.body)
        shown = xlsx_reader.named_text(opened.body, "info_name")
    else:
        raw, date1904 = docx_reader.read_form(opened.body, form), False
        shown = docx_reader.label_table(opened.body).get("姓名", "")
    if shown and clean_text(shown, compact=True) != clean_text(row.name, compact=True):
        return Plan(refusals=[Finding("form_person_mismatch",
                                      f"这张表是为{row.name}（案卷 {row.case_id}）生成的，但表中姓名写的是“{shown}”",
                                      f"请使用为{clean_text(shown, compact=True)}生成的表格（在 outbox 该同志的文件夹中），"
                                      "不要复制别人的表格改名使用", "name", "姓名")])
    sub = validate(ident.form_id, form, raw, date1904)
    case = fold(pack, row.case_id, store.events(row.case_id))
    verdict = advance(pack, case, sub, World(today, calendar, store.members(row.branch)))
    problems = all_problems(sub, verdict)
    if problems:
        return Plan(refusals=problems)
    assert isinstance(verdict, Decision)
    warnings = list(verdict.warnings)
    if verdict.events and verdict.events[0].kind == "step_corrected":
        warnings.append(Finding("correction", f"“{pack.step(verdict.events[0].step).label}”此前已有记录，本次按更正处理",
                                "原记录保留在案卷历史中；如并非更正，请检查是否放错了表", severity="warn"))
    change = CaseChange(row.case_id, row.person_key, row.name, row.branch, 0, list(verdict.events),
                        list(verdict.documents), warnings, verdict.joins_members)
    return Plan(changes=[change])


def _plan_roster(pack: Pack, store: Store, opened: Opened, form_id: str, form: FormDef, today: date,
                 calendar: WorkdayCalendar, branches: Branches) -> Plan:
    _, ws = xlsx_reader.score(opened.body, form)
    roster = xlsx_reader.read_roster(ws, form)
    out = Plan(notes=list(roster.notes))
    if roster.missing:
        out.refusals = xlsx_reader.missing_column_findings(roster)
        return out
    if not roster.rows:
        out.refusals = [Finding("empty_roster", "名册中没有任何数据行", "请在表头下方逐行填写人员信息")]
        return out
    date1904 = xlsx_reader.is_1904(opened.body)
    seen: dict[str, int] = {}
    known, new_branches = store.branches(), set()
    for row in roster.rows:
        sub = validate(form_id, form, row.values, date1904)
        branch = str(sub.values.get("branch") or "")
        found = branches.check(branch, known, form.field("branch").label) if branch else None
        if found is not None and found.severity == "refuse":
            sub = replace(sub, problems=sub.problems + (placed(found, sub),))
        elif found is not None and branch not in new_branches:
            new_branches.add(branch)
            out.warnings.append(_at_row(placed(found, sub), row.number))
        key = str(sub.values.get(form.key_field) or "")
        if form.members:  # a name is unique within a branch, not across branches
            if sub.problems:
                out.row_problems += [_at_row(f, row.number) for f in sub.problems]
                continue
            key = f"{sub.values.get('branch')}/{key}"
        if key and key in seen:
            out.row_problems.append(Finding("duplicate_row", f"与第{seen[key]}行是同一人（{form.field(form.key_field).label}相同）",
                                            "请删去重复的一行", form.key_field, form.field(form.key_field).label,
                                            f"第{row.number}行", ref=sub.refs.get(form.key_field, "")))
            continue
        if key:
            seen[key] = row.number
        if form.members:
            branch = str(sub.values.get("branch") or "")
            out.members.setdefault(branch, []).append(
                Member(str(sub.values.get("name")), str(sub.values.get("member_status")),
                       sub.values.get("on_probation_discipline") == "是"))
        else:
            _plan_person(pack, store, sub, row.number, key, today, calendar, out)
    return out


def _plan_person(pack: Pack, store: Store, sub: Submission, row_number: int, key: str, today: date,
                 calendar: WorkdayCalendar, out: Plan) -> None:
    existing = store.case_by_key(key) if key else None
    if existing is not None:
        out.notes.append(f"第{row_number}行 {sub.values.get('name')} 已于此前登记（案卷 {existing.case_id}），本次跳过")
        return
    imp = next((i for i in pack.imports.values() if i.form == sub.form_id), None)
    if imp is not None:
        verdict = plan_import(pack, imp, sub, World(today, calendar))
    else:
        verdict = advance(pack, None, sub, World(today, calendar))
    problems = all_problems(sub, verdict)
    if problems:
        out.row_problems += [_at_row(f, row_number) for f in problems]
        return
    assert isinstance(verdict, Decision)
    applied = sub.values.get("apply_date")
    out.changes.append(CaseChange("", key, str(sub.values.get("name")), str(sub.values.get("branch")),
                                  applied.year if isinstance(applied, date) else today.year,
                                  list(verdict.events), list(verdict.documents),
                                  [_at_row(w, row_number) for w in verdict.warnings], verdict.joins_members))


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
