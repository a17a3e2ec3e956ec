"""Reports (docflow report): a small committee of 30 people with known dates and figures, and every cell of every
report checked against them.

The committee is built the way staff build one: the member rosters, the applicant roster, the walkthrough's case
(张三, through every step) and a second one a year later (李明, to 预备党员), a withdrawal and a ledger import all go
through the real road as files; the other cases are driven through the same procedure purely (``advance``) and
their events stored the way the road stores them (engine.store.commit), to keep the suite fast.

Dates were chosen for the boundaries: people entering and leaving stages on the first and last day of the third
quarter of 2026 (and the days either side), a December meeting approved in January, approvals on 31 December,
ages on the approval date at 25/26 and 35/36, structure targets met exactly (8 of 10 = 80%) and missed by one.
Today is 2027-01-20, so 2026 is over and its reports are final."""
from __future__ import annotations

import argparse
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from engine import Engine
from engine.check.validate import Submission
from engine.clock import FixedClock
from engine.errors import ConfigError, DocflowError, WorkspaceError
from engine.outcomes import Decision, Member, Processed
from engine.pack.model import Pack
from engine.procedure.advance import World, advance
from engine.procedure.dates import add_months
from engine.procedure.state import fold
from engine.report import figures as fg
from engine.report import make, report
from engine.report.build import inputs
from engine.report.cli import add_parser, cmd_report
from engine.report.people import person_of
from engine.report.plan import StatisticsSettings, StructureTarget, load_plan, load_statistics
from engine.store import CaseRow
from engine.testing import (
    drop,
    fill_form,
    id_number,
    issued_form,
    load_walkthrough,
    member_roster,
    roster_row,
    workspace,
    write_roster,
)
from engine.views import refresh
from engine.workspace import load_workspace

TODAY = date(2027, 1, 20)
D = date
B1, B2, B3 = "第一党支部", "第二党支部", "第三党支部"
WALK = load_walkthrough("party")
PHONE = "13800000000"

SETTINGS = """
[plan.2026]
new_members = 8
applicants = 5
activists = 6
targets = 3
full_members = 2

[plan.2026.per_branch]
activists = 2

[[plan.2026.structure]]
label = "35岁以下"
measure = "age_at_most"
value = 35
share = 0.80

[[plan.2026.structure]]
label = "大专及以上学历"
measure = "education_at_least"
value = "大专"
share = 0.90

[[plan.2026.structure]]
label = "女性"
measure = "gender"
value = "女"
share = 0.25

[[plan.2026.structure]]
label = "生产工作一线"
measure = "frontline"
share = 1.0

[[plan.2026.structure]]
label = "少数民族"
measure = "ethnic_minority"
count = 1

[[plan.2026.structure]]
label = "教师"
measure = "field_contains"
field = "post"
value = "教师"
share = 0.5

[statistics.occupation]
"专业技术人员" = ["教师", "医生", "校医"]
"办事人员" = ["会计"]
"""


# ---------------------------------------------------------------- the committee
@dataclass
class P:
    """One person of the committee and the dates of their way (None: not reached)."""

    name: str
    branch: str
    birth: date
    apply: date
    gender: str = "男"
    ethnicity: str = "汉族"
    education: str = "大学本科"
    post: str = "教师"
    frontline: str = "是"
    unit: str = "XX学区中心小学"
    talk: bool = True
    activist: date | None = None
    assessed: dict[int, date] | None = None      # None: every period due before the target, 3 days early
    target: date | None = None
    failed_vote: date | None = None              # an admission vote that did not pass (stays 发展对象)
    meeting: date | None = None
    approval: date | None = None
    probation: dict[int, date] = field(default_factory=dict)
    conversion: tuple[date, date] | None = None  # (conversion meeting 按期转正, approval)
    withdraw: date | None = None
    transfer: date | None = None
    seq: int = 0

    def row(self) -> dict[str, Any]:
        return {"name": self.name, "gender": self.gender, "ethnicity": self.ethnicity, "birth_date": self.birth,
                "id_number": id_number(self.birth, self.seq), "education": self.education, "unit": self.unit,
                "post": self.post, "frontline": self.frontline, "phone": PHONE, "branch": self.branch,
                "apply_date": self.apply}


def born(on: date, age: int, next_day: bool = False) -> date:
    """A birth date that makes someone exactly ``age`` on ``on`` (``next_day``: the day before age + 1)."""
    if next_day:
        return add_months(on + timedelta(days=1), -12 * (age + 1))
    return add_months(on, -12 * age)


SEEDED = [
    # the year's new members (approved in 2026), ages on the approval date in the comment
    P("周一", B1, born(D(2026, 5, 15), 25, next_day=True), D(2024, 6, 3), post="语文教师",          # 25
      activist=D(2024, 9, 2), target=D(2025, 9, 2), meeting=D(2026, 4, 10), approval=D(2026, 5, 15),
      probation={1: D(2026, 10, 7)}),
    P("吴二", B1, born(D(2026, 6, 12), 26), D(2024, 5, 6), gender="女", post="数学教师",               # 26
      activist=D(2024, 8, 5), target=D(2025, 8, 5), meeting=D(2026, 5, 8), approval=D(2026, 6, 12),
      probation={1: D(2026, 11, 5)}),
    P("马三", B2, D(1995, 8, 20), D(2023, 9, 1), ethnicity="回族", education="研究生",              # 30
      activist=D(2024, 1, 8), target=D(2025, 1, 8), meeting=D(2025, 11, 14), approval=D(2026, 2, 6),
      probation={1: D(2026, 5, 11), 2: D(2026, 11, 11)}),
    P("郑五", B3, born(D(2026, 7, 3), 35, next_day=True), D(2024, 7, 1), gender="女", education="大学专科",
      post="英语教师", activist=D(2024, 10, 8), target=D(2025, 10, 8), meeting=D(2026, 6, 5),       # 35
      approval=D(2026, 7, 3), probation={1: D(2026, 12, 2)}),
    P("王六", B3, born(D(2026, 11, 20), 36), D(2024, 9, 2), post="体育教师", frontline="否",          # 36
      activist=D(2024, 12, 2), target=D(2025, 12, 2), meeting=D(2026, 10, 16), approval=D(2026, 11, 20)),
    P("冯七", B1, D(1997, 9, 1), D(2024, 1, 10), post="校医", activist=D(2024, 4, 10),               # 28
      target=D(2025, 4, 10), meeting=D(2026, 1, 20), approval=D(2026, 3, 10), probation={1: D(2026, 7, 17)}),
    P("陈八", B2, D(1981, 3, 15), D(2024, 3, 4), education="中专", post="会计", activist=D(2024, 6, 3),  # 45
      target=D(2025, 6, 3), meeting=D(2026, 5, 22), approval=D(2026, 9, 30), probation={1: D(2026, 11, 19)}),
    P("褚九", B3, D(2004, 5, 5), D(2024, 11, 4), education="大学专科", post="后勤",                    # 22
      activist=D(2025, 2, 10), target=D(2026, 2, 10), meeting=D(2026, 11, 13), approval=D(2026, 12, 31)),
    P("卫十", B1, D(1992, 10, 10), D(2023, 12, 4), post="医生", activist=D(2024, 3, 4),               # 33
      target=D(2025, 3, 4), meeting=D(2025, 12, 18), approval=D(2026, 1, 8),    # a December meeting, January
      probation={1: D(2026, 6, 15), 2: D(2026, 12, 15)}),
    # approved on either side of 2026
    P("蒋一", B2, D(1996, 1, 1), D(2024, 10, 8), activist=D(2025, 1, 6), target=D(2026, 1, 6),
      meeting=D(2026, 12, 17), approval=D(2027, 1, 7)),
    P("沈零", B3, D(1994, 4, 4), D(2023, 6, 1), activist=D(2023, 9, 1), target=D(2024, 9, 2),
      meeting=D(2025, 11, 20), approval=D(2025, 12, 31), probation={1: D(2026, 5, 18), 2: D(2026, 11, 18)}),
    # converted: 转正时间 2026-01-10 (in 2026) and 2025-12-31 (not)
    P("王五", B3, D(1993, 2, 2), D(2023, 3, 1), activist=D(2023, 6, 1), target=D(2024, 6, 3),
      meeting=D(2025, 1, 10), approval=D(2025, 3, 1), probation={1: D(2025, 7, 7), 2: D(2026, 1, 7)},
      conversion=(D(2026, 1, 12), D(2026, 2, 20))),
    P("赵六", B2, D(1990, 6, 6), D(2022, 9, 1), activist=D(2022, 12, 1), target=D(2023, 12, 1),
      meeting=D(2024, 12, 31), approval=D(2025, 2, 14), probation={1: D(2025, 6, 27), 2: D(2025, 12, 28)},
      conversion=(D(2026, 1, 5), D(2026, 1, 30))),
    # the pool
    P("孔一", B1, D(1998, 1, 1), D(2025, 10, 10), activist=D(2026, 1, 15), assessed={1: D(2026, 7, 10)},
      post="=教师"),                                      # text that looks like a formula (stored before the reader)
    P("曹二", B2, D(1999, 2, 2), D(2026, 1, 5), post="会计", activist=D(2026, 3, 31),
      assessed={1: D(2026, 10, 5)}),                                      # due 2026-09-30: late
    P("严三", B3, D(1997, 3, 3), D(2025, 12, 1), post="医生", activist=D(2026, 2, 20), assessed={}),  # missing
    P("华四", B1, D(2000, 4, 4), D(2026, 4, 1), gender="女", education="研究生",
      activist=D(2026, 7, 1)),                                            # the first day of the quarter
    P("金五", B2, D(2001, 5, 5), D(2026, 3, 1), gender="女", education="大学专科",
      activist=D(2026, 6, 30)),                                           # the day before
    P("魏一", B1, D(1996, 6, 6), D(2024, 12, 2), activist=D(2025, 3, 20), target=D(2026, 3, 20),
      transfer=D(2026, 8, 15)),
    P("陶二", B2, D(1995, 7, 7), D(2024, 12, 9), gender="女", activist=D(2025, 4, 10), target=D(2026, 4, 10),
      failed_vote=D(2026, 8, 20)),
    P("姜三", B3, D(1994, 8, 8), D(2025, 6, 2), education="研究生", frontline="否", activist=D(2025, 10, 1),
      assessed={1: D(2026, 3, 28), 2: D(2026, 9, 28)}, target=D(2026, 10, 1)),
    P("戚四", B3, D(1993, 9, 9), D(2025, 8, 1), activist=D(2025, 11, 3), assessed={1: D(2026, 4, 30)},
      withdraw=D(2026, 6, 30)),
]
ROSTER = [   # the applicant roster dropped through the road (third branch's quarter boundaries)
    P("林一", B2, D(1999, 1, 11), D(2026, 7, 1), gender="女"),              # the first day of the quarter
    P("林二", B2, D(1998, 2, 12), D(2026, 9, 30), education="大学专科"),     # the last day
    P("林三", B2, D(1997, 3, 13), D(2026, 6, 30), gender="女", education="研究生"),   # the day before; withdrawn
    P("林四", B2, D(1996, 4, 14), D(2026, 10, 1), education="高中及以下", post="保安", unit="+XX物业",
      frontline="否"),                                                    # the day after
]
LEDGER = [   # adopted mid-year: imported history
    ("黄一", D(1992, 12, 12), D(2025, 3, 1), D(2025, 9, 1), "男", "入党积极分子"),
    ("黄二", D(2002, 2, 20), D(2026, 5, 10), None, "女", "入党申请人"),
]
for i, p in enumerate(SEEDED + ROSTER, 1):
    p.seq = 100 + i


