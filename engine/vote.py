"""The branch general meeting vote (admission and 转正), exactly as §2 of the procedure:

    N = full members due to attend
      = full members − those under 留党察看 (no vote during it, 党章第四十条) − those excluded for one of
        the five allowed reasons;  probationary members never vote and never count
    quorum:  present × 2 > N          (written opinions do not make anyone present)
    pass:    (yes ballots + written yes) × 2 > N      (the denominator is N, not those present)
    ballots returned ≤ issued (else void: vote again); yes + no + abstain = returned

N is computed from the branch's member roster and the form's own figures must agree with it. Each refusal
names the number that is wrong and what it needed to be. Only counts are stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .outcomes import Finding

if TYPE_CHECKING:
    from .pack import RuleDef
    from .rules import Member, RuleContext

EXCLUDED_SLOTS = 5
FULL, PROBATIONARY = "正式党员", "预备党员"


def _n(form: Any, key: str) -> int:
    value = form.get(key)
    return value if isinstance(value, int) else 0


@dataclass(frozen=True)
class Roster:
    """The branch as its member roster has it."""

    full: int            # 正式党员, those under 留党察看 included
    probationary: int
    discipline: int      # 正式党员 under 留党察看

    @classmethod
    def of(cls, members: Mapping[str, "Member"]) -> "Roster":
        full = [m for m in members.values() if m.status == FULL]
        return cls(len(full), sum(1 for m in members.values() if m.status == PROBATIONARY),
                   sum(1 for m in full if m.on_probation_discipline))


def excluded_names(f: Any) -> list[tuple[int, str]]:
    return [(i, str(f.get(f"excluded_{i}_name"))) for i in range(1, EXCLUDED_SLOTS + 1) if f.get(f"excluded_{i}_name")]


def check_branch_vote(rule: "RuleDef", ctx: "RuleContext") -> list[Finding]:
    f, p = ctx.form, rule.params
    out: list[Finding] = []

    def bad(key: str, code: str, message: str, fix: str) -> None:
        out.append(Finding(code, message, fix, key, ctx.label(f"form.{key}"), severity=rule.severity,
                           article=rule.article))

    branch = ctx.case.get("branch") or "本支部"
    if ctx.members is None:
        bad("due_voting", "no_member_roster", f"尚未导入{branch}的党员名册，无法核对应到会有表决权的党员人数",
            "请先把本支部党员名册（列：姓名、所在党支部、党员类别、是否留党察看）放入 inbox，再重新提交本表")
        return out
    roster = Roster.of(ctx.members)
    _check_counts(f, roster, branch, bad)
    _check_excluded(f, ctx.members, branch, bad)
    n_due = roster.full - roster.discipline - len(excluded_names(f))
    due = f.get("due_voting")
    if due != n_due:
        bad("due_voting", "vote_due_wrong",
            f"应到会有表决权的正式党员应为 正式党员{roster.full}人 − 受留党察看处分{roster.discipline}人 − "
            f"不计入{len(excluded_names(f))}人 = {n_due}人（按{branch}党员名册核对），表中填写为{due}人"
            "（预备党员和受留党察看处分的党员没有表决权，不计入）", f"请填写{n_due}")
    _check_tally(f, p, n_due, bad)  # against the N of the roster, so every wrong number is found at once
    return out


def _check_counts(f: Any, roster: Roster, branch: str, bad: Callable[..., None]) -> None:
    """The form's member counts against the roster, each on its own."""
    full, prob, disc, total = (f.get("members_full"), f.get("members_probationary"), f.get("members_discipline"),
                               f.get("members_total"))
    where = f"{branch}党员名册"
    if full != roster.full:
        bad("members_full", "vote_members_mismatch", f"正式党员人数填写为{full}人，{where}中为{roster.full}人"
            "（含受留党察看处分的党员）", f"请填写{roster.full}；如名册已过时，请先更新党员名册")
    if prob != roster.probationary:
        bad("members_probationary", "vote_members_mismatch",
            f"预备党员人数填写为{prob}人，{where}中为{roster.probationary}人", f"请填写{roster.probationary}；如名册已过时，请先更新党员名册")
    if (disc or 0) != roster.discipline:
        bad("members_discipline", "vote_members_mismatch",
            f"受留党察看处分的党员人数填写为{disc or 0}人，{where}中为{roster.discipline}人",
            f"请填写{roster.discipline}；受留党察看处分的党员在察看期间没有表决权")
    if isinstance(total, int) and total != roster.full + roster.probationary:
        bad("members_total", "vote_members_mismatch",
            f"党员总数填写为{total}人，{where}中为正式党员{roster.full}人加预备党员{roster.probationary}人，"
            f"共{roster.full + roster.probationary}人", f"请填写{roster.full + roster.probationary}")


