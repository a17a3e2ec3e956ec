"""Rule kinds about dates: ages, intervals, spans of (working) days, periods of a repeat step."""
from __future__ import annotations

from datetime import date, timedelta

from pydantic import model_validator

from ...outcomes import Code, Finding, Severity
from ...pack.model import RuleDef
from .. import dates
from ..dates import DurationField
from ..refs import RefField
from ..workdays import fallback_years
from .base import Kind, Params, RuleContext, finding


class Age(Params):
    birth: RefField
    on: RefField
    years: int


def _check_min_age(rule: RuleDef, p: Age, ctx: RuleContext) -> list[Finding]:
    birth, on = ctx.get(p.birth), ctx.get(p.on)
    if not isinstance(birth, date) or not isinstance(on, date):
        return []
    age = dates.years_between(birth, on)
    if age >= p.years:
        return []
    earliest = dates.add_months(birth, 12 * p.years)
    return [finding(rule, ctx, p.on, Code.UNDER_AGE,
                    f"{ctx.label(p.on)} {on.isoformat()} 时年龄为 {age} 周岁，未满 {p.years} 周岁",
                    f"年满{p.years}周岁（{earliest.isoformat()}）后方可提出申请；如日期填错请更正")]


def _check_max_age(rule: RuleDef, p: Age, ctx: RuleContext) -> list[Finding]:
    birth, on = ctx.get(p.birth), ctx.get(p.on)
    if not isinstance(birth, date) or not isinstance(on, date):
        return []
    age = dates.years_between(birth, on)
    if age <= p.years:
        return []
    return [finding(rule, ctx, p.on, Code.OVER_AGE,
                    f"{ctx.label(p.on)} {on.isoformat()} 时年龄为 {age} 周岁，已超过 {p.years} 周岁",
                    "已超过规定年龄，不能提出申请；如出生日期或日期填错请更正")]


class Interval(Params):
    start: RefField
    end: RefField
    min: DurationField | None = None
    max: DurationField | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Interval:
        if self.min is None and self.max is None:
            raise ValueError("interval 规则至少要有 min 或 max")
        return self


def _check_interval(rule: RuleDef, p: Interval, ctx: RuleContext) -> list[Finding]:
    """``end`` comes at least ``min`` and at most ``max`` after ``start``. Messages name the dates in the order
    they happen: "the talk (2027-03-01) is after today", "the decision comes less than a year after ...", never
    "today is earlier than the talk"."""
    start, end = ctx.get(p.start), ctx.get(p.end)
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    what = rule.label or f"{ctx.label(p.end)}与{ctx.label(p.start)}的间隔"
    ref = p.end if p.end.ns == "form" else p.start   # point at the form side of the comparison
    out: list[Finding] = []
    if p.min is not None:
        earliest = dates.add(start, p.min, ctx.calendar)
        if end < earliest:
            out.append(_too_early(rule, p, ctx, ref, what, p.min, start, end, earliest))
        if p.min.unit == "working_day":
            out += calendar_note(ctx, ref, start, earliest)
    if p.max is not None:
        latest = dates.add(start, p.max, ctx.calendar)
        if p.max.unit == "working_day":
            out += calendar_note(ctx, ref, start, latest)
        if end > latest:
            out.append(finding(rule, ctx, ref, Code.INTERVAL_TOO_LONG,
                               f"{what}：{ctx.label(p.end)} {end.isoformat()} 已超过"
                               f"{ctx.label(p.start)} {start.isoformat()} 之后{p.max.zh()}"
                               f"（最迟 {latest.isoformat()}）",
                               "请核对日期；确属逾期的，请在工作记录中说明原因" if rule.severity == "warn"
                               else "请核对日期"))
    return out


def _too_early(rule: RuleDef, p: Interval, ctx: RuleContext, ref: str, what: str, dur: dates.Duration, start: date,
               end: date, earliest: date) -> Finding:
    start_label, end_label = ctx.label(p.start), ctx.label(p.end)
    if p.end == "today" and not dur.n:   # a date in the future
        return finding(rule, ctx, ref, Code.DATE_IN_FUTURE, f"{what}：{start_label}为 {start.isoformat()}，"
                       f"晚于今天（{end.isoformat()}）", "请核对日期，是否把年份或月份写错了；不能填写今后的日期")
    if p.end == "today":                 # a wait that is not over yet
        return finding(rule, ctx, ref, Code.INTERVAL_TOO_SHORT, f"{what}：自{start_label} {start.isoformat()} 起须满"
                       f"{dur.zh()}，今天（{end.isoformat()}）尚未满", f"请于 {earliest.isoformat()} 以后再提交")
    if not dur.n:                        # the wrong order
        return finding(rule, ctx, ref, Code.INTERVAL_TOO_SHORT, f"{what}：{end_label}（{end.isoformat()}）早于"
                       f"{start_label}（{start.isoformat()}）", f"请核对日期：{end_label}应在{start_label}当天或之后")
    fix = "请核对日期" + (f"；日期无误的，说明时间尚未满足，此步骤须在 {earliest.isoformat()} 或以后办理"
                          if p.end.ns == "form" else "")
    return finding(rule, ctx, ref, Code.INTERVAL_TOO_SHORT, f"{what}：{end_label} {end.isoformat()} 距"
                   f"{start_label} {start.isoformat()} 不足{dur.zh()}，最早应为 {earliest.isoformat()}", fix)