def tally(members: dict[str, Member] | None, meeting: date, outcome: str) -> dict[str, Any]:
    """A vote's figures that agree with the branch roster as the store has it."""
    members = members or {}
    full = sum(1 for m in members.values() if m.status == "正式党员")
    discipline = sum(1 for m in members.values() if m.status == "正式党员" and m.on_probation_discipline)
    due = full - discipline
    present = due - 2
    yes = present - 1 if outcome != "不通过" else due // 2
    return dict(meeting_date=meeting, place="学区会议室", chair="刘一", recorder="周三", members_total=len(members),
                members_full=full, members_probationary=len(members) - full, members_discipline=discipline,
                due_voting=due, present_voting=present, written_yes=0, written_no=0, written_abstain=0,
                ballots_issued=present, ballots_returned=present, yes=yes, no=present - yes, abstain=0,
                outcome=outcome)


def journey(p: P) -> list[tuple[str, dict[str, Any]]]:
    """The forms of ``p``'s way after the roster, as staff fill them (votes: filled in when submitted)."""
    out: list[tuple[str, dict[str, Any]]] = []
    if p.talk and p.activist:
        out.append(("talk", dict(talk_date=p.apply + timedelta(days=10), talker="刘一", talker_post="支部书记",
                                 summary="谈入党动机")))
    if p.activist:
        out.append(("activist", dict(decision_date=p.activist, method="党员推荐", filing_date=p.activist,
                                     contact_1="刘一", contact_2="周三")))
        assessed = p.assessed
        if assessed is None:
            assessed = {}
            k = 1
            while p.target and add_months(p.activist, 6 * k) <= p.target:
                assessed[k] = add_months(p.activist, 6 * k) - timedelta(days=3)
                k += 1
        for k, when in sorted(assessed.items()):
            out.append(("assessment", dict(period=k, assess_date=when, assessor="刘一", opinion="表现良好",
                                           result="合格")))
    if p.target:
        out.append(("target", dict(decision_date=p.target, opinions_summary="一致同意", filing_date=p.target)))
        out.append(("publicity_target", dict(start=p.target + timedelta(days=1), end=p.target + timedelta(days=21),
                                             feedback="", outcome="无异议")))
        out.append(("sponsors", dict(sponsor_1="刘一", sponsor_2="周三")))
    vote_day = p.meeting or p.failed_vote
    if vote_day:
        out += [("review", dict(review_date=vote_day - timedelta(days=55), methods="函调、谈话", conclusion="通过")),
                ("training", dict(start=vote_day - timedelta(days=50), end=vote_day - timedelta(days=48), hours=24,
                                  certificate_no="2026-001")),
                ("prereview", dict(committee_review_date=vote_day - timedelta(days=30),
                                   prereview_date=vote_day - timedelta(days=25), result="同意",
                                   volunteer_book_no="0012345", volunteer_date=vote_day - timedelta(days=24),
                                   leaving_soon="否")),
                ("publicity_admission", dict(start=vote_day - timedelta(days=22), end=vote_day - timedelta(days=3),
                                             feedback="", outcome="无异议"))]
    if p.failed_vote:
        out.append(("admission_vote", {"meeting_date": p.failed_vote, "outcome": "不通过"}))
    if p.meeting:
        out.append(("admission_vote", {"meeting_date": p.meeting, "outcome": "通过"}))
        out.append(("committee_talk", dict(talk_date=p.meeting + timedelta(days=1), talker="王书记",
                                           summary="入党前谈话")))
    if p.approval:
        out.append(("admission_approval", dict(approval_date=p.approval, result="批准", filing_date=p.approval)))
    for k, when in sorted(p.probation.items()):
        out.append(("probation_assessment", dict(period=k, assess_date=when, assessor="刘一", opinion="良好",
                                                 result="合格")))
    if p.conversion:
        meeting, approved = p.conversion
        end = add_months(p.meeting, 12) if p.meeting else meeting
        out += [("conversion_apply", dict(apply_date=end - timedelta(days=21))),
                ("publicity_conversion", dict(start=end - timedelta(days=19), end=end - timedelta(days=5),
                                              feedback="", outcome="无异议")),
                ("conversion_vote", {"meeting_date": meeting, "outcome": "按期转正"}),
                ("conversion_approval", dict(approval_date=approved, result="批准")),
                ("archive", dict(archive_date=approved + timedelta(days=3), archive_type="人事档案",
                                 location="学区人事档案室"))]
    if p.withdraw:
        out.append(("withdraw", dict(withdraw_date=p.withdraw, reason="本人申请")))
    if p.transfer:
        out.append(("transfer_out", dict(transfer_date=p.transfer, to_org="YY学区党委")))
    return out


def with_tally(eng: Engine, branch: str, form_id: str, values: dict[str, Any]) -> dict[str, Any]:
    if form_id in ("admission_vote", "conversion_vote") and "members_total" not in values:
        return tally(eng.store.members(branch), values["meeting_date"], values["outcome"])
    return values


def seed(eng: Engine, p: P) -> str:
    """Drive ``p`` through the procedure purely and store each submission's events as the road does (one
    transaction per file: the events, the roster change, the case's view)."""
    pack = eng.pack
    events: list = []
    case_id = ""
    for n, (form_id, values) in enumerate([("applicant_roster", p.row()), *journey(p)]):
        values = with_tally(eng, p.branch, form_id, values)
        typed = {f.key: None for f in pack.forms[form_id].fields} | values
        members = eng.store.members(p.branch) if n else None
        verdict = advance(pack, fold(pack, case_id, events) if n else None, Submission(form_id, typed, {}, {}),
                          World(TODAY, eng.calendar, members))
        assert isinstance(verdict, Decision), (p.name, form_id, [r.message for r in verdict.reasons])
        stamp = eng.stamp()
        with eng.store.transaction():
            if not n:
                case_id = eng.store.new_case(p.apply.year, typed["id_number"], p.name, p.branch, pack.version, stamp)
            eng.store.append(case_id, list(verdict.events), at=stamp, sha256=f"seed-{p.name}-{n}",
                             file_name=f"{form_id}.xlsx", pack_version=pack.version)
            if verdict.joins_members or verdict.leaves_members:
                member = Member(p.name, verdict.joins_members) if verdict.joins_members else None
                eng.store.set_member(p.branch, member, p.name, f"seed-{p.name}-{n}")
            refresh(eng, [case_id])
        events = eng.store.events(case_id)
    return case_id


