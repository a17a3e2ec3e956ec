"""Rule kinds about people: the citizen ID number, how many names a form gives, and whether they are full
members of the branch's roster."""
from __future__ import annotations

from datetime import date

from ...outcomes import Code, Finding
from ...pack.model import RuleDef
from ..refs import RefField
from .base import Kind, Params, RuleContext, finding

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_problem(value: str) -> str:
    """Why an 18-character citizen ID number is invalid (GB 11643), or '' when it is valid."""
    if "*" in value or "＊" in value:
        return ("公民身份号码有几位被隐去（写成了 *，如 docflow 生成的台账、其他系统导出的脱敏名单），"
                "无法据此建立案卷；请填写完整的18位号码（docflow 生成的台账只供查看，不能再导入）")
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "公民身份号码应为18位：前17位数字，最后一位数字或X"
    if id_check_char(value[:17]) != value[17]:
        return f"公民身份号码校验位不符（按前17位计算，最后一位应为 {id_check_char(value[:17])}），请核对是否抄错"
    if id_birth_date(value) is None:
        return "公民身份号码中的出生日期（第7至14位）不是有效日期"
    return ""


def id_birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


class IdNumber(Params):
    field: RefField
    birth: RefField


def _check_id_number(rule: RuleDef, p: IdNumber, ctx: RuleContext) -> list[Finding]:
    value, birth = ctx.get(p.field), ctx.get(p.birth)
    if not value:
        return []
    problem = id_problem(value)
    if problem:
        return [finding(rule, ctx, p.field, Code.ID_NUMBER_INVALID, problem, "请对照身份证重新填写")]
    born = id_birth_date(value)
    if not isinstance(birth, date) or born is None:
        return []
    month_only = type(birth).__name__ == "MonthDate"      # 出生年月 = 1998-02: the year and month must agree
    if (born.year, born.month) != (birth.year, birth.month) or (not month_only and born != birth):
        shown = f"{born.year:04d}-{born.month:02d}" if month_only else born.isoformat()
        return [finding(rule, ctx, p.birth, Code.ID_BIRTH_MISMATCH,
                        f"出生{'年月' if month_only else '日期'} {birth.isoformat()} 与公民身份号码中的出生"
                        f"{'年月' if month_only else '日期'} {shown} 不一致",
                        "请核对出生日期或身份证号码，二者须一致")]
    return []


class CountRange(Params):
    fields: tuple[RefField, ...]
    min: int
    max: int


def _check_count_range(rule: RuleDef, p: CountRange, ctx: RuleContext) -> list[Finding]:
    names = [ctx.get(r) for r in p.fields if ctx.get(r)]
    if p.min <= len(names) <= p.max:
        dupes = {n for n in names if names.count(n) > 1}
        if not dupes:
            return []
        return [finding(rule, ctx, p.fields[-1], Code.DUPLICATE_PERSON, f"{'、'.join(dupes)} 被重复填写",
                        "同一人只能填写一次，请更换为另一人或删去")]
    return [finding(rule, ctx, p.fields[0], Code.COUNT_OUT_OF_RANGE,
                    f"{rule.label or '人数'}：应为{p.min}至{p.max}人，实际填写了{len(names)}人",
                    f"请填写{p.min}至{p.max}人")]


class FullMembers(Params):
    fields: tuple[RefField, ...]


def _check_full_members(rule: RuleDef, p: FullMembers, ctx: RuleContext) -> list[Finding]:
    roster, full = ctx.term("member_roster", "名册"), ctx.term("full_member", ctx.policy.full)
    branch = ctx.branch
    out: list[Finding] = []
    for ref in p.fields:
        name = ctx.get(ref)
        if not name:
            continue
        if ctx.members is None:
            return [finding(rule, ctx, ref, Code.NO_MEMBER_ROSTER,
                            f"尚未导入{branch}的{roster}，无法核对{ctx.label(ref)}是否为{full}",
                            f"请先把{branch}的{roster}放入 inbox，再重新提交本表")]
        member = ctx.members.get(name)
        if member is None:
            problem = f"{ctx.label(ref)}“{name}”不在{branch}{roster}中"
        elif member.status != ctx.policy.full:
            problem = f"{ctx.label(ref)}“{name}”是{member.status}，须由{full}担任"
        elif member.on_probation_discipline:
            problem = f"{ctx.label(ref)}“{name}”正受{ctx.term('discipline', '纪律')}处分，不能担任"
        else:
            continue
        out.append(finding(rule, ctx, ref, Code.NOT_FULL_MEMBER, problem,
                           f"请改为本{ctx.term('branch', '支部')}的{full}；如名册有误，请先更新{roster}"))
    return out


KINDS = (
    Kind("id_number", IdNumber, _check_id_number),
    Kind("count_range", CountRange, _check_count_range),
    Kind("full_members", FullMembers, _check_full_members),
)
