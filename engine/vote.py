"""The branch general meeting vote (admission and 转正), exactly as §2 of the procedure:

    N = full members due to attend = full members − those excluded for one of the five allowed reasons
    quorum:  present × 2 > N          (written opinions do not make anyone present)
    pass:    (yes ballots + written yes) × 2 > N      (the denominator is N, not those present)
    ballots returned ≤ issued (else void: vote again); yes + no + abstain = returned

Each refusal names the number that is wrong and what it needed to be. Only counts are stored.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .outcomes import Finding

if TYPE_CHECKING:
    from .pack import RuleDef
    from .rules import RuleContext

EXCLUDED_SLOTS = 5


def _n(form: Any, key: str) -> int:
    value = form.get(key)
    return value if isinstance(value, int) else 0


def check_branch_vote(rule: "RuleDef", ctx: "RuleContext") -> list[Finding]:
    f, p = ctx.form, rule.params
    out: list[Finding] = []

    def bad(key: str, code: str, message: str, fix: str) -> None:
        out.append(Finding(code, message, fix, key, ctx.label(f"form.{key}"), severity=rule.severity,
                           article=rule.article))

    full, prob, total = _n(f, "members_full"), _n(f, "members_probationary"), f.get("members_total")
    if isinstance(total, int) and total != full + prob:
        bad("members_total", "vote_members_mismatch", f"党员总数{total}人，不等于正式党员{full}人加预备党员{prob}人（{full + prob}人）",
            "请核对支部党员人数")
    excluded = [i for i in range(1, EXCLUDED_SLOTS + 1) if f.get(f"excluded_{i}_name")]
    for i in excluded:
        if not f.get(f"excluded_{i}_reason"):
            bad(f"excluded_{i}_reason", "vote_excluded_reason", f"不计入应到会人数的“{f.get(f'excluded_{i}_name')}”没有填写原因",
                "原因须为五种情形之一：患重病生活不能自理、出国半年以上、受刑事处罚或羁押、卧床不起、外出半年以上未转组织关系")
    n_due = full - len(excluded)
    due = f.get("due_voting")
    if due != n_due:
        bad("due_voting", "vote_due_wrong", f"应到会有表决权的正式党员应为 正式党员{full}人 − 不计入{len(excluded)}人 = {n_due}人，"
            f"表中填写为{due}人（预备党员没有表决权，不计入）", f"请填写{n_due}")
    if out:
        return out
    present = _n(f, "present_voting")
    needed = n_due // 2 + 1
    if present > n_due:
        bad("present_voting", "vote_present_exceeds", f"到会有表决权党员{present}人，多于应到会的{n_due}人", "请核对到会人数")
    elif present * 2 <= n_due:
        bad("present_voting", "vote_no_quorum", f"到会有表决权的正式党员{present}人，未超过应到会{n_due}人的半数"
            f"（至少须{needed}人到会），会议不能进行表决", "到会人数不足，须另行召开支部大会")
    written = _n(f, "written_yes") + _n(f, "written_no") + _n(f, "written_abstain")
    if written > max(n_due - present, 0):
        bad("written_yes", "vote_written_exceeds", f"书面意见{written}份，多于未到会的有表决权党员{max(n_due - present, 0)}人",
            "书面意见只能由因故不能到会的有表决权党员在会前提交")
    issued, returned = _n(f, "ballots_issued"), _n(f, "ballots_returned")
    if returned > issued:
        bad("ballots_returned", "vote_ballots_void", f"收回选票{returned}张，多于发出的{issued}张，本次表决无效",
            "须重新投票表决，并按重新表决的结果填写")
    if issued > present:
        bad("ballots_issued", "vote_issued_exceeds", f"发出选票{issued}张，多于到会有表决权党员{present}人", "请核对发出票数")
    yes, no, abstain = _n(f, "yes"), _n(f, "no"), _n(f, "abstain")
    if yes + no + abstain != returned:
        bad("yes", "vote_count_mismatch", f"赞成{yes} + 反对{no} + 弃权{abstain} = {yes + no + abstain}，与收回选票{returned}张不符",
            "请核对计票结果")
    if not out:
        _outcome(f, p, n_due, needed, yes + _n(f, "written_yes"), bad)
    return out


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
    """N, the quorum and majority thresholds and the result, for minutes and resolutions."""
    excluded = sum(1 for i in range(1, EXCLUDED_SLOTS + 1) if f.get(f"excluded_{i}_name"))
    n_due = _n(f, "members_full") - excluded
    ayes = _n(f, "yes") + _n(f, "written_yes")
    return {"due": n_due, "excluded": excluded, "needed": n_due // 2 + 1, "ayes": ayes, "passed": ayes * 2 > n_due}
