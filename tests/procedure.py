"""The whole procedure as data: a happy path through all 25 steps (dates and figures), and a pure runner
that applies submissions with ``advance`` (no files) — the scenario suite drives the same data through
the road with real files."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.check.validate import Submission
from engine.outcomes import Decision, Refusal
from engine.procedure.advance import World, advance
from engine.procedure.imports import plan_import
from engine.procedure.rules import Member
from engine.procedure.state import CaseState, fold
from engine.procedure.workdays import WorkdayCalendar
from engine.testing import load_walkthrough

WALK = load_walkthrough("party")     # templates/party/walkthrough.toml: the happy path's figures
TODAY = WALK.today
D = date
BRANCH = WALK.branch
# A branch of 17 full members (钱六 under 留党察看: no vote) and 2 probationary members: N = 16.
ROSTER = [(m["name"], m["status"], bool(m.get("discipline"))) for m in WALK.members]
MEMBERS = {n: Member(n, s, d) for n, s, d in ROSTER}


def person(**over: Any) -> dict:
    v = dict(WALK.person)
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
HAPPY: list[tuple[str, dict]] = [("applicant_roster", person()), *WALK.submissions]


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
    events: list = field(default_factory=list)     # (at, event) as the store would hold them


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
    out.events = events
    return out


def codes(verdict) -> list[str]:
    return [r.code for r in verdict.reasons] if isinstance(verdict, Refusal) else []


def ok(verdict) -> bool:
    return isinstance(verdict, Decision)
