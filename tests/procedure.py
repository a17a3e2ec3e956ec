"""The whole procedure as data: a happy path through all 25 steps (dates and figures), and a pure runner
that applies submissions with ``advance`` (no files) — the scenario suite drives the same data through
the road with real files."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from factory import id_number

from engine.advance import World, advance
from engine.imports import plan_import
from engine.outcomes import Decision, Refusal
from engine.rules import Member
from engine.state import CaseState, fold
from engine.validate import Submission
from engine.workdays import WorkdayCalendar

TODAY = date(2026, 11, 28)
D = date
BRANCH = "第一党支部"
# A branch of 17 full members (钱六 under 留党察看: no vote) and 2 probationary members: N = 16.
OTHERS = ["吴七", "郑八", "冯九", "陈十", "褚一", "卫二", "蒋三", "沈四", "韩五", "杨六", "朱七", "秦八", "尤九"]
ROSTER = ([("刘一", "正式党员", False), ("周三", "正式党员", False), ("孙五", "正式党员", False),
           ("钱六", "正式党员", True)] + [(n, "正式党员", False) for n in OTHERS]
          + [("陈二", "预备党员", False), ("许二", "预备党员", False)])
MEMBERS = {n: Member(n, s, d) for n, s, d in ROSTER}


def person(**over: Any) -> dict:
    v = dict(name="张三", gender="男", ethnicity="汉族", birth_date=D(1995, 3, 7), id_number=id_number(D(1995, 3, 7)),
             education="大学本科", unit="XX学区中心小学", post="教师", frontline="是", phone="13800000000",
             branch=BRANCH, apply_date=D(2024, 1, 5))
    v.update(over)
    return v


def vote(meeting: date, outcome: str, *, full=17, prob=None, discipline=1, present=14, yes=13, no=1, abstain=0,
         **over) -> dict:
    """A tally for the branch of ``ROSTER`` (N = full − those under 留党察看 = 16). At a conversion vote the
    candidate is a probationary member of the branch: 3 probationary members instead of 2."""
    if prob is None:
        prob = 2 if outcome in ("通过", "不通过") else 3
    v = dict(meeting_date=meeting, place="学区会议室", chair="刘一", recorder="周三", members_total=full + prob,
             members_full=full, members_probationary=prob, members_discipline=discipline,
             due_voting=full - discipline, present_voting=present,
             written_yes=0, written_no=0, written_abstain=0, ballots_issued=present,
             ballots_returned=yes + no + abstain,
             yes=yes, no=no, abstain=abstain, outcome=outcome)
    v.update(over)
    return v


# (form id, values) in order: application on 2024-01-05 → 正式党员 with 转正时间 2026-04-25
HAPPY: list[tuple[str, dict]] = [
    ("applicant_roster", person()),
    ("talk", dict(talk_date=D(2024, 1, 20), talker="刘一", talker_post="支部书记", summary="谈入党动机")),
    ("activist", dict(decision_date=D(2024, 3, 1), method="党员推荐", filing_date=D(2024, 3, 1), contact_1="刘一",
                      contact_2="周三")),
    ("assessment", dict(period=1, assess_date=D(2024, 8, 30), assessor="刘一", opinion="良好", result="合格")),
    ("assessment", dict(period=2, assess_date=D(2025, 2, 28), assessor="刘一", opinion="良好", result="合格")),
    ("target", dict(decision_date=D(2025, 3, 1), opinions_summary="党小组、培养联系人和党员群众一致同意",
                    filing_date=D(2025, 3, 3))),
    ("publicity_target", dict(start=D(2025, 3, 3), end=D(2025, 3, 7), feedback="", outcome="无异议")),
    ("sponsors", dict(sponsor_1="刘一", sponsor_2="周三")),
    ("review", dict(review_date=D(2025, 3, 20), methods="函调、谈话", conclusion="通过")),
    ("training", dict(start=D(2025, 3, 24), end=D(2025, 3, 26), hours=24, certificate_no="2025-017")),
    ("prereview", dict(committee_review_date=D(2025, 4, 1), prereview_date=D(2025, 4, 8), result="同意",
                       volunteer_book_no="0012345", volunteer_date=D(2025, 4, 10), leaving_soon="否")),
    ("publicity_admission", dict(start=D(2025, 4, 14), end=D(2025, 4, 18), feedback="", outcome="无异议")),
    ("admission_vote", vote(D(2025, 4, 25), "通过")),
    ("committee_talk", dict(talk_date=D(2025, 5, 10), talker="王书记", summary="入党前谈话")),
    ("admission_approval", dict(approval_date=D(2025, 6, 20), result="批准", filing_date=D(2025, 6, 30))),
    ("oath", dict(group="第一党小组", oath_date=D(2025, 7, 1), place="学区党员活动室")),
    ("probation_assessment", dict(period=1, assess_date=D(2025, 10, 20), assessor="刘一", opinion="良好",
                                  result="合格")),
    ("probation_assessment", dict(period=2, assess_date=D(2026, 4, 20), assessor="刘一", opinion="良好",
                                  result="合格")),
    ("conversion_apply", dict(apply_date=D(2026, 3, 25))),
    ("publicity_conversion", dict(start=D(2026, 4, 13), end=D(2026, 4, 17), feedback="", outcome="无异议")),
    ("conversion_vote", vote(D(2026, 4, 27), "按期转正")),
    ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="批准")),
    ("archive", dict(archive_date=D(2026, 5, 25), archive_type="人事档案", location="学区人事档案室")),
]


def until(form_id: str, nth: int = 1) -> list[tuple[str, dict]]:
    """The happy path up to (not including) the nth submission of ``form_id``."""
    seen = 0
    for i, (f, _) in enumerate(HAPPY):
        if f == form_id:
            seen += 1
            if seen == nth:
                return [(a, dict(b)) for a, b in HAPPY[:i]]
    raise KeyError(form_id)


def step_values(form_id: str, nth: int = 1) -> dict:
    return dict([v for f, v in HAPPY if f == form_id][nth - 1])


@dataclass
class Run:
    """The result of applying submissions purely: final state, last verdict, all documents made due."""

    case: CaseState | None
    verdict: Any
    documents: list[tuple[str, int | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    members: dict = field(default_factory=dict)    # the branch roster at the end


def run(pack, subs: list[tuple[str, dict]], members=MEMBERS, today=TODAY, stop_on_refusal=True) -> Run:
    events, out = [], Run(None, None)
    members = dict(members)
    for form_id, values in subs:
        world = World(today, WorkdayCalendar(), members)
        sub = Submission(form_id, values, {}, {})
        cs = fold(pack, "2024-0001", events) if events else None
        if cs is None and pack.imports and any(i.form == form_id for i in pack.imports.values()):
            verdict = plan_import(pack, next(i for i in pack.imports.values() if i.form == form_id), sub, world)
        else:
            verdict = advance(pack, cs, sub, world)
        out.verdict = verdict
        if isinstance(verdict, Refusal):
            if stop_on_refusal:
                break
            continue
        events += [("t", e) for e in verdict.events]
        if verdict.joins_members or verdict.leaves_members:  # as the road does: the person joins or leaves
            name = str(fold(pack, "", events).facts.get("name"))
            members.pop(name, None)
            if verdict.joins_members:
                members[name] = Member(name, verdict.joins_members)
        out.documents += [(d.doc_id, d.period) for d in verdict.documents]
        out.warnings += [w.code for w in verdict.warnings]
    out.case = fold(pack, "2024-0001", events) if events else None
    out.members = members
    return out


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons] if isinstance(verdict, Refusal) else []


def ok(verdict) -> bool:
    return isinstance(verdict, Decision)