def _check_excluded(f: Any, members: Mapping[str, "Member"], branch: str, bad: Callable[..., None]) -> None:
    for i, name in excluded_names(f):
        key = f"excluded_{i}_name"
        member = members.get(name)
        if member is None:
            bad(key, "vote_excluded_unknown", f"不计入应到会人数的“{name}”不在{branch}党员名册中", "请核对姓名")
        elif member.status != FULL:
            bad(key, "vote_excluded_not_voting", f"“{name}”是{member.status}，本来就没有表决权、不计入应到会人数",
                "不计入应到会人数只填因五种情形不能参加的正式党员；请删去此人")
        elif member.on_probation_discipline:
            bad(key, "vote_excluded_not_voting", f"“{name}”正受留党察看处分，察看期间没有表决权，本来就不计入应到会人数",
                "请删去此人，不要重复扣除")
        if not f.get(f"excluded_{i}_reason"):
            bad(f"excluded_{i}_reason", "vote_excluded_reason", f"不计入应到会人数的“{name}”没有填写原因",
                "原因须为五种情形之一：患重病生活不能自理、出国半年以上、受刑事处罚或羁押、卧床不起、外出半年以上未转组织关系")


def _check_tally(f: Any, p: dict, n_due: int, bad: Callable[..., None]) -> None:
    present = _n(f, "present_voting")
    needed = n_due // 2 + 1
    problems: list[str] = []

    def flag(*args: str) -> None:
        problems.append(args[1])
        bad(*args)

    if present > n_due:
        flag("present_voting", "vote_present_exceeds", f"到会有表决权党员{present}人，多于应到会的{n_due}人", "请核对到会人数")
    elif present * 2 <= n_due:
        flag("present_voting", "vote_no_quorum", f"到会有表决权的正式党员{present}人，未超过应到会{n_due}人的半数"
             f"（至少须{needed}人到会），会议不能进行表决", "到会人数不足，须另行召开支部大会")
    written = _n(f, "written_yes") + _n(f, "written_no") + _n(f, "written_abstain")
    if written > max(n_due - present, 0):
        flag("written_yes", "vote_written_exceeds", f"书面意见{written}份，多于未到会的有表决权党员{max(n_due - present, 0)}人",
             "书面意见只能由因故不能到会的有表决权党员在会前提交")
    issued, returned = _n(f, "ballots_issued"), _n(f, "ballots_returned")
    if returned > issued:
        flag("ballots_returned", "vote_ballots_void", f"收回选票{returned}张，多于发出的{issued}张，本次表决无效",
             "须重新投票表决，并按重新表决的结果填写")
    if issued > present:
        flag("ballots_issued", "vote_issued_exceeds", f"发出选票{issued}张，多于到会有表决权党员{present}人", "请核对发出票数")
    yes, no, abstain = _n(f, "yes"), _n(f, "no"), _n(f, "abstain")
    if yes + no + abstain != returned:
        flag("yes", "vote_count_mismatch", f"赞成{yes} + 反对{no} + 弃权{abstain} = {yes + no + abstain}，与收回选票{returned}张不符",
             "请核对计票结果")
    if not problems:
        _outcome(f, p, n_due, needed, yes + _n(f, "written_yes"), bad)


def _outcome(f: Any, p: dict, n_due: int, needed: int, ayes: int, bad) -> None:
    passed = ayes * 2 > n_due
    outcome = str(f.get("outcome") or "")
    pass_outcomes, fail_outcomes = list(p["pass_outcomes"]), list(p.get("fail_outcomes", []))
    tally = f"赞成票{f.get('yes') or 0}张加书面同意{f.get('written_yes') or 0}份共{ayes}票，应到会有表决权党员{n_due}人，须至少{needed}票"
    if outcome in pass_outcomes and not passed:
        fix = f"表决结果应填“{fail_outcomes[0]}”" if fail_outcomes else "决议未获通过，不能作出该决定；请按支部大会实际情况处理"
        bad("outcome", "vote_outcome_mismatch", f"{tally}，未获通过，但表决结果填写为“{outcome}”", fix)
    elif outcome in fail_outcomes and passed:
        bad("outcome", "vote_outcome_mismatch", f"{tally}，已获通过，但表决结果填写为“{outcome}”",
            f"表决结果应填“{pass_outcomes[0]}”")


def vote_summary(f: Any) -> dict[str, int | bool]:
    """N, the quorum and majority thresholds and the result, for minutes and resolutions (from the form's
    figures, which were checked against the member roster when the form was processed)."""
    excluded = len(excluded_names(f))
    discipline = _n(f, "members_discipline")
    n_due = _n(f, "members_full") - discipline - excluded
    ayes = _n(f, "yes") + _n(f, "written_yes")
    return {"due": n_due, "excluded": excluded, "discipline": discipline, "needed": n_due // 2 + 1, "ayes": ayes,
            "passed": ayes * 2 > n_due}