def by_road(eng: Engine, tmp: Path, case_id: str, branch: str, subs: list[tuple[str, dict[str, Any]]]) -> None:
    """Each form the engine issued, filled as staff fill it, dropped into the inbox."""
    for n, (form_id, values) in enumerate(subs, 1):
        values = with_tally(eng, branch, form_id, values)
        src = issued_form(eng, case_id, form_id, values.get("period"))
        typed = {k: v for k, v in values.items() if k != "period" or src.suffix == ".docx"}
        out = drop(eng, fill_form(src, tmp / f"{case_id}-{n:02d}-{form_id}{src.suffix}", typed))
        assert isinstance(out, Processed), (case_id, form_id, out)


def shifted(values: dict[str, Any], days: int) -> dict[str, Any]:
    return {k: v + timedelta(days=days) if isinstance(v, date) else v for k, v in values.items()}


@dataclass
class Committee:
    eng: Engine
    ids: dict[str, str]               # name -> case id
    tmp: Path

    def people(self, branch: str | None = None):
        return inputs(self.eng, branch).people

    def make(self, kind: str, year: int = 2026, **kw: Any):
        return {o.name: o.data for o in make(inputs(self.eng, kw.pop("branch", None)), kind, year, **kw)}


@pytest.fixture(scope="module")
def committee(tmp_path_factory) -> Committee:
    tmp = tmp_path_factory.mktemp("report")
    ws = workspace(tmp / "ws")
    with (ws.root / "docflow.toml").open("a", encoding="utf-8") as fh:
        fh.write(SETTINGS)
    eng = Engine.open(load_workspace(ws.root), clock=FixedClock(TODAY))
    pack = eng.pack
    for branch in (B1, B2, B3):
        members = [(m["name"], branch, m["status"]) for m in WALK.members]
        drop(eng, member_roster(tmp / f"党员名册-{branch}.xlsx", members,
                                discipline={m["name"]: "是" for m in WALK.members if m.get("discipline")}))
    li = dict(WALK.person, name="李明", branch=B2, apply_date=WALK.person["apply_date"] + timedelta(days=364),
              id_number=id_number(WALK.person["birth_date"], 456))
    people = [WALK.person, li, *(p.row() for p in ROSTER)]
    rows_ = [roster_row(pack, "applicant_roster", r) for r in people]
    first = drop(eng, write_roster(tmp / "入党申请人名册.xlsx", rows_, title="入党申请人名册"))
    assert isinstance(first, Processed) and len(first.cases) == 6, first
    ids = {c.split(" ")[1].split("（")[0]: c.split(" ")[0] for c in first.cases}
    by_road(eng, tmp, ids["张三"], B1, WALK.submissions)
    upto = next(i for i, (f, v) in enumerate(WALK.submissions) if f == "probation_assessment" and v["period"] == 2)
    by_road(eng, tmp, ids["李明"], B2, [(f, shifted(v, 364)) for f, v in WALK.submissions[:upto]])
    by_road(eng, tmp, ids["林三"], B2, [("withdraw", dict(withdraw_date=D(2026, 9, 30), reason="本人申请"))])
    ledger = [roster_row(pack, "ledger", dict(name=name, gender=g, ethnicity="汉族", birth_date=b,
                                               id_number=id_number(b, 300 + i), education="大学本科",
                                               unit="XX学区第二小学", post="教师", frontline="是", phone=PHONE,
                                               branch=B3, apply_date=a, activist_date=ac, stage=stage))
              for i, (name, b, a, ac, g, stage) in enumerate(LEDGER)]
    imported = drop(eng, write_roster(tmp / "发展党员工作台账.xlsx", ledger, title="发展党员工作台账"))
    assert isinstance(imported, Processed) and len(imported.cases) == 2, imported
    ids |= {c.split(" ")[1].split("（")[0]: c.split(" ")[0] for c in imported.cases}
    for p in SEEDED:
        ids[p.name] = seed(eng, p)
    yield Committee(eng, ids, tmp)
    eng.store.close()


# ---------------------------------------------------------------- reading what the reports wrote
def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(wb: openpyxl.Workbook, sheet: str) -> list[list[Any]]:
    """The data rows of a report sheet (below the title, the note and the header), dates as dates."""
    ws = wb[sheet]
    out = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        out.append([v.date() if hasattr(v, "date") and callable(v.date) else v for v in row])
    return out


def header(wb: openpyxl.Workbook, sheet: str) -> list[str]:
    return [c.value for c in wb[sheet][3]]


def one(outputs: dict[str, bytes], suffix: str) -> bytes:
    [data] = [v for k, v in outputs.items() if k.endswith(suffix)]
    return data


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for r in t.rows:
            parts.append("|".join(c.text for c in r.cells))
    return "\n".join(parts)


def flow_rows(wb, sheet="阶段变动") -> dict[tuple[str, str], list[int]]:
    return {(r[0], r[1]): r[2:] for r in rows(wb, sheet)}


# ---------------------------------------------------------------- the committee is what the dates say
def test_the_real_road_made_the_road_cases(committee):
    eng, ids = committee.eng, committee.ids
    assert len(eng.store.cases()) == 30
    zs = fold(eng.pack, ids["张三"], eng.store.events(ids["张三"]))
    lm = fold(eng.pack, ids["李明"], eng.store.events(ids["李明"]))
    assert (zs.state, zs.facts["full_date"]) == ("full", D(2026, 4, 25))
    assert (lm.state, lm.facts["approval_date"], lm.facts["join_date"]) == ("probationary", D(2026, 6, 19),
                                                                           D(2026, 4, 24))
    assert fold(eng.pack, ids["林三"], eng.store.events(ids["林三"])).state == "withdrawn"
    assert fold(eng.pack, ids["黄一"], eng.store.events(ids["黄一"])).imported


def test_stages_come_from_the_forms_dates_not_from_when_files_were_processed(committee):
    people = {p.name: p for p in committee.people()}
    wei = people["卫十"]          # everything processed on 2027-01-20; the stages are dated by the forms
    assert [(m.on, m.after) for m in wei.moves] == [
        (D(2023, 12, 4), "applicant"), (D(2024, 3, 4), "activist"), (D(2025, 3, 4), "target"),
        (D(2025, 12, 18), "voted"), (D(2026, 1, 8), "probationary")]
    assert wei.stage_on(D(2025, 12, 31)) == "voted" and wei.stage_on(D(2026, 1, 8)) == "probationary"
    tao = people["陶二"]
    assert tao.stage == "target" and [(i.on, i.stage, i.what) for i in tao.incidents] == [
        (D(2026, 8, 20), "target", "支部大会讨论接收预备党员未通过")]
    huang = people["黄一"]
    assert huang.imported and [(m.on, m.after, m.imported) for m in huang.moves] == [
        (D(2025, 3, 1), "applicant", True), (D(2025, 9, 1), "activist", True)]


def test_a_corrected_date_moves_the_stage_entry():
    """A correction of a step replaces its date: the stage is entered on the corrected day."""
    from procedure import HAPPY, MEMBERS

    from engine.procedure.workdays import WorkdayCalendar

    pack = _pack()
    corrected = ("activist", dict(HAPPY[2][1], decision_date=D(2024, 3, 4), filing_date=D(2024, 3, 4)))
    events: list = []
    for form_id, values in [*HAPPY[:3], corrected]:
        cs = fold(pack, "2024-0001", events) if events else None
        verdict = advance(pack, cs, Submission(form_id, values, {}, {}), World(TODAY, WorkdayCalendar(), MEMBERS))
        assert isinstance(verdict, Decision)
        events += [("2027-01-20T09:00:00+08:00", e) for e in verdict.events]
    assert events[-1][1].kind == "step_corrected"
    p = person_of(pack, CaseRow("2024-0001", "x", "张三", B1, pack.version), events)
    assert [(m.on, m.after) for m in p.moves] == [(D(2024, 1, 5), "applicant"), (D(2024, 3, 4), "activist")]


