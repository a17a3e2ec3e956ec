"""The figures the reports show — PURE: computed from ``Person`` records (engine.report.people), a period and
the settings. Every count here can be traced to the cases it counts (each figure keeps its people)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..pack.model import Pack
from .people import (
    ASSESSMENTS,
    CHECK_STATUSES,
    LABEL,
    ORDER,
    STAGES,
    Check,
    Late,
    Person,
    assessments,
    overdue,
)
from .plan import (
    HEAD_COUNT_STAGES,
    HEAD_COUNT_UNITS,
    HEAD_COUNTS,
    Measure,
    StatisticsSettings,
    StructureTarget,
    YearPlan,
    age_on,
    education_order,
    percent,
)

ZH_NUM = "〇一二三四五六七八九"
NOT_FILLED = "未填写"
AGE_BANDS = ((None, 25, "25岁及以下"), (26, 30, "26～30岁"), (31, 35, "31～35岁"), (36, 40, "36～40岁"),
             (41, 45, "41～45岁"), (46, 50, "46～50岁"), (51, 55, "51～55岁"), (56, 60, "56～60岁"),
             (61, None, "61岁及以上"))
LENGTH_BANDS = ((0, 6, "不满6个月"), (6, 12, "6个月至不满1年"), (12, 24, "1年至不满2年"), (24, None, "2年及以上"))


@dataclass(frozen=True)
class Period:
    """What a report covers: ``start``..``end``, counted up to ``as_of`` (today, while the period runs)."""

    start: date
    end: date
    as_of: date
    label: str            # 2026年第三季度 / 2026年上半年 / 2026年

    @property
    def year_start(self) -> date:
        return date(self.start.year, 1, 1)

    @property
    def words(self) -> str:
        """2026年7月1日至9月30日."""
        s, e = self.start, self.as_of
        tail = f"{e.month}月{e.day}日" if e.year == s.year else f"{e.year}年{e.month}月{e.day}日"
        return f"{s.year}年{s.month}月{s.day}日至{tail}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter(year: int, q: int, today: date) -> Period:
    start, end = date(year, 3 * q - 2, 1), month_end(year, 3 * q)
    return Period(start, end, min(end, today), f"{year}年第{ZH_NUM[q]}季度")


def half(year: int, h: int, today: date) -> Period:
    start, end = date(year, 6 * h - 5, 1), month_end(year, 6 * h)
    return Period(start, end, min(end, today), f"{year}年{'上' if h == 1 else '下'}半年")


def whole_year(year: int, today: date) -> Period:
    end = date(year, 12, 31)
    return Period(date(year, 1, 1), end, min(end, today), f"{year}年")


def age_band(age: int | None) -> str:
    if age is None:
        return NOT_FILLED
    for low, high, label in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return label
    return NOT_FILLED


def length_band(months: int) -> str:
    return next(label for low, high, label in LENGTH_BANDS if months >= low and (high is None or months < high))


def order_branches(configured: list[str], people: list[Person], only: str | None = None) -> list[str]:
    """The committee's branches in docflow.toml's order, then any other branch a case names."""
    if only:
        return [only]
    out = list(configured)
    out += sorted({p.branch for p in people} - set(out))
    return out


def share_text(n: int, total: int) -> str:
    return percent(Fraction(n, total)) if total else "—"


# ---------------------------------------------------------------- stages
@dataclass
class Flow:
    """One branch's stage over a period: opening + in − out = closing."""

    branch: str
    stage: str
    opening: int = 0
    new: int = 0              # entered from an earlier stage (or a new case)
    back_in: int = 0          # came back from a later stage (a set-back)
    forward_out: int = 0      # went on to a later stage
    back_out: int = 0         # went back to an earlier stage
    withdrawn: int = 0
    transferred: int = 0
    cancelled: int = 0
    closing: int = 0

    @property
    def label(self) -> str:
        return LABEL[self.stage]

    @property
    def entered(self) -> int:
        return self.new + self.back_in

    @property
    def left(self) -> int:
        return self.forward_out + self.back_out + self.withdrawn + self.transferred + self.cancelled

    def add(self, other: Flow) -> None:
        for name in ("opening", "new", "back_in", "forward_out", "back_out", "withdrawn", "transferred", "cancelled",
                     "closing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def flows(people: list[Person], branches: list[str], stages: tuple[str, ...], start: date, as_of: date) -> list[Flow]:
    """Per branch and stage; the committee's total of each stage last (branch "全委合计")."""
    before = start - timedelta(days=1)
    out: list[Flow] = []
    totals = {s: Flow("全委合计", s) for s in stages}
    for branch in branches:
        mine = [p for p in people if p.branch == branch]
        for s in stages:
            f = Flow(branch, s)
            f.opening = sum(1 for p in mine if p.stage_on(before) == s)
            f.closing = sum(1 for p in mine if p.stage_on(as_of) == s)
            for p in mine:
                for m in p.moves_between(start, as_of):
                    if m.after == s:
                        if m.kind == "back":
                            f.back_in += 1
                        else:
                            f.new += 1
                    if m.before == s:
                        if m.after == "withdrawn":
                            f.withdrawn += 1
                        elif m.after == "transferred_out":
                            f.transferred += 1
                        elif m.after == "cancelled":
                            f.cancelled += 1
                        elif m.kind == "back":
                            f.back_out += 1
                        else:
                            f.forward_out += 1
            out.append(f)
            totals[s].add(f)
    return out + ([totals[s] for s in stages] if len(branches) > 1 else [])


def stage_counts(people: list[Person], branches: list[str], stages: tuple[str, ...], day: date) -> dict[str, dict]:
    return {b: {s: sum(1 for p in people if p.branch == b and p.stage_on(day) == s) for s in stages}
            for b in branches}


def entries(people: list[Person], stage: str, start: date, end: date) -> list[tuple[Person, date]]:
    """Who entered ``stage`` going forward between start and end (once each: the first such entry)."""
    out = []
    for p in people:
        found = next((m.on for m in p.moves if m.after == stage and m.kind in ("new", "forward")
                      and start <= m.on <= end), None)
        if found is not None:
            out.append((p, found))
    return sorted(out, key=lambda x: (x[1], x[0].case_id))


def new_members(people: list[Person], start: date, end: date) -> list[tuple[Person, date]]:
    """The year's new members: counted by the committee's approval date (入党时间 stays the meeting date)."""
    return entries(people, "probationary", start, end)


# ---------------------------------------------------------------- assessments and overdue
@dataclass
class CheckRow:
    branch: str
    kind: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float | None:
        judged = self.due - self.counts.get("尚未到期", 0) - self.counts.get("导入前纸质记录", 0)
        return self.counts.get("按期完成", 0) / judged if judged else None


def checks(pack: Pack, people: list[Person], start: date, end: date, as_of: date) -> list[Check]:
    out = [c for p in people for c in assessments(pack, p, start, end, as_of)]
    return sorted(out, key=lambda c: (c.due, c.person.case_id, c.kind))


def check_rows(all_checks: list[Check], branches: list[str]) -> list[CheckRow]:
    rows = []
    for branch in [*branches, "全委合计"] if len(branches) > 1 else branches:
        for _, kind in ASSESSMENTS:
            mine = [c for c in all_checks if c.kind == kind and (branch == "全委合计" or c.person.branch == branch)]
            rows.append(CheckRow(branch, kind, {s: sum(1 for c in mine if c.status == s) for s in CHECK_STATUSES}))
    return rows


def lates(pack: Pack, people: list[Person], as_of: date, branches: list[str]) -> list[Late]:
    out = [x for p in people for x in overdue(pack, p, as_of)]
    rank = {b: i for i, b in enumerate(branches)}
    return sorted(out, key=lambda x: (rank.get(x.person.branch, len(rank)), x.deadline, x.person.case_id))


def average(values: list[int]) -> float | None:
    """The mean to one decimal, halves rounded up (4.25 → 4.3)."""
    if not values:
        return None
    return float((Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- targets
@dataclass
class Achieved:
    """A target beside what was achieved; ``people``: who counts (the named list behind the figure)."""

    kind: str                 # 数量目标 | 结构目标 | 支部数量目标
    label: str
    measure: str              # the 口径 in words
    target: str               # the target in words
    n: int
    total: int | None         # structure: the year's new members; head counts: None
    met: bool | None
    people: list[Person] = field(default_factory=list)
    share: float | None = None
    branch: str = ""
    final: bool = True        # the year is over: not met is 未达到 (while it runs: 尚未达到)
    key: str = ""             # a head count's key (new_members …)

    @property
    def met_text(self) -> str:
        return {True: "达到", False: "未达到" if self.final else "尚未达到", None: "—"}[self.met]

    @property
    def share_text(self) -> str:
        return percent(self.share) if self.share is not None else ""

    @property
    def actual_text(self) -> str:
        if self.total is None:
            return f"{self.n}"
        return f"{self.n}/{self.total}（{self.share_text}）" if self.total else "0（尚无新党员）"


def head_count_people(people: list[Person], key: str, start: date, end: date) -> list[Person]:
    return [p for p, _ in entries(people, HEAD_COUNT_STAGES[key], start, end)]


def achievements(plan: YearPlan, pack: Pack, stats: StatisticsSettings, people: list[Person], branches: list[str],
                 start: date, as_of: date, final: bool = True) -> list[Achieved]:
    """Head counts (committee, then each branch) and the structure of the new members, from ``start`` to as_of
    (``final``: the year is over)."""
    out: list[Achieved] = []
    for key, wanted in plan.counts.items():
        got = head_count_people(people, key, start, as_of)
        out.append(Achieved("数量目标", HEAD_COUNTS[key], _count_words(key), f"不少于{wanted}{HEAD_COUNT_UNITS[key]}",
                            len(got), None, len(got) >= wanted, got, key=key))
    for key, wanted in plan.per_branch.items():
        for branch in branches:
            got = head_count_people([p for p in people if p.branch == branch], key, start, as_of)
            out.append(Achieved("支部数量目标", f"{branch}{HEAD_COUNTS[key]}", _count_words(key),
                                f"不少于{wanted}{HEAD_COUNT_UNITS[key]}", len(got), None, len(got) >= wanted,
                                got, branch=branch, key=key))
    joined = new_members(people, start, as_of)
    for t in plan.structure:
        out.append(structure_figure(t, pack, stats, joined))
    for a in out:
        a.final = final
    return out


COUNT_ORDER = ("new_members", "full_members", "targets", "activists", "applicants")


def for_documents(got: list[Achieved]) -> list[Achieved]:
    """The order a plan or summary states its targets in: 发展党员 first, each branch's counts, then the structure."""
    counts = sorted((a for a in got if a.kind == "数量目标"), key=lambda a: COUNT_ORDER.index(a.key))
    branch = sorted((a for a in got if a.kind == "支部数量目标"), key=lambda a: COUNT_ORDER.index(a.key))
    return counts + branch + [a for a in got if a.kind == "结构目标"]


def structure_figure(t: StructureTarget, pack: Pack, stats: StatisticsSettings,
                     joined: list[tuple[Person, date]]) -> Achieved:
    m = Measure(t, pack, stats)
    got = [p for p, approved in joined if m.holds(p.facts, approved)]
    total = len(joined)
    return Achieved("结构目标", t.label, m.describe(), t.target_text(), len(got), total, t.met(len(got), total), got,
                    share=len(got) / total if total else None)


def _count_words(key: str) -> str:
    return {"applicants": "申请入党日期在期间内", "activists": "确定为入党积极分子日期在期间内",
            "targets": "确定为发展对象日期在期间内", "new_members": "上级党委审批接收为预备党员的日期在期间内",
            "full_members": "转正时间（预备期满之日）在期间内"}[key]


# ---------------------------------------------------------------- structure by dimension
def dimensions(pack: Pack, stats: StatisticsSettings) -> list[tuple[str, list[str]]]:
    """(dimension, categories in order) — what the statistics and the pool's structure count by."""
    gender = next((f for f in pack.person_fields if f.key == "gender"), None)
    frontline = next((f for f in pack.person_fields if f.key == "frontline"), None)
    return [("性别", [*(gender.choices if gender else ()), NOT_FILLED]),
            ("民族", ["汉族", "少数民族", NOT_FILLED]),
            ("年龄", [b[2] for b in AGE_BANDS]),
            ("学历", [*education_order(pack), NOT_FILLED]),
            ("职业", stats.categories),
            ("是否一线", [*(frontline.choices if frontline else ("是", "否")), NOT_FILLED])]


def categories_of(pack: Pack, stats: StatisticsSettings, p: Person, on: date) -> dict[str, str]:
    f = p.facts
    ethnicity = str(f.get("ethnicity") or "").strip()
    return {"性别": str(f.get("gender") or "") or NOT_FILLED,
            "民族": NOT_FILLED if not ethnicity else "汉族" if ethnicity == "汉族" else "少数民族",
            "年龄": age_band(age_on(f, pack, on)),
            "学历": str(f.get("education") or "") or NOT_FILLED,
            "职业": stats.occupation_of(f),
            "是否一线": str(f.get("frontline") or "") or NOT_FILLED}


def minority_names(people: list[Person]) -> list[str]:
    names = {str(p.facts.get("ethnicity") or "").strip() for p in people}
    return sorted(n for n in names if n and n != "汉族")


def stage_order(stage: str) -> int:
    return ORDER.get(stage, len(STAGES))
