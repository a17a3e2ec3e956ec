"""Rule kinds about single values: one of some values, a number between bounds, a training long enough."""
from __future__ import annotations

from datetime import date

from ...outcomes import Code, Finding
from ...pack.model import RuleDef
from ..refs import RefField
from .base import Kind, Params, RuleContext, finding


class ValueIn(Params):
    field: RefField
    values: tuple[str, ...]
    code: str = "value_not_allowed"
    fix: str = ""
    required: bool = False


def _check_value_in(rule: RuleDef, p: ValueIn, ctx: RuleContext) -> list[Finding]:
    value = ctx.get(p.field)
    if value in (None, "") and not p.required:
        return []
    if str(value) in p.values:
        return []
    return [finding(rule, ctx, p.field, p.code, f"{rule.label or ctx.label(p.field)}（当前为“{value or '未填写'}”）",
                    p.fix or f"须为：{'、'.join(p.values)}")]


class NumberRange(Params):
    field: RefField
    min: int
    max: int


def _check_number_range(rule: RuleDef, p: NumberRange, ctx: RuleContext) -> list[Finding]:
    value = ctx.get(p.field)
    if isinstance(value, int) and p.min <= value <= p.max:
        return []
    return [finding(rule, ctx, p.field, Code.NUMBER_OUT_OF_RANGE,
                    f"{rule.label or ctx.label(p.field)}：填写为{value if value is not None else '空'}，"
                    f"须在{p.min}至{p.max}之间",
                    f"请填写{p.min}至{p.max}之间的整数")]


class TrainingLength(Params):
    start: RefField
    end: RefField
    hours: RefField
    min_hours: int
    min_days: int | None = None      # None: only the class hours count


def _check_training_length(rule: RuleDef, p: TrainingLength, ctx: RuleContext) -> list[Finding]:
    start, end, hours = ctx.get(p.start), ctx.get(p.end), ctx.get(p.hours) or 0
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        return []
    days = (end - start).days + 1
    if (p.min_days is not None and days >= p.min_days) or hours >= p.min_hours:
        return []
    need = f"{p.min_days}天或{p.min_hours}学时" if p.min_days is not None else f"{p.min_hours}学时"
    return [finding(rule, ctx, p.hours, Code.TRAINING_TOO_SHORT, f"培训时间为{days}天、{hours}学时，须不少于{need}",
                    "请核对培训起止日期和学时；不足的须补足培训后再提交")]


KINDS = (
    Kind("value_in", ValueIn, _check_value_in),
    Kind("number_range", NumberRange, _check_number_range),
    Kind("training_length", TrainingLength, _check_training_length),
)
