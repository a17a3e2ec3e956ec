"""The democratic evaluation (民主测评, the plan's 测评制): members and the public judge an activist before the
development-target decision (or before the admission meeting). Its tally adds up and passes when the ballots
agreeing, of those returned, reach the threshold (default 2/3); a failed evaluation blocks the decision it precedes.

    evaluation_tally    the evaluation's own form: counts add up, returned ≤ issued ≤ participants, the result
                        staff wrote is the one the numbers give; a failure is recorded (warned) and says by how much
    evaluation_passed   the decision it precedes: an evaluation is on file and passed, else which number fell short
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from pydantic import field_validator

from ...outcomes import Finding, Severity
from ...pack.model import RuleDef
from ..refs import RefField
from .base import Kind, Params, RuleContext, finding

EVALUATION_COUNT_MISMATCH = "evaluation_count_mismatch"
EVALUATION_RETURNED_EXCEEDS = "evaluation_returned_exceeds"
EVALUATION_ISSUED_EXCEEDS = "evaluation_issued_exceeds"
EVALUATION_RESULT_MISMATCH = "evaluation_result_mismatch"
EVALUATION_FAILED = "evaluation_failed"
EVALUATION_MISSING = "evaluation_missing"


def threshold_of(text: str) -> Fraction:
    """"2/3", "0.6", "60%" → a fraction in (0, 1]."""
    t = str(text).strip()
    value = Fraction(t[:-1]) / 100 if t.endswith("%") else Fraction(t)
    if not 0 < value <= 1:
        raise ValueError(f"通过比例须在 0 和 1 之间（现为 {text}）")
    return value


def words(threshold: Fraction) -> str:
    if threshold.denominator <= 10:
        return f"{threshold.numerator}/{threshold.denominator}"
    return f"{float(threshold):.0%}"


def passes(agree: int, returned: int, threshold: Fraction) -> bool:
    return returned > 0 and Fraction(agree, returned) >= threshold


def shortfall(agree: int, returned: int, threshold: Fraction) -> str:
    """Which number fell short, in words: 同意 5 票，占收回的 8 票的 62.5%，低于 2/3（至少需 6 票同意）."""
    need = math.ceil(threshold * returned)
    share = f"{agree / returned:.1%}" if returned else "0%"
    return (f"同意 {agree} 票，占收回的 {returned} 票的 {share}，低于 {words(threshold)}"
            f"（收回 {returned} 票时至少需 {need} 票同意，还差 {need - agree} 票）")


class _Threshold(Params):
    threshold: str = "2/3"

    @field_validator("threshold", mode="before")
    @classmethod
    def _check(cls, v: Any) -> str:
        threshold_of(str(v))
        return str(v)

    @property
    def fraction(self) -> Fraction:
        return threshold_of(self.threshold)


class EvaluationTally(_Threshold):
    participants: tuple[RefField, ...]      # members and masses taking part
    issued: RefField
    returned: RefField
    agree: RefField
    disagree: RefField
    abstain: RefField
    result: RefField
    pass_results: tuple[str, ...] = ("通过",)
    fail_results: tuple[str, ...] = ("未通过",)


def _n(ctx: RuleContext, ref: str) -> int:
    value = ctx.get(ref)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _check_tally(rule: RuleDef, p: EvaluationTally, ctx: RuleContext) -> list[Finding]:
    issued, returned = _n(ctx, p.issued), _n(ctx, p.returned)
    agree, disagree, abstain = _n(ctx, p.agree), _n(ctx, p.disagree), _n(ctx, p.abstain)
    people = sum(_n(ctx, r) for r in p.participants)
    out = []
    if agree + disagree + abstain != returned:
        out.append(finding(rule, ctx, p.returned, EVALUATION_COUNT_MISMATCH,
                           f"民主测评票数对不上：同意 {agree} + 不同意 {disagree} + 弃权 {abstain} = "
                           f"{agree + disagree + abstain}，与收回的 {returned} 张不等",
                           "请核对测评票：同意、不同意、弃权三项之和须等于收回票数（废票请说明后不计入收回票数）"))
    if returned > issued:
        out.append(finding(rule, ctx, p.returned, EVALUATION_RETURNED_EXCEEDS,
                           f"收回测评票 {returned} 张，多于发出的 {issued} 张", "请核对发出和收回的测评票数"))
    if issued > people:
        labels = "、".join(ctx.label(r) for r in p.participants)
        out.append(finding(rule, ctx, p.issued, EVALUATION_ISSUED_EXCEEDS,
                           f"发出测评票 {issued} 张，多于参加测评的人数 {people}（{labels}之和）",
                           "每位参加测评的党员和群众发一张测评票，请核对"))
    if returned == 0 and not out:
        out.append(finding(rule, ctx, p.returned, EVALUATION_COUNT_MISMATCH, "收回测评票为 0 张，无法计算测评结果",
                           "请填写收回的测评票数"))
    if out:
        return out
    passed = passes(agree, returned, p.fraction)
    given = str(ctx.get(p.result) or "")
    expected = p.pass_results[0] if passed else p.fail_results[0]
    if (given in p.pass_results) != passed:
        return [finding(rule, ctx, p.result, EVALUATION_RESULT_MISMATCH,
                        f"测评结果填为“{given or '未填写'}”，但按票数应为“{expected}”"
                        f"（同意 {agree} 票，收回 {returned} 票，通过须同意票占收回票数的 {words(p.fraction)} 以上）",
                        f"请把测评结果改为“{expected}”，或核对票数")]
    if not passed:
        return [Finding(EVALUATION_FAILED, f"民主测评未通过：{shortfall(agree, returned, p.fraction)}。已记录在案",
                        "未通过民主测评的，暂不能进入下一步；待进一步培养教育后，重新组织民主测评并提交新的测评情况表",
                        field=ctx.field_of(p.agree), label=ctx.label(p.agree), severity=Severity.WARN,
                        article=rule.article)]
    return []


class EvaluationPassed(_Threshold):
    result: RefField
    agree: RefField
    returned: RefField
    pass_results: tuple[str, ...] = ("通过",)


def _check_passed(rule: RuleDef, p: EvaluationPassed, ctx: RuleContext) -> list[Finding]:
    result = str(ctx.get(p.result) or "")
    if not result:
        return [finding(rule, ctx, p.result, EVALUATION_MISSING,
                        f"{rule.label}：尚未进行民主测评（没有民主测评情况表）",
                        "请先组织党员和群众进行民主测评，把民主测评情况表放入 inbox，通过后再提交本表")]
    if result in p.pass_results:
        return []
    agree, returned = _n(ctx, p.agree), _n(ctx, p.returned)
    return [finding(rule, ctx, p.result, EVALUATION_FAILED,
                    f"{rule.label}：最近一次民主测评未通过——{shortfall(agree, returned, p.fraction)}",
                    "须重新组织民主测评并获通过后，再提交本表")]


def _describe(p: _Threshold) -> str:
    return f"同意票占收回票数的 {words(p.fraction)} 以上为通过"


KINDS = (
    Kind("evaluation_tally", EvaluationTally, _check_tally, describe=_describe),
    Kind("evaluation_passed", EvaluationPassed, _check_passed, describe=_describe),
)