class Span(Params):
    start: RefField
    end: RefField
    min: DurationField


def _check_span(rule: RuleDef, p: Span, ctx: RuleContext) -> list[Finding]:
    """From start to end inclusive lasts at least ``min`` (days or working days on the mainland calendar)."""
    start, end = ctx.get(p.start), ctx.get(p.end)
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    need = p.min
    if need.unit == "working_day":
        days = [start + timedelta(days=i) for i in range(max((end - start).days + 1, 0))]
        have = sum(1 for d in days if ctx.calendar.is_workday(d))
    else:
        have = (end - start).days + 1
    note = calendar_note(ctx, p.end, start, end) if need.unit == "working_day" else []
    if have >= need.n:
        return note
    earliest = dates.add(start, dates.Duration(need.n - 1, need.unit), ctx.calendar) if need.unit != "working_day" \
        else ctx.calendar.add_working_days(start - timedelta(days=1), need.n)
    return [finding(rule, ctx, p.end, Code.SPAN_TOO_SHORT,
                    f"{rule.label or '期限不足'}：{start.isoformat()} 至 {end.isoformat()} 共{have}"
                    f"{'个工作日' if need.unit == 'working_day' else '天'}，须不少于{need.zh()}",
                    f"结束日期最早应为 {earliest.isoformat()}")] + note


def calendar_note(ctx: RuleContext, ref: str, start: date, end: date) -> list[Finding]:
    """A warning when working days were counted in a year the holiday calendar does not cover yet."""
    years = fallback_years(ctx.calendar, start, end)
    if not years:
        return []
    return [Finding(Code.CALENDAR_FALLBACK,
                    f"{'、'.join(map(str, years))}年的法定节假日安排尚未收录，已按周一至周五计算工作日",
                    "如该年有节假日或调休，请人工核对；升级 docflow（chinesecalendar）后即可按实际安排计算",
                    ctx.field_of(ref), ctx.label(ref), severity=Severity.WARN)]


class PeriodDue(Params):
    start: RefField
    field: RefField
    every: DurationField
    period: RefField


def _check_period_due(rule: RuleDef, p: PeriodDue, ctx: RuleContext) -> list[Finding]:
    start, when, period = ctx.get(p.start), ctx.get(p.field), ctx.get(p.period)
    if not isinstance(start, date) or not isinstance(when, date) or not isinstance(period, int):
        return []
    due = dates.add(start, p.every.times(period), ctx.calendar)
    if when <= due:
        return []
    return [finding(rule, ctx, p.field, Code.PERIOD_OVERDUE,
                    f"第{period}次考察应在 {due.isoformat()} 前完成，实际为 {when.isoformat()}",
                    "已按逾期记录；请今后按期考察")]


class PeriodsOnFile(Params):
    step: str
    start: RefField
    end: RefField
    every: DurationField


def _check_periods_on_file(rule: RuleDef, p: PeriodsOnFile, ctx: RuleContext) -> list[Finding]:
    """Every complete period between start and end has its (half-year) assessment on file."""
    start, end = ctx.get(p.start), ctx.get(p.end)
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    needed = 0
    while dates.add(start, p.every.times(needed + 1), ctx.calendar) <= end:
        needed += 1
    have = ctx.periods.get(p.step, 0)
    if have >= needed:
        return []
    return [finding(rule, ctx, p.end, Code.PERIODS_MISSING,
                    f"{rule.label or '考察记录不全'}：从{ctx.label(p.start)} {start.isoformat()} 到 {end.isoformat()}"
                    f" 应有{needed}次考察，已提交{have}次", f"请先补交缺少的考察登记表（共{needed - have}次）")]


KINDS = (
    Kind("min_age", Age, _check_min_age),
    Kind("max_age", Age, _check_max_age),
    Kind("interval", Interval, _check_interval),
    Kind("span", Span, _check_span, describe=lambda p: f"不少于{p.min.zh()}"),
    Kind("period_due", PeriodDue, _check_period_due),
    Kind("periods_on_file", PeriodsOnFile, _check_periods_on_file),
)