# ---------------------------------------------------------------- 季度通报
Q3 = {  # (branch, stage): opening, entered, of which back, forward, back, withdrawn, transferred, cancelled, closing
    (B1, "入党申请人"): [1, 0, 0, 1, 0, 0, 0, 0, 0],
    (B1, "入党积极分子"): [1, 1, 0, 0, 0, 0, 0, 0, 2],
    (B1, "发展对象"): [1, 0, 0, 0, 0, 0, 1, 0, 0],
    (B1, "接收待审批"): [0, 0, 0, 0, 0, 0, 0, 0, 0],
    (B1, "预备党员"): [4, 0, 0, 0, 0, 0, 0, 0, 4],
    (B1, "正式党员"): [1, 0, 0, 0, 0, 0, 0, 0, 1],
    (B2, "入党申请人"): [1, 2, 0, 0, 0, 1, 0, 0, 2],
    (B2, "入党积极分子"): [2, 0, 0, 0, 0, 0, 0, 0, 2],
    (B2, "发展对象"): [2, 0, 0, 0, 0, 0, 0, 0, 2],
    (B2, "接收待审批"): [1, 0, 0, 1, 0, 0, 0, 0, 0],
    (B2, "预备党员"): [2, 1, 0, 0, 0, 0, 0, 0, 3],
    (B2, "正式党员"): [1, 0, 0, 0, 0, 0, 0, 0, 1],
    (B3, "入党申请人"): [1, 0, 0, 0, 0, 0, 0, 0, 1],
    (B3, "入党积极分子"): [3, 0, 0, 0, 0, 0, 0, 0, 3],
    (B3, "发展对象"): [2, 0, 0, 0, 0, 0, 0, 0, 2],
    (B3, "接收待审批"): [1, 0, 0, 1, 0, 0, 0, 0, 0],
    (B3, "预备党员"): [1, 1, 0, 0, 0, 0, 0, 0, 2],
    (B3, "正式党员"): [1, 0, 0, 0, 0, 0, 0, 0, 1],
    ("全委合计", "入党申请人"): [3, 2, 0, 1, 0, 1, 0, 0, 3],
    ("全委合计", "入党积极分子"): [6, 1, 0, 0, 0, 0, 0, 0, 7],
    ("全委合计", "发展对象"): [5, 0, 0, 0, 0, 0, 1, 0, 4],
    ("全委合计", "接收待审批"): [2, 0, 0, 2, 0, 0, 0, 0, 0],
    ("全委合计", "预备党员"): [7, 2, 0, 0, 0, 0, 0, 0, 9],
    ("全委合计", "正式党员"): [3, 0, 0, 0, 0, 0, 0, 0, 3],
}


def test_quarterly_stage_flows_count_the_first_and_last_day_of_the_quarter(committee):
    out = committee.make("quarterly", quarter=3)
    assert sorted(out) == ["2026年第三季度发展党员工作通报.docx", "2026年第三季度发展党员工作通报.xlsx"]
    wb = book(one(out, ".xlsx"))
    assert wb.sheetnames == ["阶段变动", "人员变动", "培养考察", "考察明细", "逾期事项"]
    assert header(wb, "阶段变动") == ["党支部", "阶段", "期初人数", "本期进入", "其中：退回进入", "转入下一阶段",
                                  "退回前一阶段", "终止发展", "转出", "取消预备党员资格", "期末人数"]
    assert flow_rows(wb) == Q3
    for v in Q3.values():     # opening + in − out = closing
        assert v[0] + v[1] - sum(v[3:8]) == v[8]


