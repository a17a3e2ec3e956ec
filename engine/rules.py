"""The engine's rule library. A pack names a rule kind and gives parameters; each kind is a small pure
check tested once. Checks never raise on missing values: required-ness is validated before them.

Kinds: id_number, min_age, interval, count_range, full_members, period_due.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Mapping

from . import dates
from .clock import WorkdayCalendar, fallback_years
from .errors import PackError
from .outcomes import Finding
from .pack import FormDef, RuleDef
from .vote import check_branch_vote


@dataclass(frozen=True)
class Member:
    name: str
    status: str                  # 正式党员 | 预备党员
    on_probation_discipline: bool = False


@dataclass(frozen=True)
class RuleContext:
    form: Mapping[str, Any]
    case: Mapping[str, Any]
    today: date
    labels: Mapping[str, str]                       # "form.x"/"case.x" -> Chinese label
    members: Mapping[str, Member] | None = None     # the case's branch, by name; None = no roster yet
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    periods: Mapping[str, int] = field(default_factory=dict)   # repeat step -> periods on file

    def get(self, ref: str) -> Any:
        if ref == "today":
            return self.today
        ns, _, key = ref.partition(".")
        return (self.form if ns == "form" else self.case).get(key)

    def label(self, ref: str) -> str:
        return "今天" if ref == "today" else self.labels.get(ref, ref.partition(".")[2])

    def field_of(self, ref: str) -> str:
        """The form field a finding points at (the form side of a comparison)."""
        return ref.partition(".")[2] if ref.startswith("form.") else ""


Check = Callable[[RuleDef, RuleContext], list[Finding]]


def _finding(rule: RuleDef, ctx: RuleContext, ref: str, code: str, message: str, fix: str) -> Finding:
    return Finding(code=code, message=message, fix=fix, field=ctx.field_of(ref), label=ctx.label(ref),
                   severity=rule.severity, article=rule.article)


# ---------------------------------------------------------------- id_number
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def id_problem(value: str) -> str:
    """Why an 18-character citizen ID number is invalid (GB 11643), or '' when it is valid."""
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


def _check_id_number(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    value, birth = ctx.get(p["field"]), ctx.get(p["birth"])
    if not value:
        return []
    problem = id_problem(value)
    if problem:
        return [_finding(rule, ctx, p["field"], "id_number_invalid", problem, "请对照身份证重新填写")]
    if birth and id_birth_date(value) != birth:
        return [_finding(rule, ctx, p["birth"], "id_birth_mismatch",
                         f"出生日期 {birth.isoformat()} 与公民身份号码中的出生日期 {id_birth_date(value).isoformat()} 不一致",
                         "请核对出生日期或身份证号码，二者须一致")]
    return []


# ---------------------------------------------------------------- min_age
def _check_min_age(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    birth, on, years = ctx.get(p["birth"]), ctx.get(p["on"]), int(p["years"])
    if not birth or not on:
        return []
    age = dates.years_between(birth, on)
    if age >= years:
        return []
    earliest = dates.add_months(birth, 12 * years)
    return [_finding(rule, ctx, p["on"], "under_age",
                     f"{ctx.label(p['on'])} {on.isoformat()} 时年龄为 {age} 周岁，未满 {years} 周岁",
                     f"年满{years}周岁（{earliest.isoformat()}）后方可递交入党申请书；如日期填错请更正")]


# ---------------------------------------------------------------- interval
def _check_interval(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    """``end`` comes at least ``min`` and at most ``max`` after ``start``. Messages name the dates in the order
    they happen: "the talk (2027-03-01) is after today", "the decision comes less than a year after ...", never
    "today is earlier than the talk"."""
    p = rule.params
    start, end = ctx.get(p["start"]), ctx.get(p["end"])
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    what = rule.label or f"{ctx.label(p['end'])}与{ctx.label(p['start'])}的间隔"
    ref = p["end"] if p["end"].startswith("form.") else p["start"]   # point at the form side of the comparison
    out: list[Finding] = []
    if "min" in p:
        dur = dates.Duration.parse(p["min"])
        earliest = dates.add(start, dur, ctx.calendar)
        if end < earliest:
            out.append(_too_early(rule, ctx, ref, what, dur, start, end, earliest))
        if dur.unit == "working_day":
            out += calendar_note(rule, ctx, ref, start, earliest)
    if "max" in p:
        dur = dates.Duration.parse(p["max"])
        latest = dates.add(start, dur, ctx.calendar)
        if dur.unit == "working_day":
            out += calendar_note(rule, ctx, ref, start, latest)
        if end > latest:
            out.append(_finding(rule, ctx, ref, "interval_too_long",
                                f"{what}：{ctx.label(p['end'])} {end.isoformat()} 已超过"
                                f"{ctx.label(p['start'])} {start.isoformat()} 之后{dur.zh()}（最迟 {latest.isoformat()}）",
                                "请核对日期；确属逾期的，请在工作记录中说明原因" if rule.severity == "warn"
                                else "请核对日期"))
    return out


def _too_early(rule: RuleDef, ctx: RuleContext, ref: str, what: str, dur: dates.Duration, start: date, end: date,
               earliest: date) -> Finding:
    p = rule.params
    start_label, end_label = ctx.label(p["start"]), ctx.label(p["end"])
    if p["end"] == "today" and not dur.n:   # a date in the future
        return _finding(rule, ctx, ref, "date_in_future", f"{what}：{start_label}为 {start.isoformat()}，"
                        f"晚于今天（{end.isoformat()}）", "请核对日期，是否把年份或月份写错了；不能填写今后的日期")
    if p["end"] == "today":                 # a wait that is not over yet
        return _finding(rule, ctx, ref, "interval_too_short", f"{what}：自{start_label} {start.isoformat()} 起须满"
                        f"{dur.zh()}，今天（{end.isoformat()}）尚未满", f"请于 {earliest.isoformat()} 以后再提交")
    if not dur.n:                           # the wrong order
        return _finding(rule, ctx, ref, "interval_too_short", f"{what}：{end_label}（{end.isoformat()}）早于"
                        f"{start_label}（{start.isoformat()}）", f"请核对日期：{end_label}应在{start_label}当天或之后")
    fix = "请核对日期" + (f"；日期无误的，说明时间尚未满足，此步骤须在 {earliest.isoformat()} 或以后办理"
                          if p["end"].startswith("form.") else "")
    return _finding(rule, ctx, ref, "interval_too_short", f"{what}：{end_label} {end.isoformat()} 距"
                    f"{start_label} {start.isoformat()} 不足{dur.zh()}，最早应为 {earliest.isoformat()}", fix)


# ---------------------------------------------------------------- count_range
def _check_count_range(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    refs = p["fields"]
    names = [ctx.get(r) for r in refs if ctx.get(r)]
    if int(p["min"]) <= len(names) <= int(p["max"]):
        dupes = {n for n in names if names.count(n) > 1}
        if not dupes:
            return []
        return [_finding(rule, ctx, refs[-1], "duplicate_person", f"{'、'.join(dupes)} 被重复填写",
                         "同一人只能填写一次，请更换为另一人或删去")]
    return [_finding(rule, ctx, refs[0], "count_out_of_range",
                     f"{rule.label or '人数'}：应为{p['min']}至{p['max']}人，实际填写了{len(names)}人",
                     f"请填写{p['min']}至{p['max']}人")]


# ---------------------------------------------------------------- full_members
def _check_full_members(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for ref in rule.params["fields"]:
        name = ctx.get(ref)
        if not name:
            continue
        if ctx.members is None:
            return [_finding(rule, ctx, ref, "no_member_roster",
                             f"尚未导入{ctx.case.get('branch', '本支部')}的党员名册，无法核对{ctx.label(ref)}是否为正式党员",
                             "请先把本支部党员名册（列：姓名、所在党支部、党员类别）放入 inbox，再重新提交本表")]
        member = ctx.members.get(name)
        if member is None:
            problem = f"{ctx.label(ref)}“{name}”不在{ctx.case.get('branch', '本支部')}党员名册中"
        elif member.status != "正式党员":
            problem = f"{ctx.label(ref)}“{name}”是{member.status}，须由正式党员担任"
        elif member.on_probation_discipline:
            problem = f"{ctx.label(ref)}“{name}”正受留党察看处分，不能担任"
        else:
            continue
        out.append(_finding(rule, ctx, ref, "not_full_member", problem,
                            "请改为本支部的正式党员；如名册有误，请先更新党员名册"))
    return out


# ---------------------------------------------------------------- period_due
def _check_period_due(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    start, when, period = ctx.get(p["start"]), ctx.get(p["field"]), ctx.form.get("period")
    if not isinstance(start, date) or not isinstance(when, date) or not period:
        return []
    every = dates.Duration.parse(p["every"])
    due = dates.add(start, every.times(int(period)), ctx.calendar)
    if when <= due:
        return []
    return [_finding(rule, ctx, p["field"], "period_overdue",
                     f"第{period}次考察应在 {due.isoformat()} 前完成，实际为 {when.isoformat()}",
                     "已按逾期记录；请今后按期考察")]


# ---------------------------------------------------------------- periods_on_file
def _check_periods_on_file(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    """Every complete period between start and end has its (half-year) assessment on file."""
    p = rule.params
    start, end = ctx.get(p["start"]), ctx.get(p["end"])
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    every = dates.Duration.parse(p["every"])
    needed = 0
    while dates.add(start, every.times(needed + 1), ctx.calendar) <= end:
        needed += 1
    have = ctx.periods.get(p["step"], 0)
    if have >= needed:
        return []
    return [_finding(rule, ctx, p["end"], "periods_missing",
                     f"{rule.label or '考察记录不全'}：从{ctx.label(p['start'])} {start.isoformat()} 到 {end.isoformat()}"
                     f" 应有{needed}次考察，已提交{have}次", f"请先补交缺少的考察登记表（共{needed - have}次）")]


# ---------------------------------------------------------------- training_length
def _check_training_length(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    start, end, hours = ctx.get(p["start"]), ctx.get(p["end"]), ctx.get(p["hours"]) or 0
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        return []
    days = (end - start).days + 1
    if days >= int(p["min_days"]) or hours >= int(p["min_hours"]):
        return []
    return [_finding(rule, ctx, p["hours"], "training_too_short",
                     f"培训时间为{days}天、{hours}学时，须不少于{p['min_days']}天或{p['min_hours']}学时",
                     "请核对培训起止日期和学时；不足的须补足培训后再提交")]


# ---------------------------------------------------------------- span
def _check_span(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    """From start to end inclusive lasts at least ``min`` (days or working days on the mainland calendar)."""
    p = rule.params
    start, end = ctx.get(p["start"]), ctx.get(p["end"])
    if not isinstance(start, date) or not isinstance(end, date):
        return []
    need = dates.Duration.parse(p["min"])
    if need.unit == "working_day":
        days = [start + timedelta(days=i) for i in range(max((end - start).days + 1, 0))]
        have = sum(1 for d in days if ctx.calendar.is_workday(d))
    else:
        have = (end - start).days + 1
    note = calendar_note(rule, ctx, p["end"], start, end) if need.unit == "working_day" else []
    if have >= need.n:
        return note
    earliest = dates.add(start, dates.Duration(need.n - 1, need.unit), ctx.calendar) if need.unit != "working_day" \
        else ctx.calendar.add_working_days(start - timedelta(days=1), need.n)
    return [_finding(rule, ctx, p["end"], "span_too_short",
                     f"{rule.label or '期限不足'}：{start.isoformat()} 至 {end.isoformat()} 共{have}"
                     f"{'个工作日' if need.unit == 'working_day' else '天'}，须不少于{need.zh()}",
                     f"结束日期最早应为 {earliest.isoformat()}")] + note


def calendar_note(rule: RuleDef, ctx: RuleContext, ref: str, start: date, end: date) -> list[Finding]:
    """A warning when working days were counted in a year the holiday calendar does not cover yet."""
    years = fallback_years(ctx.calendar, start, end)
    if not years:
        return []
    return [Finding("calendar_fallback", f"{'、'.join(map(str, years))}年的法定节假日安排尚未收录，已按周一至周五计算工作日",
                    "如该年有节假日或调休，请人工核对；升级 docflow（chinesecalendar）后即可按实际安排计算",
                    ctx.field_of(ref), ctx.label(ref), severity="warn")]


# ---------------------------------------------------------------- value_in / number_range
def _check_value_in(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    value = ctx.get(p["field"])
    if value in (None, "") and not p.get("required"):
        return []
    if str(value) in p["values"]:
        return []
    return [_finding(rule, ctx, p["field"], p.get("code", "value_not_allowed"),
                     f"{rule.label or ctx.label(p['field'])}（当前为“{value or '未填写'}”）",
                     p.get("fix", f"须为：{'、'.join(p['values'])}"))]


def _check_number_range(rule: RuleDef, ctx: RuleContext) -> list[Finding]:
    p = rule.params
    value = ctx.get(p["field"])
    if isinstance(value, int) and int(p["min"]) <= value <= int(p["max"]):
        return []
    return [_finding(rule, ctx, p["field"], "number_out_of_range",
                     f"{rule.label or ctx.label(p['field'])}：填写为{value if value is not None else '空'}，"
                     f"须在{p['min']}至{p['max']}之间", f"请填写{p['min']}至{p['max']}之间的整数")]


RULES: dict[str, tuple[Check, tuple[str, ...]]] = {
    "id_number": (_check_id_number, ("field", "birth")),
    "min_age": (_check_min_age, ("birth", "on", "years")),
    "interval": (_check_interval, ("start", "end")),
    "count_range": (_check_count_range, ("fields", "min", "max")),
    "full_members": (_check_full_members, ("fields",)),
    "period_due": (_check_period_due, ("start", "field", "every")),
    "periods_on_file": (_check_periods_on_file, ("step", "start", "end", "every")),
    "training_length": (_check_training_length, ("start", "end", "hours", "min_days", "min_hours")),
    "span": (_check_span, ("start", "end", "min")),
    "value_in": (_check_value_in, ("field", "values")),
    "number_range": (_check_number_range, ("field", "min", "max")),
    "branch_vote": (check_branch_vote, ("pass_outcomes",)),
}


def check_rule_params(rule: RuleDef, form: FormDef | None) -> list[str]:
    """Problems with a rule's parameters (used when a pack is loaded)."""
    if rule.kind not in RULES:
        return [f"未知的规则类型 {rule.kind!r}（可用：{', '.join(RULES)}）"]
    p = rule.params
    problems = [f"缺少参数 {name!r}" for name in RULES[rule.kind][1] if name not in p]
    for name in ("min", "max", "every"):
        if name in p and rule.kind in ("interval", "period_due", "periods_on_file", "span"):
            try:
                dates.Duration.parse(p[name])
            except PackError as exc:
                problems.append(f"参数 {name}：{exc.message}")
    refs = [p[k] for k in ("field", "birth", "on", "start", "end", "hours") if isinstance(p.get(k), str)]
    refs += list(p.get("fields", [])) + list(rule.when.fields if rule.when else ())
    for ref in refs:
        ns, _, key = ref.partition(".")
        if ref != "today" and (ns not in ("form", "case") or (ns == "form" and (form is None or not form.field(key)))):
            problems.append(f"无效的引用 {ref!r}")
    if rule.kind == "interval" and "min" not in p and "max" not in p:
        problems.append("interval 规则至少要有 min 或 max")
    return problems


def run_rules(rules: tuple[RuleDef, ...], ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for rule in rules:
        if rule.enabled and (rule.when is None or rule.when.holds(ctx.get)):
            out += RULES[rule.kind][0](rule, ctx)
    return out
