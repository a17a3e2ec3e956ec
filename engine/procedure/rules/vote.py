"""The branch general meeting vote (admission, 转正, 接收新团员…), exactly as §2 of the procedure:

    N = full members due to attend
      = full members − those under discipline (no vote during it, e.g. 党章第四十条) − those excluded for one of
        the allowed reasons;  members of other statuses (probationary) never vote and never count
    quorum:  present × 2 > N          (written opinions do not make anyone present)
    pass:    (yes ballots + written yes) × 2 > N      when the majority is of those due (the party's rule), or
             yes ballots × 2 > present                 when it is of those present (majority_of = "present")
    ballots returned ≤ issued (else void: vote again); yes + no + abstain = returned

N is computed from the branch's member roster and the form's own figures must agree with it. Each refusal
names the number that is wrong and what it needed to be. Only counts are stored. Every field the rule reads
is a parameter the pack declares (the vote form's keys are the pack's, not the engine's)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import model_validator

from ...outcomes import Code, Finding, Member
from ...pack.model import RuleDef
from ..refs import Ref, RefField
from .base import Kind, Params, RuleContext


class BranchVote(Params):
    members_total: RefField
    members_full: RefField
    members_probationary: RefField | None = None
    members_discipline: RefField | None = None
    excluded_name: str = ""          # "form.excluded_#_name": the #-th member not due to attend
    excluded_reason: str = ""        # "form.excluded_#_reason"
    excluded_slots: int = 0
    due: RefField                    # the form's 应到会有表决权 figure
    present: RefField
    written_yes: RefField | None = None
    written_no: RefField | None = None
    written_abstain: RefField | None = None
    ballots_issued: RefField
    ballots_returned: RefField
    yes: RefField
    no: RefField
    abstain: RefField
    outcome: RefField
    pass_outcomes: tuple[str, ...]
    fail_outcomes: tuple[str, ...] = ()
    majority_of: Literal["due", "present"]

    @model_validator(mode="after")
    def _slots(self) -> BranchVote:
        if self.excluded_slots and not ("#" in self.excluded_name and "#" in self.excluded_reason):
            raise ValueError("excluded_name 和 excluded_reason 须含 #（第 # 个不计入应到会人数的人员）")
        return self

    def excluded_refs(self) -> list[tuple[Ref, Ref]]:
        return [(Ref(self.excluded_name.replace("#", str(n))), Ref(self.excluded_reason.replace("#", str(n))))
                for n in range(1, self.excluded_slots + 1)]

    def refs(self) -> list[Ref]:
        return super().refs() + [r for pair in self.excluded_refs() for r in pair]


def _n(value: Any) -> int:
    return value if isinstance(value, int) else 0


@dataclass(frozen=True)
class Roster:
    """The branch as its member roster has it."""

    full: int            # full members, those under discipline included
    others: int          # members of any other status (probationary): they do not vote
    discipline: int      # full members under discipline

    @classmethod
    def of(cls, members: Mapping[str, Member], full_status: str) -> Roster:
        full = [m for m in members.values() if m.status == full_status]
        return cls(len(full), len(members) - len(full), sum(1 for m in full if m.on_probation_discipline))


def excluded_names(p: BranchVote, form: Mapping[str, Any]) -> list[tuple[Ref, Ref, str]]:
    return [(name, reason, str(form.get(name.key))) for name, reason in p.excluded_refs() if form.get(name.key)]


def check_branch_vote(rule: RuleDef, p: BranchVote, ctx: RuleContext) -> list[Finding]:
    f = ctx.form
    out: list[Finding] = []

    def bad(ref: Ref, code: str, message: str, fix: str) -> None:
        out.append(Finding(code, message, fix, ref.key, ctx.label(ref), severity=rule.severity, article=rule.article))

    branch = ctx.branch
    roster_name = ctx.term("member_roster", "名册")
    if ctx.members is None:
        bad(p.due, Code.NO_MEMBER_ROSTER, f"尚未导入{branch}的{roster_name}，无法核对应到会有表决权的人数",
            f"请先把{branch}的{roster_name}放入 inbox，再重新提交本表")
        return out
    roster = Roster.of(ctx.members, ctx.policy.full)
    _check_counts(p, f, roster, f"{branch}{roster_name}", ctx, bad)
    _check_excluded(p, f, ctx, branch, bad)
    n_excluded = len(excluded_names(p, f))
    n_due = roster.full - roster.discipline - n_excluded
    full, discipline = ctx.term("full_member", "正式成员"), ctx.term("discipline", "纪律")
    if f.get(p.due.key) != n_due:
        bad(p.due, Code.VOTE_DUE_WRONG,
            f"应到会有表决权的{full}应为 {full}{roster.full}人 − 受{discipline}处分{roster.discipline}人 − "
            f"不计入{n_excluded}人 = {n_due}人（按{branch}{roster_name}核对），表中填写为{f.get(p.due.key)}人"
            f"（受{discipline}处分的和其他没有表决权的人员不计入）", f"请填写{n_due}")
    _check_tally(p, f, n_due, bad)  # against the N of the roster, so every wrong number is found at once
    return out


Bad = Callable[[Ref, str, str, str], None]


def _check_counts(p: BranchVote, f: Mapping[str, Any], roster: Roster, where: str, ctx: RuleContext, bad: Bad) -> None:
    """The form's member counts against the roster, each on its own."""
    def differs(ref: Ref | None, want: int, note: str = "") -> None:
        if ref is None:
            return
        given = f.get(ref.key) or 0
        if given != want:
            bad(ref, Code.VOTE_MEMBERS_MISMATCH, f"{ctx.label(ref)}填写为{given}人，{where}中为{want}人{note}",
                f"请填写{want}；如名册已过时，请先更新名册")

    under = f"（含受{ctx.term('discipline', '纪律')}处分的）" if p.members_discipline else ""
    differs(p.members_full, roster.full, under)
    differs(p.members_probationary, roster.others)
    differs(p.members_discipline, roster.discipline)
    total = f.get(p.members_total.key)
    if isinstance(total, int) and total != roster.full + roster.others:
        bad(p.members_total, Code.VOTE_MEMBERS_MISMATCH,
            f"{ctx.label(p.members_total)}填写为{total}人，{where}中共{roster.full + roster.others}人",
            f"请填写{roster.full + roster.others}")