def test_quarterly_lists_who_moved(committee):
    wb = book(one(committee.make("quarterly", quarter=3), ".xlsx"))
    ids = committee.ids
    got = [(r[0], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows(wb, "人员变动")]
    want = sorted([
        (D(2026, 7, 1), ids["华四"], "华四", "入党申请人", "入党积极分子", "确定为入党积极分子", None,
         "表格"),
        (D(2026, 7, 1), ids["林一"], "林一", "—", "入党申请人", "递交入党申请书", None, "表格"),
        (D(2026, 7, 3), ids["郑五"], "郑五", "接收待审批", "预备党员", "上级党委批准接收为预备党员", None, "表格"),
        (D(2026, 8, 15), ids["魏一"], "魏一", "发展对象", "转出", "转出", "YY学区党委", "表格"),
        (D(2026, 8, 20), ids["陶二"], "陶二", "发展对象", "发展对象", "支部大会讨论接收预备党员未通过", None, "表格"),
        (D(2026, 9, 30), ids["林二"], "林二", "—", "入党申请人", "递交入党申请书", None, "表格"),
        (D(2026, 9, 30), ids["林三"], "林三", "入党申请人", "终止发展", "终止发展", "本人申请", "表格"),
        (D(2026, 9, 30), ids["陈八"], "陈八", "接收待审批", "预备党员", "上级党委批准接收为预备党员", None, "表格"),
    ], key=lambda r: (r[0], r[1]))
    assert got == want


def test_quarterly_assessments_on_time_late_missing_and_kept_on_paper(committee):
    wb = book(one(committee.make("quarterly", quarter=3), ".xlsx"))
    assert header(wb, "培养考察") == ["党支部", "考察类别", "应考察人次", "按期完成", "逾期完成", "逾期未完成",
                                  "尚未到期", "导入前纸质记录", "按期完成率"]
    a, p = "入党积极分子考察", "预备党员考察"
    assert rows(wb, "培养考察") == [
        [B1, a, 1, 1, 0, 0, 0, 0, 1.0], [B1, p, 1, 1, 0, 0, 0, 0, 1.0],
        [B2, a, 1, 0, 1, 0, 0, 0, 0.0], [B2, p, 0, 0, 0, 0, 0, 0, None],
        [B3, a, 2, 0, 0, 1, 0, 1, 0.0], [B3, p, 0, 0, 0, 0, 0, 0, None],
        ["全委合计", a, 4, 1, 1, 1, 0, 1, pytest.approx(1 / 3)], ["全委合计", p, 1, 1, 0, 0, 0, 0, 1.0]]
    ids = committee.ids
    assert rows(wb, "考察明细") == [
        [B1, ids["孔一"], "孔一", a, 1, D(2026, 7, 15), D(2026, 7, 10), "按期完成"],
        [B1, ids["冯七"], "冯七", p, 1, D(2026, 7, 20), D(2026, 7, 17), "按期完成"],
        [B2, ids["曹二"], "曹二", a, 1, D(2026, 9, 30), D(2026, 10, 5), "逾期完成"],
        [B3, ids["严三"], "严三", a, 1, D(2026, 8, 20), None, "逾期未完成"],
        [B3, ids["黄一"], "黄一", a, 2, D(2026, 9, 1), None, "导入前纸质记录"]]


def test_quarterly_overdue_names_and_imported_history_is_not_overdue(committee):
    wb = book(one(committee.make("quarterly", quarter=3), ".xlsx"))
    ids = committee.ids
    assert rows(wb, "逾期事项") == [
        [B2, ids["林一"], "林一", "入党申请人", "党组织派人谈话", D(2026, 8, 1), 60],
        [B3, ids["严三"], "严三", "入党积极分子", "培养教育考察（每半年一次）（第1次）", D(2026, 8, 20), 41]]
    # 黄二 (imported applicant) had no talk by 2026-06-10 either: history kept on paper, not overdue


def test_quarterly_bulletin_document(committee):
    text = docx_text(one(committee.make("quarterly", quarter=3), ".docx"))
    assert "关于2026年第三季度\n发展党员工作情况的通报" in text
    assert "现将2026年第三季度（2026年7月1日至9月30日）全委发展党员工作情况通报如下。" in text
    assert ("本期，全委新收到入党申请2份，新确定入党积极分子1名、发展对象0名，支部大会讨论通过接收0名，"
            "上级党委审批接收预备党员2名，预备党员转正0名；终止发展1名、转出1名。") in text
    assert "截至2026年9月30日，全委共有入党申请人3名、入党积极分子7名、发展对象4名、预备党员9名。" in text
    assert f"{B1}|0|1|0|0|0|1" in text and f"{B2}|2|0|0|1|0|1" in text and f"{B3}|0|0|0|1|0|0" in text
    assert ("本期应对入党积极分子和预备党员进行考察5人次，其中按期完成2人次，逾期完成1人次，逾期未完成1人次，"
            "中途导入前按纸质记录计入1人次。") in text
    assert "1. 第二党支部　林一：党组织派人谈话，应于2026年8月1日前完成，已逾期60天。" in text
    assert "2. 第三党支部　严三：培养教育考察（每半年一次）（第1次），应于2026年8月20日前完成，已逾期41天。" in text
    assert "四、工作要求" in text and "年度目标完成进度" not in text


def test_quarterly_of_one_branch(committee):
    out = committee.make("quarterly", quarter=3, branch=B2)
    assert sorted(out) == ["2026年第三季度发展党员工作通报（第二党支部）.docx",
                           "2026年第三季度发展党员工作通报（第二党支部）.xlsx"]
    wb = book(one(out, ".xlsx"))
    assert flow_rows(wb) == {k: v for k, v in Q3.items() if k[0] == B2}
    assert [r[0] for r in rows(wb, "逾期事项")] == [B2]
    assert "第二党支部发展党员工作情况通报如下" in docx_text(one(out, ".docx"))


def test_quarter_boundaries_days_either_side(committee):
    """Q2 ends on 2026-06-30 (林三 applied, 金五 became an activist, 戚四 withdrew), Q4 starts on 2026-10-01
    (林四 applied, 姜三 became a 发展对象)."""
    q2 = flow_rows(book(one(committee.make("quarterly", quarter=2), ".xlsx")))
    assert q2[(B2, "入党申请人")] == [1, 1, 0, 1, 0, 0, 0, 0, 1]
    assert q2[(B2, "入党积极分子")] == [2, 1, 0, 1, 0, 0, 0, 0, 2]
    assert q2[(B3, "入党积极分子")] == [4, 0, 0, 0, 0, 1, 0, 0, 3]
    q4 = flow_rows(book(one(committee.make("quarterly", quarter=4), ".xlsx")))
    assert q4[(B2, "入党申请人")] == [2, 1, 0, 0, 0, 0, 0, 0, 3]
    assert q4[(B3, "发展对象")] == [2, 1, 0, 2, 0, 0, 0, 0, 1]


# ---------------------------------------------------------------- 半年分析
def test_halfyear_has_the_targets_so_far(committee):
    out = committee.make("halfyear", half=1)
    wb = book(one(out, ".xlsx"))
    assert wb.sheetnames == ["阶段变动", "人员变动", "培养考察", "考察明细", "逾期事项", "目标进度"]
    got = {r[1]: (r[0], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows(wb, "目标进度")}
    assert got == {
        "35岁以下": ("结构目标", "不低于80%", 0.8, 6, 6, 1.0, "达到"),
        "大专及以上学历": ("结构目标", "不低于90%", 0.9, 6, 6, 1.0, "达到"),
        "女性": ("结构目标", "不低于25%", 0.25, 1, 6, pytest.approx(1 / 6), "尚未达到"),
        "生产工作一线": ("结构目标", "达到100%", 1.0, 6, 6, 1.0, "达到"),
        "少数民族": ("结构目标", "不少于1名", None, 1, 6, pytest.approx(1 / 6), "达到"),
        "教师": ("结构目标", "不低于50%", 0.5, 4, 6, pytest.approx(4 / 6), "达到"),
        "新收到入党申请": ("数量目标", "不少于5份", None, 5, None, None, "达到"),
        "新确定入党积极分子": ("数量目标", "不少于6名", None, 4, None, None, "尚未达到"),
        "新确定发展对象": ("数量目标", "不少于3名", None, 5, None, None, "达到"),
        "发展党员": ("数量目标", "不少于8名", None, 6, None, None, "尚未达到"),
        "预备党员转正": ("数量目标", "不少于2名", None, 2, None, None, "达到"),
        f"{B1}新确定入党积极分子": ("支部数量目标", "不少于2名", None, 1, None, None, "尚未达到"),
        f"{B2}新确定入党积极分子": ("支部数量目标", "不少于2名", None, 2, None, None, "达到"),
        f"{B3}新确定入党积极分子": ("支部数量目标", "不少于2名", None, 1, None, None, "尚未达到"),
    }
    text = docx_text(one(out, ".docx"))
    assert "2026年上半年发展党员工作分析" in text and "四、年度目标完成进度" in text and "五、工作要求" in text
    assert "11|女性|不低于25%|1/6（16.7%）|尚未达到" in text and "4|新确定入党积极分子|不少于6名|4|尚未达到" in text


# ---------------------------------------------------------------- 入党积极分子队伍年度分析
POOL = {  # opening, entered, of which back, forward, back, withdrawn, transferred, closing, failed votes
    (B1, "入党申请人"): [1, 1, 0, 2, 0, 0, 0, 0, 0],
    (B1, "入党积极分子"): [1, 2, 0, 1, 0, 0, 0, 2, 0],
    (B1, "发展对象"): [3, 1, 0, 3, 0, 0, 1, 0, 0],
    (B1, "接收待审批"): [1, 3, 0, 4, 0, 0, 0, 0, 0],
    (B2, "入党申请人"): [0, 6, 0, 2, 0, 1, 0, 3, 0],
    (B2, "入党积极分子"): [3, 2, 0, 3, 0, 0, 0, 2, 0],
    (B2, "发展对象"): [1, 3, 0, 3, 0, 0, 0, 1, 1],
    (B2, "接收待审批"): [1, 3, 0, 3, 0, 0, 0, 1, 0],
    (B3, "入党申请人"): [1, 1, 0, 1, 0, 0, 0, 1, 0],
    (B3, "入党积极分子"): [4, 1, 0, 2, 0, 1, 0, 2, 0],
    (B3, "发展对象"): [2, 2, 0, 3, 0, 0, 0, 1, 0],
    (B3, "接收待审批"): [0, 3, 0, 3, 0, 0, 0, 0, 0],
    ("全委合计", "入党申请人"): [2, 8, 0, 5, 0, 1, 0, 4, 0],
    ("全委合计", "入党积极分子"): [8, 5, 0, 6, 0, 1, 0, 6, 0],
    ("全委合计", "发展对象"): [6, 6, 0, 9, 0, 0, 1, 2, 1],
    ("全委合计", "接收待审批"): [2, 9, 0, 10, 0, 0, 0, 1, 0],
}


def test_pool_size_joined_and_left(committee):
    out = committee.make("pool")
    assert list(out) == ["2026年度入党积极分子队伍分析.xlsx"]
    wb = book(out["2026年度入党积极分子队伍分析.xlsx"])
    assert wb.sheetnames == ["队伍规模", "变动名单", "阶段时长", "年末名单", "队伍结构"]
    assert header(wb, "队伍规模") == ["党支部", "阶段", "年初人数", "本年进入", "其中：退回进入", "转入下一阶段",
                                  "退回前一阶段", "终止发展", "转出", "年末人数", "支部大会表决未通过（人次）"]
    assert flow_rows(wb, "队伍规模") == POOL
    side = [(r[0], r[3], r[6], r[7]) for r in rows(wb, "变动名单") if r[6] in ("终止发展", "转出")
            or "未通过" in r[6]]
    assert side == [(D(2026, 6, 30), "戚四", "终止发展", "本人申请"), (D(2026, 8, 15), "魏一", "转出", "YY学区党委"),
                    (D(2026, 8, 20), "陶二", "支部大会讨论接收预备党员未通过", None),
                    (D(2026, 9, 30), "林三", "终止发展", "本人申请")]
    assert len(rows(wb, "变动名单")) == 28 + 10 + 3 + 1   # entries into pool stages, approvals, exits, the vote


def test_pool_length_in_stage(committee):
    wb = book(committee.make("pool")["2026年度入党积极分子队伍分析.xlsx"])
    got = {(r[0], r[1]): r[2:] for r in rows(wb, "阶段时长")}
    assert got[("全委合计", "入党申请人")] == [4, 4.3, 3, 1, 0, 0]       # 5, 3, 2 and 7 months
    assert got[("全委合计", "入党积极分子")] == [6, 9.3, 1, 4, 1, 0]     # 11, 5, 9, 6, 15, 10
    assert got[("全委合计", "发展对象")] == [2, 5.0, 1, 1, 0, 0]
    assert got[("全委合计", "接收待审批")] == [1, 0.0, 1, 0, 0, 0]
    assert got[(B2, "入党申请人")] == [3, 3.3, 3, 0, 0, 0] and got[(B1, "发展对象")] == [0, None, 0, 0, 0, 0]
    roster = {r[2]: r for r in rows(wb, "年末名单")}
    assert sorted(roster) == sorted(["孔一", "华四", "林一", "林二", "林四", "曹二", "金五", "陶二", "蒋一", "黄一",
                                     "黄二", "严三", "姜三"])
    assert roster["黄一"][3:6] == ["入党积极分子", D(2025, 9, 1), 15] and roster["黄一"][-1] == "是"
    assert roster["金五"][3:6] == ["入党积极分子", D(2026, 6, 30), 6]
    assert roster["蒋一"][3:6] == ["接收待审批", D(2026, 12, 17), 0]


def test_pool_structure(committee):
    wb = book(committee.make("pool")["2026年度入党积极分子队伍分析.xlsx"])
    assert header(wb, "队伍结构") == ["项目", "分类", "入党申请人", "入党积极分子", "发展对象", "接收待审批", "合计"]
    got = {(r[0], r[1]): r[2:] for r in rows(wb, "队伍结构")}
    assert got[("性别", "男")] == [2, 4, 1, 1, 8] and got[("性别", "女")] == [2, 2, 1, 0, 5]
    assert got[("民族", "汉族")] == [4, 6, 2, 1, 13] and got[("民族", "少数民族")] == [0, 0, 0, 0, 0]
    assert got[("年龄", "25岁及以下")] == [1, 1, 0, 0, 2]
    assert got[("年龄", "26～30岁")] == [3, 4, 0, 1, 8]
    assert got[("年龄", "31～35岁")] == [0, 1, 2, 0, 3]
    assert got[("年龄", "36～40岁")] == [0, 0, 0, 0, 0]
    assert got[("学历", "研究生")] == [0, 1, 1, 0, 2] and got[("学历", "大学本科")] == [2, 4, 1, 1, 8]
    assert got[("学历", "大学专科")] == [1, 1, 0, 0, 2] and got[("学历", "高中及以下")] == [1, 0, 0, 0, 1]
    assert got[("职业", "专业技术人员")] == [3, 5, 2, 1, 11] and got[("职业", "办事人员")] == [0, 1, 0, 0, 1]
    assert got[("职业", "其他")] == [1, 0, 0, 0, 1]
    assert got[("是否一线", "是")] == [3, 6, 1, 1, 11] and got[("是否一线", "否")] == [1, 0, 1, 0, 2]
    assert got[("合计", None)] == [4, 6, 2, 1, 13]


# ---------------------------------------------------------------- 新党员结构
NEW_MEMBERS = ["卫十", "马三", "冯七", "周一", "吴二", "李明", "郑五", "陈八", "王六", "褚九"]   # by approval date


def test_structure_against_the_plan(committee):
    out = committee.make("structure")
    wb = book(out["2026年新党员结构分析.xlsx"])
    assert wb.sheetnames == ["结构目标", "新党员名单", "各支部情况", "阶段人数", "图表"]
    assert header(wb, "结构目标") == ["类别", "指标", "口径", "目标", "目标比例", "完成人数", "新党员总数", "实际占比",
                                  "是否达到"]
    got = [r[1:] for r in rows(wb, "结构目标")]
    assert got == [
        ["35岁以下", "审批时年龄在35周岁及以下", "不低于80%", 0.8, 8, 10, 0.8, "达到"],            # exactly 80%
        ["大专及以上学历", "学历为大学专科及以上（研究生、大学本科、大学专科）", "不低于90%", 0.9, 9, 10, 0.9, "达到"],
        ["女性", "性别为女", "不低于25%", 0.25, 2, 10, 0.2, "未达到"],
        ["生产工作一线", "是否一线为“是”", "达到100%", 1.0, 9, 10, 0.9, "未达到"],
        ["少数民族", "民族不是汉族", "不少于1名", None, 1, 10, 0.1, "达到"],
        ["教师", "职务/岗位含“教师”", "不低于50%", 0.5, 6, 10, 0.6, "达到"],
        ["新收到入党申请", "申请入党日期在期间内", "不少于5份", None, 8, None, None, "达到"],
        ["新确定入党积极分子", "确定为入党积极分子日期在期间内", "不少于6名", None, 5, None, None, "未达到"],
        ["新确定发展对象", "确定为发展对象日期在期间内", "不少于3名", None, 6, None, None, "达到"],
        ["发展党员", "上级党委审批接收为预备党员的日期在期间内", "不少于8名", None, 10, None, None, "达到"],
        ["预备党员转正", "转正时间（预备期满之日）在期间内", "不少于2名", None, 2, None, None, "达到"],
        [f"{B1}新确定入党积极分子", "确定为入党积极分子日期在期间内", "不少于2名", None, 2, None, None, "达到"],
        [f"{B2}新确定入党积极分子", "确定为入党积极分子日期在期间内", "不少于2名", None, 2, None, None, "达到"],
        [f"{B3}新确定入党积极分子", "确定为入党积极分子日期在期间内", "不少于2名", None, 1, None, None, "未达到"],
    ]


def test_new_members_are_counted_by_the_approval_date_with_ages_on_it(committee):
    wb = book(committee.make("structure")["2026年新党员结构分析.xlsx"])
    names = rows(wb, "新党员名单")
    assert [r[3] for r in names] == NEW_MEMBERS       # not 蒋一 (meeting 2026-12-17, approved 2027-01-07)
    by = {r[3]: r for r in names}                     # nor 沈零 (approved 2025-12-31); 卫十 met in 2025-12
    h = header(wb, "新党员名单")
    col = {name: i for i, name in enumerate(h)}
    assert by["卫十"][col["入党时间"]] == D(2025, 12, 18) and by["卫十"][col["上级党委审批日期"]] == D(2026, 1, 8)
    assert by["褚九"][col["上级党委审批日期"]] == D(2026, 12, 31)
    ages = {n: by[n][col["年龄"]] for n in NEW_MEMBERS}
    assert ages == {"卫十": 33, "马三": 30, "冯七": 28, "周一": 25, "吴二": 26, "李明": 31, "郑五": 35, "陈八": 45,
                    "王六": 36, "褚九": 22}
    assert [n for n in NEW_MEMBERS if by[n][col["35岁以下"]] == "是"] == [
        "卫十", "马三", "冯七", "周一", "吴二", "李明", "郑五", "褚九"]
    assert by["陈八"][col["大专及以上学历"]] is None and by["马三"][col["少数民族"]] == "是"


def test_structure_per_branch_stages_and_charts(committee):
    data = committee.make("structure")["2026年新党员结构分析.xlsx"]
    wb = book(data)
    per = {r[0]: r[1:] for r in rows(wb, "各支部情况")}
    assert per[B1][:3] == [4, 4, 1.0] and per[B2][:3] == [3, 2, pytest.approx(2 / 3)]   # 35岁以下
    assert per[B3][:3] == [3, 2, pytest.approx(2 / 3)] and per["全委合计"][:3] == [10, 8, 0.8]
    stages = {r[0]: r[1:] for r in rows(wb, "阶段人数")}
    assert header(wb, "阶段人数") == ["党支部", "入党申请人", "入党积极分子", "发展对象", "接收待审批", "预备党员",
                                  "正式党员", "合计"]
    assert stages == {B1: [0, 2, 0, 0, 4, 1, 7], B2: [3, 2, 1, 1, 3, 1, 11], B3: [1, 2, 1, 0, 4, 1, 9],
                      "合计": [4, 6, 2, 1, 11, 3, 27]}
    assert len(wb["图表"]._charts) == 2
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 and all('barDir val="col"' in c and 'grouping val="clustered"' in c for c in charts)
    assert "'结构目标'!$B$4:$B$9" in charts[0] and "'阶段人数'!$A$4:$A$6" in charts[1]


# ---------------------------------------------------------------- 发展党员情况统计
STATISTICS = {
    ("发展党员", "合计"): 10, ("性别", "男"): 8, ("性别", "女"): 2, ("性别", "未填写"): 0,
    ("民族", "汉族"): 9, ("民族", "少数民族"): 1, ("民族", "其中：回族"): 1, ("民族", "未填写"): 0,
    ("年龄", "25岁及以下"): 2, ("年龄", "26～30岁"): 3, ("年龄", "31～35岁"): 3, ("年龄", "36～40岁"): 1,
    ("年龄", "41～45岁"): 1, ("年龄", "46～50岁"): 0, ("年龄", "51～55岁"): 0, ("年龄", "56～60岁"): 0,
    ("年龄", "61岁及以上"): 0,
    ("学历", "研究生"): 1, ("学历", "大学本科"): 6, ("学历", "大学专科"): 2, ("学历", "中专"): 1,
    ("学历", "高中及以下"): 0, ("学历", "未填写"): 0,
    ("职业", "专业技术人员"): 8, ("职业", "办事人员"): 1, ("职业", "其他"): 1,
    ("是否一线", "是"): 9, ("是否一线", "否"): 1, ("是否一线", "未填写"): 0,
    ("预备党员转正", "本年转正"): 2,
}


def test_statistics_figures_each_traced_to_its_named_list(committee):
    out = committee.make("statistics")
    wb = book(out["2026年发展党员情况统计.xlsx"])
    assert wb.sheetnames == ["统计表", "名单"]
    table = rows(wb, "统计表")
    assert {(r[0], r[1]): r[2] for r in table} == STATISTICS
    assert [(r[0], r[1]) for r in table] == list(STATISTICS)
    names = rows(wb, "名单")
    for r, cell in zip(table, wb["统计表"].iter_rows(min_row=4, min_col=3, max_col=3), strict=True):
        listed = [n for n in names if (n[0], n[1]) == (r[0], r[1])]
        assert len(listed) == r[2], r
        if listed:   # the figure links to the first row of its list, and says where it is
            first = 4 + names.index(listed[0])
            assert cell[0].hyperlink.location == f"'名单'!A{first}"
            assert r[4] == (f"第{first}～{first + len(listed) - 1}行" if len(listed) > 1 else f"第{first}行")
        if r[0] not in ("发展党员", "预备党员转正"):
            assert r[3] == pytest.approx(r[2] / 10)
    col = {h: i for i, h in enumerate(header(wb, "名单"))}
    band = {n[col["姓名"]]: n[1] for n in names if n[0] == "年龄"}
    assert band["周一"] == "25岁及以下" and band["吴二"] == "26～30岁"        # 25 / 26 on the approval date
    assert band["郑五"] == "31～35岁" and band["王六"] == "36～40岁"          # 35 / 36
    converted = [(n[col["姓名"]], n[col["转正时间"]]) for n in names if n[0] == "预备党员转正"]
    assert sorted(converted) == [("张三", D(2026, 4, 25)), ("王五", D(2026, 1, 10))]   # not 赵六 (2025-12-31)
    occupation = {n[col["姓名"]]: n[1] for n in names if n[0] == "职业"}
    assert occupation["陈八"] == "办事人员" and occupation["褚九"] == "其他" and occupation["冯七"] == "专业技术人员"


# ---------------------------------------------------------------- 年度计划和总结
def test_plan_document(committee):
    out = committee.make("plan")
    assert list(out) == ["2026年度发展党员工作计划.docx"]
    text = docx_text(out["2026年度发展党员工作计划.docx"])
    for words in ("XX学区党委", "2026年度发展党员工作计划", "一、指导思想", "二、目标要求", "三、基本措施",
                  "截至2025年12月31日，全委共有入党申请人2名、入党积极分子8名、发展对象6名、"
                  "支部大会通过待审批的2名，预备党员3名。",
                  "全年计划发展党员8名，预备党员转正不少于2名，新确定发展对象不少于3名，新确定入党积极分子不少于6名，"
                  "新收到入党申请不少于5份，每个党支部新确定入党积极分子不少于2名。",
                  "1|35岁以下|审批时年龄在35周岁及以下|不低于80%", "4|生产工作一线|是否一线为“是”|达到100%",
                  "6|教师|职务/岗位含“教师”|不低于50%", "测评制、预审制、公示制、票决制和责任追究制"):
        assert words in text, words


def test_summary_document(committee):
    text = docx_text(committee.make("summary")["2026年度发展党员工作总结.docx"])
    for words in ("2026年度发展党员工作总结", "二、目标要求完成情况", "三、基本措施落实情况",
                  "2026年（2026年1月1日至12月31日），全委新收到入党申请8份，新确定入党积极分子5名、发展对象6名，"
                  "发展党员10名（按上级党委审批日期统计），预备党员转正2名。",
                  "截至2026年12月31日，全委共有入党申请人4名、入党积极分子6名、发展对象2名、支部大会通过待审批的1名，"
                  "预备党员11名。",
                  "1|发展党员|不少于8名|10|达到", "4|新确定入党积极分子|不少于6名|5|未达到",
                  "5|新收到入党申请|不少于5份|8|达到", "8|第三党支部新确定入党积极分子|不少于2名|1|未达到",
                  "9|35岁以下|不低于80%|8/10（80.0%）|达到", "11|女性|不低于25%|2/10（20.0%）|未达到",
                  "未达到的目标：新确定入党积极分子、第三党支部新确定入党积极分子、女性、生产工作一线。"):
        assert words in text, words


# ---------------------------------------------------------------- every output: privacy, text, print setup
ALL_KINDS = [("quarterly", {"quarter": 3}), ("halfyear", {"half": 2}), ("pool", {}), ("structure", {}),
             ("statistics", {}), ("plan", {}), ("summary", {})]


@pytest.fixture(scope="module")
def outputs(committee) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for kind, kw in ALL_KINDS:
        out |= committee.make(kind, **kw)
    return out


def test_reports_never_show_id_numbers_or_phones(committee, outputs):
    ids = [p.row()["id_number"] for p in SEEDED + ROSTER] + [WALK.person["id_number"]]
    for name, data in outputs.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        assert PHONE not in text, name
        assert not any(i in text or i[:14] in text for i in ids), name
        assert not re.search(r"\d{6}(19|20)\d{2}[01]\d[0-3]\d{4}[\dX]", text), name


def test_staff_text_that_looks_like_a_formula_stays_text(outputs):
    wb = book(outputs["2026年度入党积极分子队伍分析.xlsx"])
    ws = wb["年末名单"]
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if c.value in ("=教师", "+XX物业")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(io.BytesIO(outputs["2026年度入党积极分子队伍分析.xlsx"])) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets


def test_workbooks_print_on_a4_with_frozen_filtered_headers_and_real_dates(outputs):
    for name, data in outputs.items():
        if not name.endswith(".xlsx"):
            continue
        wb = book(data)
        for ws in wb.worksheets:
            if ws.title == "图表":
                continue
            assert ws.freeze_panes == "A4", (name, ws.title)
            assert ws.auto_filter.ref.startswith("A3:"), (name, ws.title)
            assert ws.print_title_rows.replace("$", "") == "3:3", (name, ws.title)
            assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage
            assert re.fullmatch(r"[\u4e00-\u9fff]+", ws.title), ws.title
            width = sum(d.width * (d.max - d.min + 1) for d in ws.column_dimensions.values())
            assert ws.page_setup.orientation == ("landscape" if width > 100 else "portrait"), (name, ws.title)
            for row in ws.iter_rows(min_row=4):
                for c in row:
                    if hasattr(c.value, "year"):
                        assert c.number_format == "yyyy-mm-dd", (name, ws.title, c.coordinate)
                    if c.value is not None:          # every data cell: 宋体, bordered
                        assert c.font.name == "宋体" and c.border.left.style == "thin", (name, c.coordinate)
                    if c.hyperlink is not None:
                        assert c.font.underline == "single" and c.font.color.rgb.endswith("0563C1")
                    elif c.value is not None:
                        assert not c.font.underline, (name, ws.title, c.coordinate)


def test_report_cells_keep_their_own_look_totals_shares_and_text(outputs):
    """Each cell's look follows what it holds (cells that look alike share one style): a total row bold on grey,
    shares as percentages, text left and wrapped, numbers centred."""
    wb = book(outputs["2026年新党员结构分析.xlsx"])
    seen = {"bold": 0, "pct": 0, "text": 0, "number": 0}
    for ws in wb.worksheets:
        if ws.title == "图表":
            continue
        for row in ws.iter_rows(min_row=4):
            for c in row:
                if c.value is None:
                    continue
                if c.font.bold:
                    seen["bold"] += 1
                    assert c.fill.fgColor.rgb.endswith("F2F2F2"), c.coordinate
                else:
                    assert c.fill.fill_type is None, c.coordinate
                if c.number_format == "0.0%":
                    seen["pct"] += 1
                    assert isinstance(c.value, (int, float)) and c.alignment.horizontal == "center"
                elif isinstance(c.value, str):
                    seen["text"] += 1
                elif isinstance(c.value, int):
                    seen["number"] += 1
                    assert c.alignment.horizontal == "center", c.coordinate
    assert all(seen.values()), seen


def test_reports_are_written_under_outbox_with_chinese_names(committee, capsys):
    eng = committee.eng
    paths = report(eng, "statistics", 2026)
    assert [p.relative_to(eng.ws.outbox).as_posix() for p in paths] == ["报表/2026年/2026年发展党员情况统计.xlsx"]
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["report", "quarterly", "-w", str(eng.ws.root), "--year", "2026", "--quarter", "3",
                         "--branch", B1])
    args.clock = FixedClock(TODAY)
    assert args.func(args) == 0 and args.func is cmd_report
    shown = capsys.readouterr().out
    assert "已生成报表（季度通报）：" in shown and "2026年第三季度发展党员工作通报(第一党支部).xlsx" in shown
    assert (eng.ws.outbox / "报表" / "2026年" / "2026年第三季度发展党员工作通报(第一党支部).docx").is_file()


def test_wrong_requests_are_told_in_chinese(committee):
    inp = inputs(committee.eng)
    with pytest.raises(WorkspaceError, match="没有党支部“第九党支部”"):
        inputs(committee.eng, "第九党支部")
    with pytest.raises(ConfigError, match=r"没有 2025 年的目标设置 \[plan\.2025\]"):
        make(inp, "structure", 2025)
    with pytest.raises(DocflowError, match="2028年还没有开始"):
        make(inp, "pool", 2028)
    with pytest.raises(DocflowError, match="2027年第二季度还没有开始"):
        make(inp, "quarterly", 2027, quarter=2)
    assert fg.quarter(2027, 1, TODAY).as_of == TODAY      # a quarter under way counts up to today


def test_a_workspace_copy_of_a_report_template_is_used_first(committee):
    inp = inputs(committee.eng)
    own = committee.eng.ws.root / "templates" / "party" / "reports"
    own.mkdir(parents=True, exist_ok=True)
    src = inp.template_dirs[-1] / "plan.docx"
    doc = Document(str(src))
    doc.paragraphs[-1].add_run("（本委修改）")
    doc.save(str(own / "plan.docx"))
    try:
        assert "（本委修改）" in docx_text(committee.make("plan")["2026年度发展党员工作计划.docx"])
    finally:
        (own / "plan.docx").unlink()


def test_an_empty_workspace_gives_reports_of_zeros(tmp_path):
    ws = workspace(tmp_path / "ws")
    with (ws.root / "docflow.toml").open("a", encoding="utf-8") as fh:
        fh.write(SETTINGS)
    eng = Engine.open(load_workspace(ws.root), clock=FixedClock(TODAY))
    try:
        inp = inputs(eng)
        for kind, kw in ALL_KINDS:
            assert make(inp, kind, 2026, **kw), kind
        wb = book(one({o.name: o.data for o in make(inp, "structure", 2026)}, ".xlsx"))
        assert rows(wb, "结构目标")[0][5:] == [0, 0, None, "—"]
        text = docx_text(one({o.name: o.data for o in make(inp, "quarterly", 2026, quarter=3)}, ".docx"))
        assert "本期没有应完成的半年考察。" in text and "没有逾期事项" in text
    finally:
        eng.store.close()


def test_a_report_open_in_excel_is_told(committee, monkeypatch):
    import engine.output.render as render

    def locked(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(render, "write_atomic", locked)
    with pytest.raises(WorkspaceError, match="正在 Excel/WPS 中打开"):
        report(committee.eng, "pool", 2026)


# ---------------------------------------------------------------- the settings and the measures on their own
def _pack() -> Pack:
    from engine.pack import load_pack
    from engine.workspace import BUNDLED_PACKS

    return load_pack(BUNDLED_PACKS / "party")


@pytest.mark.parametrize(("raw", "message"), [
    ({"new_member": 3}, r"plan\.2026\.new_member：不认识的设置项"),
    ({"new_members": -1}, r"plan\.2026\.new_members：不能是负数"),
    ({"new_members": "三"}, r"plan\.2026\.new_members：应为整数"),
    ({"structure": [{"label": "女性", "measure": "gender", "value": "女", "share": 25}]},
     r"比例 share 应在 0 到 1 之间（25% 请写成 0\.25）"),
    ({"structure": [{"label": "女性", "measure": "gender", "value": "女"}]}, "须写 share（比例，如 0.80）或 count"),
    ({"structure": [{"label": "x", "measure": "height", "share": 0.5}]}, "measure：应为以下之一：age_at_most"),
    ({"structure": [{"label": "青年", "measure": "age_at_most", "value": "35", "share": 0.8}]}, "应为年龄"),
    ({"structure": [{"label": "本科", "measure": "education_at_least", "value": "本科及以上", "share": 0.8}]},
     "学历“本科及以上”不是可选的学历（可选：研究生、大学本科、大学专科、中专、高中及以下）"),
    ({"structure": [{"label": "x", "measure": "field_equals", "field": "height", "value": "1", "share": 0.1}]},
     "没有人员字段“height”"),
    ({"structure": [{"label": "x", "measure": "field_equals", "field": "phone", "value": "1", "share": 0.1}]},
     "报表不使用公民身份号码和联系电话"),
    ({"structure": [{"label": "x", "measure": "occupation", "value": "农民", "share": 0.1}]},
     "职业类别“农民”没有在 \\[statistics.occupation\\] 中定义"),
    ({"structure": [{"label": "女", "measure": "gender", "value": "女", "share": 0.2},
                    {"label": "女", "measure": "gender", "value": "女", "share": 0.3}]}, "名称“女”重复"),
    ({"per_branch": {"members": 1}}, r"plan\.2026\.per_branch\.members：不认识的设置项"),
])
def test_bad_plan_settings_are_told_in_chinese(raw, message):
    pack = _pack()
    with pytest.raises(ConfigError, match=message) as e:
        load_plan({"2026": raw}, 2026, pack, StatisticsSettings())
    assert "docflow.toml 的 [plan.2026] 设置有误" in e.value.message


def test_bad_statistics_settings_are_told_in_chinese():
    with pytest.raises(ConfigError, match="应为一组"):
        load_statistics({"occupation": {"教师": "教师"}}, _pack())
    with pytest.raises(ConfigError, match="occupation_fields 中没有这些人员字段：职业"):
        load_statistics({"occupation_fields": ["职业"]}, _pack())


def test_the_seed_plan_is_an_example_not_a_default():
    assert load_plan({}, 2026, _pack(), StatisticsSettings(), required=False) is None


@pytest.mark.parametrize(("share", "n", "total", "met"), [
    (0.80, 8, 10, True), (0.80, 4, 5, True), (0.80, 7, 10, False), (0.80, 79, 100, False),
    (0.90, 9, 10, True), (0.90, 8, 10, False), (0.25, 1, 4, True), (0.25, 1, 5, False),
    (1.0, 10, 10, True), (1.0, 9, 10, False), (0.80, 0, 0, None), (0.7, 7, 10, True), (0.1, 1, 10, True),
])
def test_exactly_the_target_share_is_met(share, n, total, met):
    assert StructureTarget(label="x", measure="gender", value="女", share=share).met(n, total) is met


def test_at_most_and_count_targets():
    t = StructureTarget(label="x", measure="age_below", value=30, share=0.2, compare="at_most")
    assert (t.met(2, 10), t.met(3, 10), t.target_text()) == (True, False, "不高于20%")
    c = StructureTarget(label="y", measure="ethnic_minority", count=2)
    assert (c.met(2, 40), c.met(1, 40), c.met(0, 0), c.target_text()) == (True, False, False, "不少于2名")


@pytest.mark.parametrize(("age", "band"), [
    (18, "25岁及以下"), (25, "25岁及以下"), (26, "26～30岁"), (30, "26～30岁"), (31, "31～35岁"), (35, "31～35岁"),
    (36, "36～40岁"), (40, "36～40岁"), (41, "41～45岁"), (45, "41～45岁"), (46, "46～50岁"), (50, "46～50岁"),
    (51, "51～55岁"), (55, "51～55岁"), (56, "56～60岁"), (60, "56～60岁"), (61, "61岁及以上"), (80, "61岁及以上"),
    (None, "未填写")])
def test_age_bands(age, band):
    assert fg.age_band(age) == band


def test_measures_on_one_person():
    from engine.report.plan import Measure

    pack, stats = _pack(), StatisticsSettings(occupation={"专业技术人员": ["教师"]})
    facts = {"birth_date": D(1990, 7, 4), "education": "大学专科", "gender": "女", "frontline": "否",
             "ethnicity": "回族", "post": "语文教师", "unit": "XX中学"}

    def holds(on: date | None = None, **kw: Any) -> bool:
        target = StructureTarget(label="x", share=0.5, **kw)
        return Measure(target, pack, stats).holds(facts, on or D(2026, 7, 3))

    assert holds(measure="age_at_most", value=35) and not holds(D(2026, 7, 4), measure="age_at_most", value=35)
    assert not holds(measure="age_below", value=35) and holds(measure="age_below", value=36)
    assert holds(measure="education_at_least", value="大专") and not holds(measure="education_at_least",
                                                                       value="大学本科")
    assert holds(measure="gender", value="女") and not holds(measure="frontline")
    assert holds(measure="ethnic_minority") and holds(measure="occupation", value="专业技术人员")
    assert holds(measure="field_contains", field="post", value=["医生", "教师"])
    assert not holds(measure="field_equals", field="post", value="教师")
    assert holds(measure="field_equals", field="unit", value=["XX小学", "XX中学"])


def _look(data: bytes) -> dict:
    """What a workbook shows, as openpyxl reads it: every cell's value and look, and each sheet's layout."""
    wb = book(data)
    out: dict = {"sheets": wb.sheetnames, "title": wb.properties.title, "creator": wb.properties.creator}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value in (None, "") and not c.has_style:
                    continue
                f = c.font
                cells[c.coordinate] = (
                    c.value, c.number_format, f.name, f.sz, bool(f.b), f.u,
                    f.color.rgb if f.color is not None else None, c.fill.fill_type,
                    c.fill.fgColor.rgb if c.fill.fill_type else None, c.border.left.style, c.border.bottom.style,
                    c.alignment.horizontal, c.alignment.vertical, bool(c.alignment.wrap_text),
                    c.hyperlink.location if c.hyperlink else None)
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges), "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "titles": ws.print_title_rows,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "page": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth,
                     ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
                     ws.print_options.horizontalCentered, ws.page_margins.left, ws.page_margins.top),
            "footer": ws.oddFooter.center.text, "footer_size": ws.oddFooter.center.size}
    return out


def test_the_fast_report_writer_gives_what_openpyxl_gives(committee, monkeypatch):
    """Every report workbook without charts is written straight as XML (engine.report.xlsx); read back, each is
    cell for cell, look for look and layout for layout what the openpyxl writer makes of the same tables."""
    from engine.report import xlsx
    from engine.report.sheets import to_bytes, workbook

    made: list = []
    fast = xlsx.workbook_bytes
    monkeypatch.setattr(xlsx, "workbook_bytes", lambda tables, title: made.append((tables, title)) or
                        fast(tables, title))
    for kind, kw in ALL_KINDS:
        committee.make(kind, **kw)
    assert len(made) >= 4 and sum(len(t.rows) for tables, _ in made for t in tables) > 100
    assert any(t.links for tables, _ in made for t in tables) and any(t.bold for tables, _ in made for t in tables)
    for tables, title in made:
        assert _look(fast(tables, title)) == _look(to_bytes(workbook(tables, title))), title
    assert fast(*made[0]) == fast(*made[0])                   # deterministic (no timestamps)