def _check_excluded(p: BranchVote, f: Mapping[str, Any], ctx: RuleContext, branch: str, bad: Bad) -> None:
    assert ctx.members is not None
    full, discipline = ctx.term("full_member", "正式成员"), ctx.term("discipline", "纪律")
    for name_ref, reason_ref, name in excluded_names(p, f):
        member = ctx.members.get(name)
        if member is None:
            roster = ctx.term("member_roster", "名册")
            bad(name_ref, Code.VOTE_EXCLUDED_UNKNOWN, f"不计入应到会人数的“{name}”不在{branch}{roster}中", "请核对姓名")
        elif member.status != ctx.policy.full:
            bad(name_ref, Code.VOTE_EXCLUDED_NOT_VOTING,
                f"“{name}”是{member.status}，本来就没有表决权、不计入应到会人数",
                f"不计入应到会人数只填因规定情形不能参加的{full}；请删去此人")
        elif member.on_probation_discipline:
            bad(name_ref, Code.VOTE_EXCLUDED_NOT_VOTING,
                f"“{name}”正受{discipline}处分，察看期间没有表决权，本来就不计入应到会人数",
                "请删去此人，不要重复扣除")
        if not f.get(reason_ref.key):
            bad(reason_ref, Code.VOTE_EXCLUDED_REASON, f"不计入应到会人数的“{name}”没有填写原因",
                "请从下拉列表中选择规定的情形之一")


def _check_tally(p: BranchVote, f: Mapping[str, Any], n_due: int, bad: Bad) -> None:
    present = _n(f.get(p.present.key))
    needed = n_due // 2 + 1
    problems: list[str] = []

    def flag(ref: Ref, code: str, message: str, fix: str) -> None:
        problems.append(code)
        bad(ref, code, message, fix)

    if present > n_due:
        flag(p.present, Code.VOTE_PRESENT_EXCEEDS, f"到会有表决权的{present}人，多于应到会的{n_due}人",
             "请核对到会人数")
    elif present * 2 <= n_due:
        flag(p.present, Code.VOTE_NO_QUORUM, f"到会有表决权的{present}人，未超过应到会{n_due}人的半数"
             f"（至少须{needed}人到会），会议不能进行表决", "到会人数不足，须另行召开支部大会")
    written = sum(_n(f.get(r.key)) for r in (p.written_yes, p.written_no, p.written_abstain) if r is not None)
    if written > max(n_due - present, 0) and p.written_yes is not None:
        flag(p.written_yes, Code.VOTE_WRITTEN_EXCEEDS,
             f"书面意见{written}份，多于未到会的有表决权人员{max(n_due - present, 0)}人",
             "书面意见只能由因故不能到会的有表决权人员在会前提交")
    issued, returned = _n(f.get(p.ballots_issued.key)), _n(f.get(p.ballots_returned.key))
    if returned > issued:
        flag(p.ballots_returned, Code.VOTE_BALLOTS_VOID, f"收回选票{returned}张，多于发出的{issued}张，本次表决无效",
             "须重新投票表决，并按重新表决的结果填写")
    if issued > present:
        flag(p.ballots_issued, Code.VOTE_ISSUED_EXCEEDS, f"发出选票{issued}张，多于到会有表决权的{present}人",
             "请核对发出票数")
    yes, no, abstain = _n(f.get(p.yes.key)), _n(f.get(p.no.key)), _n(f.get(p.abstain.key))
    if yes + no + abstain != returned:
        flag(p.yes, Code.VOTE_COUNT_MISMATCH,
             f"赞成{yes} + 反对{no} + 弃权{abstain} = {yes + no + abstain}，与收回选票{returned}张不符",
             "请核对计票结果")
    if not problems:
        _outcome(p, f, n_due, present, bad)


def tally(p: BranchVote, f: Mapping[str, Any], n_due: int, present: int) -> dict[str, Any]:
    written_yes = _n(f.get(p.written_yes.key)) if p.written_yes is not None else 0
    ayes = _n(f.get(p.yes.key)) + (written_yes if p.majority_of == "due" else 0)
    base = n_due if p.majority_of == "due" else present
    return {"ayes": ayes, "base": base, "needed": base // 2 + 1, "passed": ayes * 2 > base}


def _outcome(p: BranchVote, f: Mapping[str, Any], n_due: int, present: int, bad: Bad) -> None:
    t = tally(p, f, n_due, present)
    outcome = str(f.get(p.outcome.key) or "")
    of = "应到会有表决权" if p.majority_of == "due" else "实到会有表决权"
    counted = (f"赞成票{f.get(p.yes.key) or 0}张加书面同意{_n(f.get(p.written_yes.key)) if p.written_yes else 0}份"
               if p.majority_of == "due" else f"赞成票{f.get(p.yes.key) or 0}张")
    text = f"{counted}共{t['ayes']}票，{of}的{t['base']}人，须至少{t['needed']}票"
    if outcome in p.pass_outcomes and not t["passed"]:
        fix = (f"表决结果应填“{p.fail_outcomes[0]}”" if p.fail_outcomes
               else "决议未获通过，不能作出该决定；请按支部大会实际情况处理")
        bad(p.outcome, Code.VOTE_OUTCOME_MISMATCH, f"{text}，未获通过，但表决结果填写为“{outcome}”", fix)
    elif outcome in p.fail_outcomes and t["passed"]:
        bad(p.outcome, Code.VOTE_OUTCOME_MISMATCH, f"{text}，已获通过，但表决结果填写为“{outcome}”",
            f"表决结果应填“{p.pass_outcomes[0]}”")


def vote_summary(p: BranchVote, f: Mapping[str, Any]) -> dict[str, Any]:
    """N, the thresholds, the result and the excluded, for minutes and resolutions (from the form's figures,
    which were checked against the member roster when the form was processed)."""
    excluded = excluded_names(p, f)
    discipline = _n(f.get(p.members_discipline.key)) if p.members_discipline else 0
    n_due = _n(f.get(p.members_full.key)) - discipline - len(excluded)
    t = tally(p, f, n_due, _n(f.get(p.present.key)))
    return {"due": n_due, "excluded": len(excluded), "discipline": discipline, "needed": t["needed"],
            "ayes": t["ayes"], "passed": t["passed"],
            "excluded_list": [{"name": name, "reason": f.get(reason.key) or ""} for _, reason, name in excluded]}


def describe_vote(p: BranchVote) -> str:
    base = "应到会有表决权人数" if p.majority_of == "due" else "实到会有表决权人数"
    counted = "赞成票加会前书面同意" if p.majority_of == "due" and p.written_yes is not None else "赞成票"
    return (f"到会人数须超过应到会有表决权人数的一半，{counted}须超过{base}的一半；"
            "收回票不多于发出票，赞成、反对、弃权之和等于收回票数")


KINDS = (Kind("branch_vote", BranchVote, check_branch_vote, vote_summary, describe_vote),)
