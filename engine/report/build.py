"""Each kind of report as files (name, bytes): the workbooks with the figures and, where staff hand one up, a Word
document in the committee's style. Everything here works on ``Inputs`` (the cases as ``Person`` records, the
settings, today's date) — the engine is only read in ``inputs``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DocflowError, TemplateError, WorkspaceError
from ..output.docxfast import compile_docx
from ..output.render import jinja_env
from ..pack.model import Pack
from ..procedure.dates import zh_date
from . import figures as fg
from . import xlsx
from .people import (
    CHECK_STATUSES,
    LABEL,
    LATE,
    MISSING,
    NOT_YET,
    ON_PAPER,
    ON_TIME,
    POOL,
    STAGES,
    VOTE_FAILED,
    Move,
    Person,
    months_between,
    read_people,
)
from .plan import (
    HEAD_COUNT_UNITS,
    HEAD_COUNTS,
    Measure,
    StatisticsSettings,
    YearPlan,
    age_on,
    load_plan,
    load_statistics,
)
from .sheets import Col, Table, bar_chart, chart_sheet, to_bytes, workbook

if TYPE_CHECKING:
    from ..engine import Engine

ALL = tuple(s.id for s in STAGES)
REPORT_FOLDER = "报表"


@dataclass
class Inputs:
    pack: Pack
    org: str
    branches: list[str]                 # in docflow.toml's order (one, with --branch)
    people: list[Person]
    stats: StatisticsSettings
    plans: dict[str, dict[str, Any]]
    today: date
    branch: str | None = None
    template_dirs: list[Path] = field(default_factory=list)
    store: Any = None                   # where the reports' 发文字号 are allocated (None: a sample number)
    official_settings: Any = None       # [official] of docflow.toml
    stamp: str = ""

    def official(self, kind: str, year: int, part: int | None, to: str = "各党支部") -> dict[str, Any]:
        """What the report prints as a 公文: mark, 发文字号 (one per report), 主送, signature, 版记."""
        from ..output.official import report_official
        from ..workspace import Official

        key = f"report:{kind}:{year}:{part or 0}:{self.branch or ''}"
        return report_official(self.store, self.official_settings or Official(), self.org, key, to,
                               self.today, self.stamp)

    @property
    def scope(self) -> str:
        """全委 / 第一党支部."""
        return self.branch or f"全{self.pack.terms.organisation[-1:] or '委'}"

    @property
    def heading(self) -> str:
        return self.org + (self.branch or "")

    def plan(self, year: int, required: bool = True) -> YearPlan | None:
        return load_plan(self.plans, year, self.pack, self.stats, required)

    def note(self, period: fg.Period, extra: str = "") -> str:
        until = f"，截至{zh_date(period.as_of)}" if period.as_of < period.end else ""
        return (f"统计期间：{period.words}{until}；范围：{self.scope}；制表日期：{zh_date(self.today)}。"
                "按各环节表格所填日期统计（新党员按上级党委审批日期），不含公民身份号码和联系电话。" + extra)


@dataclass(frozen=True)
class Output:
    name: str                           # file name (Chinese)
    data: bytes


def inputs(eng: Engine, branch: str | None = None) -> Inputs:
    org = eng.ws.config.organisation
    if branch is not None:
        known = list(org.branches) + sorted(eng.store.branches() - set(org.branches))
        if branch not in known:
            raise WorkspaceError(f"没有党支部“{branch}”（本工作区的党支部：{'、'.join(known) or '尚无'}）")
    people = read_people(eng, branch)
    stats = load_statistics(eng.ws.config.statistics, eng.pack)
    dirs = [eng.ws.root / "templates" / eng.pack.pack.id / "reports", eng.pack.root / "reports"]
    return Inputs(eng.pack, org.name, fg.order_branches(list(org.branches), people, branch), people, stats,
                  eng.ws.config.plan, eng.clock.today(), branch, dirs, eng.store, eng.ws.config.official, eng.stamp())


def render_docx(inp: Inputs, name: str, context: dict[str, Any]) -> bytes:
    """A report template (the workspace's own copy in templates/<pack>/reports/ first, then the pack's)."""
    path = next((d / name for d in inp.template_dirs if (d / name).is_file()), None)
    if path is None:
        raise TemplateError(f"找不到报表模板 {name}", place=str(inp.template_dirs[-1] / name))
    try:
        return compile_docx(path.read_bytes(), jinja_env()).render(context, objects=False)
    except TemplateError as exc:
        raise TemplateError(exc.message, place=str(path)) from None


def _person_cells(inp: Inputs, p: Person, on: date | None) -> list[Any]:
    f = p.facts
    return [f.get("gender") or "", f.get("ethnicity") or "", f.get("birth_date"), age_on(f, inp.pack, on),
            f.get("education") or "", inp.stats.occupation_of(f), f.get("unit") or "", f.get("post") or "",
            f.get("frontline") or ""]


PERSON_COLS = [Col("性别", "mark", min_width=6), Col("民族", "mark", min_width=6),
               Col("出生日期", "date", min_width=11), Col("年龄", "int", min_width=6), Col("学历"), Col("职业类别"),
               Col("工作单位", max_width=26), Col("职务/岗位", max_width=16), Col("是否一线", "mark", min_width=8)]


# ---------------------------------------------------------------- the pieces several reports share
def flow_table(inp: Inputs, period: fg.Period, stages: tuple[str, ...], name: str, title: str,
               failed_votes: bool = False, yearly: bool = False) -> Table:
    """Each branch's stages over the period (``yearly``: 年初/本年/年末); 取消预备党员资格 only with 预备党员."""
    first, this, last = ("年初", "本年", "年末") if yearly else ("期初", "本期", "期末")
    cancel = "probationary" in stages
    cols = [Col("党支部", max_width=16), Col("阶段", max_width=14), Col(f"{first}人数", "int"),
            Col(f"{this}进入", "int"), Col("其中：退回进入", "int"), Col("转入下一阶段", "int"),
            Col("退回前一阶段", "int"), Col("终止发展", "int"), Col("转出", "int"),
            *([Col("取消预备党员资格", "int")] if cancel else []), Col(f"{last}人数", "int")]
    if failed_votes:
        cols.append(Col("支部大会表决未通过（人次）", "int"))
    t = Table(name, title, inp.note(period, f"{first}人数 + {this}进入 − 转入下一阶段 − 退回前一阶段 − 终止发展 − 转出"
                                           + (" − 取消预备党员资格" if cancel else "") + f" = {last}人数。"), cols)
    for f in fg.flows(inp.people, inp.branches, stages, period.start, period.as_of):
        row: list[Any] = [f.branch, f.label, f.opening, f.entered, f.back_in, f.forward_out, f.back_out, f.withdrawn,
                          f.transferred, *([f.cancelled] if cancel else []), f.closing]
        if failed_votes:
            row.append(sum(1 for p in inp.people if f.branch in ("全委合计", p.branch) for i in p.incidents
                           if i.stage == f.stage and i.what == VOTE_FAILED
                           and period.start <= i.on <= period.as_of))
        if f.branch == "全委合计":
            t.bold.add(len(t.rows))
        t.rows.append(row)
    return t


def moves_table(inp: Inputs, period: fg.Period, name: str, title: str, stages: tuple[str, ...] = ALL) -> Table:
    t = Table(name, title, inp.note(period), [
        Col("日期", "date", min_width=11), Col("党支部", max_width=16), Col("案卷编号", min_width=11), Col("姓名"),
        Col("原阶段", max_width=14), Col("变动后", max_width=16), Col("情况", max_width=34), Col("说明", max_width=30),
        Col("来源", min_width=8)])
    items: list[tuple[date, str, list[Any]]] = []
    for p in inp.people:
        for m in p.moves_between(period.start, period.as_of):
            if m.before in stages or m.after in stages:
                items.append((m.on, p.case_id, [m.on, p.branch, p.case_id, p.name, LABEL.get(m.before, "—"),
                                                LABEL[m.after], _move_words(m), m.note,
                                                "导入台账" if m.imported else "表格"]))
        for i in p.incidents:
            if period.start <= i.on <= period.as_of and not i.exit and i.stage in stages:
                items.append((i.on, p.case_id, [i.on, p.branch, p.case_id, p.name, LABEL.get(i.stage, "—"),
                                                LABEL.get(p.stage_on(i.on), "—"), i.what, i.note, "表格"]))
    t.rows = [row for _, _, row in sorted(items, key=lambda x: (x[0], x[1]))]
    return t


FORWARD_WORDS = {"applicant": "递交入党申请书", "activist": "确定为入党积极分子", "target": "确定为发展对象",
                 "voted": "支部大会讨论通过接收", "probationary": "上级党委批准接收为预备党员", "full": "转为正式党员"}


def _move_words(m: Move) -> str:
    if m.kind in ("new", "forward"):
        return FORWARD_WORDS.get(m.after, f"进入{LABEL[m.after]}")
    return m.what if m.kind == "back" else LABEL[m.after]


def check_tables(inp: Inputs, period: fg.Period) -> tuple[Table, Table, list]:
    found = fg.checks(inp.pack, inp.people, period.start, period.end, period.as_of)
    summary = Table("培养考察", f"{inp.heading}{period.label}培养考察情况", inp.note(
        period, "应考察：考察应完成日期（确定为入党积极分子或入党时间起每满半年）在本期内；"
        "导入前的考察按纸质记录计入，不算逾期。"),
        [Col("党支部", max_width=16), Col("考察类别", max_width=16), Col("应考察人次", "int"), Col(ON_TIME, "int"),
         Col(LATE, "int"), Col(MISSING, "int"), Col(NOT_YET, "int"), Col(ON_PAPER, "int"),
         Col("按期完成率", "pct", min_width=10)])
    for r in fg.check_rows(found, inp.branches):
        if r.branch == "全委合计":
            summary.bold.add(len(summary.rows))
        summary.rows.append([r.branch, r.kind, r.due, *(r.counts[s] for s in CHECK_STATUSES), r.rate])
    detail = Table("考察明细", f"{inp.heading}{period.label}培养考察明细", inp.note(period), [
        Col("党支部", max_width=16), Col("案卷编号", min_width=11), Col("姓名"), Col("考察类别", max_width=16),
        Col("第几次", "int"), Col("应完成日期", "date", min_width=11), Col("实际考察日期", "date", min_width=12),
        Col("情况", min_width=12)])
    detail.rows = [[c.person.branch, c.person.case_id, c.person.name, c.kind, c.period, c.due, c.done, c.status]
                   for c in sorted(found, key=lambda c: (inp.branches.index(c.person.branch)
                                                         if c.person.branch in inp.branches else 99, c.due,
                                                         c.person.case_id))]
    return summary, detail, found


def overdue_table(inp: Inputs, period: fg.Period) -> tuple[Table, list]:
    found = fg.lates(inp.pack, inp.people, period.as_of, inp.branches)
    t = Table("逾期事项", f"{inp.heading}逾期事项（截至{zh_date(period.as_of)}）", inp.note(
        period, "按当前案卷状态列出应完成而未完成的事项；中途导入的案卷，导入前已过期限的按纸质记录，不列入。"), [
        Col("党支部", max_width=16), Col("案卷编号", min_width=11), Col("姓名"), Col("当前阶段", max_width=14),
        Col("事项", max_width=40), Col("应完成日期", "date", min_width=11), Col("逾期天数", "int")])
    t.rows = [[x.person.branch, x.person.case_id, x.person.name, LABEL.get(x.person.stage, ""), x.what, x.deadline,
               x.days] for x in found]
    return t, found


def targets_table(inp: Inputs, plan: YearPlan, start: date, as_of: date, name: str, title: str,
                  note: str) -> tuple[Table, list[fg.Achieved]]:
    got = fg.achievements(plan, inp.pack, inp.stats, inp.people, inp.branches, start, as_of,
                          final=as_of >= date(start.year, 12, 31))
    t = Table(name, title, note, [
        Col("类别", min_width=10), Col("指标", max_width=24), Col("口径", max_width=40), Col("目标", max_width=22),
        Col("目标比例", "pct", min_width=9), Col("完成人数", "int"), Col("新党员总数", "int"), Col("实际占比", "pct"),
        Col("是否达到", "mark", min_width=9)])
    by_label = {s.label: s for s in plan.structure}
    ordered = [a for a in got if a.kind == "结构目标"] + [a for a in got if a.kind != "结构目标"]
    for a in ordered:
        target = by_label.get(a.label) if a.kind == "结构目标" else None
        t.rows.append([a.kind, a.label, a.measure, a.target, target.share if target else None, a.n, a.total,
                       a.share, a.met_text])
    return t, ordered


# ---------------------------------------------------------------- 季度通报 / 半年分析
def bulletin(inp: Inputs, period: fg.Period, kind: str) -> list[Output]:
    """quarterly: 季度通报; halfyear: 半年分析 (the same, with the year's targets so far)."""
    half = kind == "halfyear"
    stem = f"{period.label}发展党员工作{'分析' if half else '通报'}" + (f"（{inp.branch}）" if inp.branch else "")
    flow = flow_table(inp, period, ALL, "阶段变动", f"{inp.heading}{period.label}各阶段人员变动情况")
    moves = moves_table(inp, period, "人员变动", f"{inp.heading}{period.label}人员变动名单")
    summary, detail, found = check_tables(inp, period)
    late_table, late = overdue_table(inp, period)
    tables = [flow, moves, summary, detail, late_table]
    plan = inp.plan(period.start.year, required=False) if half else None
    got: list[fg.Achieved] = []
    if plan is not None:
        t, got = targets_table(inp, plan, period.year_start, period.as_of, "目标进度",
                               f"{inp.heading}{period.start.year}年发展党员目标完成进度（截至{zh_date(period.as_of)}）",
                               f"统计期间：{period.year_start.year}年1月1日至{zh_date(period.as_of)}；范围：{inp.scope}；"
                               "结构目标按当年新党员（按上级党委审批日期）计算；恰好等于目标比例的为达到。")
        tables.append(t)
    doc = render_docx(inp, "bulletin.docx", bulletin_context(inp, period, half, found, late, got, plan is not None))
    return [Output(stem + ".xlsx", xlsx.workbook_bytes(tables, stem)), Output(stem + ".docx", doc)]


def bulletin_context(inp: Inputs, period: fg.Period, half: bool, found: list, late: list, got: list[fg.Achieved],
                     has_plan: bool) -> dict[str, Any]:
    people, start, end = inp.people, period.start, period.as_of
    count = {s: len(fg.entries(people, s, start, end)) for s in ALL}
    exits = {k: sum(1 for p in people for m in p.moves_between(start, end) if m.after == k)
             for k in ("withdrawn", "transferred_out", "cancelled")}
    closing = {s: sum(1 for p in people if p.stage_on(end) == s) for s in ALL}
    rows = []
    for b in inp.branches:
        mine = [p for p in people if p.branch == b]
        rows.append({"name": b, "applicants": len(fg.entries(mine, "applicant", start, end)),
                     "activists": len(fg.entries(mine, "activist", start, end)),
                     "targets": len(fg.entries(mine, "target", start, end)),
                     "new_members": len(fg.new_members(mine, start, end)),
                     "full": len(fg.entries(mine, "full", start, end)),
                     "left": sum(1 for p in mine for m in p.moves_between(start, end) if m.kind == "exit")})
    tally = {s: sum(1 for c in found if c.status == s) for s in CHECK_STATUSES}
    judged = sum(tally.values()) - tally[NOT_YET]
    checks_text = (f"本期应对入党积极分子和预备党员进行考察{judged}人次，其中按期完成{tally[ON_TIME]}人次，"
                   f"逾期完成{tally[LATE]}人次，逾期未完成{tally[MISSING]}人次"
                   + (f"，中途导入前按纸质记录计入{tally[ON_PAPER]}人次" if tally[ON_PAPER] else "") + "。")
    if not judged:
        checks_text = "本期没有应完成的半年考察。"
    unit = inp.scope
    summary = (f"本期，{unit}新收到入党申请{count['applicant']}份，新确定入党积极分子{count['activist']}名、"
               f"发展对象{count['target']}名，支部大会讨论通过接收{count['voted']}名，上级党委审批接收预备党员"
               f"{count['probationary']}名，预备党员转正{count['full']}名")
    side = [f"{label}{exits[k]}名" for k, label in (("withdrawn", "终止发展"), ("transferred_out", "转出"),
                                                  ("cancelled", "取消预备党员资格")) if exits[k]]
    summary += ("；" + "、".join(side) if side else "") + "。"
    summary += (f"截至{zh_date(end)}，{unit}共有入党申请人{closing['applicant']}名、"
                f"入党积极分子{closing['activist']}名、发展对象{closing['target']}名"
                + (f"、支部大会通过待审批{closing['voted']}名" if closing["voted"] else "")
                + f"、预备党员{closing['probationary']}名。")
    return {
        "org": inp.org, "title": (f"{period.label}发展党员工作分析" if half
                                  else f"关于{period.label}\n发展党员工作情况的通报"),
        "scope": unit, "period": period.label, "words": period.words, "as_of": zh_date(end),
        "date": zh_date(inp.today), "half": half, "summary": summary, "branches": rows, "checks": checks_text,
        "overdue": [{"branch": x.person.branch, "name": x.person.name, "what": x.what, "deadline": zh_date(x.deadline),
                     "days": x.days} for x in late],
        "targets": [{"no": i, "label": a.label, "target": a.target, "actual": a.actual_text, "met": a.met_text}
                    for i, a in enumerate(fg.for_documents(got), 1)],
        "has_plan": has_plan, "closing_no": "五" if half else "四",
        "official": inp.official("halfyear" if half else "quarterly", period.start.year,
                                 (period.start.month - 1) // (6 if half else 3) + 1),
        "year": period.start.year,
    }


# ---------------------------------------------------------------- 入党积极分子队伍年度分析
def pool(inp: Inputs, year: int) -> list[Output]:
    period = fg.whole_year(year, inp.today)
    stem = f"{year}年度入党积极分子队伍分析" + (f"（{inp.branch}）" if inp.branch else "")
    size = flow_table(inp, period, POOL, "队伍规模", f"{inp.heading}{year}年入党积极分子队伍规模和变动",
                      failed_votes=True, yearly=True)
    moves = moves_table(inp, period, "变动名单", f"{inp.heading}{year}年队伍变动名单（进入、离开、退回、表决未通过）",
                        POOL)
    end = period.as_of
    in_pool = [(p, p.stage_on(end)) for p in inp.people if p.stage_on(end) in POOL]
    lengths = Table("阶段时长", f"{inp.heading}{year}年末各阶段人员在本阶段的时长", inp.note(
        period, "时长为进入当前阶段之日至年末（或制表日）的整月数。"), [
        Col("党支部", max_width=16), Col("阶段", max_width=14), Col("年末人数", "int"),
        Col("平均在本阶段（月）", "num", min_width=10), *(Col(b[2], "int") for b in fg.LENGTH_BANDS)])
    for branch in [*inp.branches, "全委合计"] if len(inp.branches) > 1 else inp.branches:
        for s in POOL:
            mine = [months_between(p.entered(s, end) or end, end) for p, st in in_pool
                    if st == s and branch in ("全委合计", p.branch)]
            if branch == "全委合计":
                lengths.bold.add(len(lengths.rows))
            lengths.rows.append([branch, LABEL[s], len(mine), fg.average(mine),
                                 *(sum(1 for m in mine if fg.length_band(m) == b[2]) for b in fg.LENGTH_BANDS)])
    age_note = "年龄按年末（或制表日）计算。"
    roster = Table("年末名单", f"{inp.heading}{year}年末入党积极分子队伍名单", inp.note(period, age_note), [
        Col("党支部", max_width=16), Col("案卷编号", min_width=11), Col("姓名"), Col("阶段", max_width=14),
        Col("进入本阶段日期", "date", min_width=12), Col("在本阶段（月）", "int"), *PERSON_COLS,
        Col("是否导入", "mark", min_width=8)])
    for p, s in sorted(in_pool, key=lambda x: (_branch_order(inp, x[0]), fg.stage_order(x[1]), x[0].case_id)):
        since = p.entered(s, end)
        roster.rows.append([p.branch, p.case_id, p.name, LABEL[s], since, months_between(since or end, end),
                            *_person_cells(inp, p, end), "是" if p.imported else None])
    structure = Table("队伍结构", f"{inp.heading}{year}年末入党积极分子队伍结构", inp.note(period, age_note),
                      [Col("项目"), Col("分类", max_width=16), *(Col(LABEL[s], "int") for s in POOL),
                       Col("合计", "int")])
    cats = {p.case_id: fg.categories_of(inp.pack, inp.stats, p, end) for p, _ in in_pool}
    for dim, values in fg.dimensions(inp.pack, inp.stats):
        for v in values:
            counts = [sum(1 for p, st in in_pool if st == s and cats[p.case_id][dim] == v) for s in POOL]
            structure.rows.append([dim, v, *counts, sum(counts)])
    totals = [sum(1 for _, st in in_pool if st == s) for s in POOL]
    structure.bold.add(len(structure.rows))
    structure.rows.append(["合计", "", *totals, sum(totals)])
    return [Output(stem + ".xlsx", xlsx.workbook_bytes([size, moves, lengths, roster, structure], stem))]


def _branch_order(inp: Inputs, p: Person) -> int:
    return inp.branches.index(p.branch) if p.branch in inp.branches else len(inp.branches)


# ---------------------------------------------------------------- 新党员结构
def structure(inp: Inputs, year: int) -> list[Output]:
    plan = inp.plan(year)
    assert plan is not None
    period = fg.whole_year(year, inp.today)
    stem = f"{year}年新党员结构分析" + (f"（{inp.branch}）" if inp.branch else "")
    targets, got = targets_table(inp, plan, period.start, period.as_of, "结构目标",
                                 f"{inp.heading}{year}年新党员结构与年度目标", inp.note(
                                     period, "新党员按上级党委审批日期计入当年（入党时间仍为支部大会讨论接收之日）；"
                                     "年龄按审批日期计算；恰好等于目标比例的为达到。"))
    joined = fg.new_members(inp.people, period.start, period.as_of)
    measures = [Measure(t, inp.pack, inp.stats) for t in plan.structure]
    names = Table("新党员名单", f"{inp.heading}{year}年新党员名单", inp.note(period, "年龄按上级党委审批日期计算。"), [
        Col("序号", "int"), Col("党支部", max_width=16), Col("案卷编号", min_width=11), Col("姓名"), *PERSON_COLS,
        Col("入党时间", "date", min_width=11), Col("上级党委审批日期", "date", min_width=12),
        *(Col(t.label, "mark", min_width=8, max_width=14) for t in plan.structure)])
    for i, (p, approved) in enumerate(joined, 1):
        names.rows.append([i, p.branch, p.case_id, p.name, *_person_cells(inp, p, approved), p.facts.get("join_date"),
                           approved, *("是" if m.holds(p.facts, approved) else None for m in measures)])
    per_branch = Table("各支部情况", f"{inp.heading}{year}年各党支部新党员结构", inp.note(period), [
        Col("党支部", max_width=16), Col("新党员人数", "int"),
        *(c for t in plan.structure for c in (Col(f"{t.label}人数", "int"), Col(f"{t.label}占比", "pct")))])
    for branch in [*inp.branches, "全委合计"] if len(inp.branches) > 1 else inp.branches:
        mine = [(p, d) for p, d in joined if branch in ("全委合计", p.branch)]
        row: list[Any] = [branch, len(mine)]
        for m in measures:
            n = sum(1 for p, d in mine if m.holds(p.facts, d))
            row += [n, n / len(mine) if mine else None]
        if branch == "全委合计":
            per_branch.bold.add(len(per_branch.rows))
        per_branch.rows.append(row)
    stages = Table("阶段人数", f"{inp.heading}各党支部各阶段人数（{zh_date(period.as_of)}）", inp.note(period), [
        Col("党支部", max_width=16), *(Col(LABEL[s], "int") for s in ALL), Col("合计", "int")])
    counts = fg.stage_counts(inp.people, inp.branches, ALL, period.as_of)
    for b in inp.branches:
        stages.rows.append([b, *(counts[b][s] for s in ALL), sum(counts[b].values())])
    stages.bold.add(len(stages.rows))
    stages.rows.append(["合计", *(sum(counts[b][s] for b in inp.branches) for s in ALL),
                        sum(sum(c.values()) for c in counts.values())])
    wb = workbook([targets, names, per_branch, stages], stem)
    charts = []
    shares = [i for i, a in enumerate(got) if a.kind == "结构目标"]
    if shares:
        first, last = targets.first_row(), targets.first_row() + len(shares) - 1
        charts.append(bar_chart("结构目标与实际占比", wb["结构目标"], (2, first, last),
                                [(5, first - 1, last), (8, first - 1, last)], "占当年新党员比例", percent=True,
                                labels=True))
    if inp.branches:
        first, last = stages.first_row(), stages.first_row() + len(inp.branches) - 1
        charts.append(bar_chart("各党支部各阶段人数", wb["阶段人数"], (1, first, last),
                                [(j, first - 1, last) for j in range(2, 2 + len(ALL))], "人数"))
    chart_sheet(wb, "图表", f"{inp.heading}{year}年新党员结构与各阶段人数", charts)
    return [Output(stem + ".xlsx", to_bytes(wb))]


# ---------------------------------------------------------------- 发展党员情况统计
def statistics(inp: Inputs, year: int) -> list[Output]:
    period = fg.whole_year(year, inp.today)
    stem = f"{year}年发展党员情况统计" + (f"（{inp.branch}）" if inp.branch else "")
    joined = fg.new_members(inp.people, period.start, period.as_of)
    converted = fg.entries(inp.people, "full", period.start, period.as_of)
    figures: list[tuple[str, str, list[tuple[Person, date]]]] = [("发展党员", "合计", joined)]
    cats = {p.case_id: fg.categories_of(inp.pack, inp.stats, p, d) for p, d in joined}
    for dim, values in fg.dimensions(inp.pack, inp.stats):
        for v in values:
            figures.append((dim, v, [(p, d) for p, d in joined if cats[p.case_id][dim] == v]))
            if dim == "民族" and v == "少数民族":
                for name in fg.minority_names([p for p, _ in joined]):
                    figures.append((dim, f"其中：{name}",
                                    [(p, d) for p, d in joined if str(p.facts.get("ethnicity") or "").strip() == name]))
    figures.append(("预备党员转正", "本年转正", converted))
    total = len(joined)
    table = Table("统计表", f"{inp.heading}{year}年发展党员情况统计", inp.note(
        period, "发展党员按上级党委审批日期计入当年；年龄按审批日期计算（转正按转正时间）；职业按 [statistics] 的分类，"
        "未归类的计为“其他”。点击人数可看名单。"), [
        Col("项目", max_width=14), Col("分类", max_width=18), Col("人数", "int"),
        Col("占发展党员", "pct", min_width=10), Col("名单位置", max_width=20)])
    names = Table("名单", f"{inp.heading}{year}年发展党员情况统计名单（每个数字对应的人员）", inp.note(period), [
        Col("项目", max_width=14), Col("分类", max_width=18), Col("序号", "int"), Col("党支部", max_width=16),
        Col("案卷编号", min_width=11), Col("姓名"), *PERSON_COLS, Col("入党时间", "date", min_width=11),
        Col("上级党委审批日期", "date", min_width=12), Col("转正时间", "date", min_width=11)])
    for dim, v, who in figures:
        first = names.first_row() + len(names.rows)
        for i, (p, d) in enumerate(who, 1):
            names.rows.append([dim, v, i, p.branch, p.case_id, p.name, *_person_cells(inp, p, d),
                               p.facts.get("join_date"), p.facts.get("approval_date"),
                               p.facts.get("full_date") if dim == "预备党员转正" else None])
        where = f"第{first}～{first + len(who) - 1}行" if len(who) > 1 else f"第{first}行" if who else ""
        if who:
            table.links[(len(table.rows), 2)] = f"'名单'!A{first}"
        share = len(who) / total if total and dim != "预备党员转正" else None
        if dim in ("发展党员", "预备党员转正"):
            table.bold.add(len(table.rows))
        table.rows.append([dim, v, len(who), share, where])
    return [Output(stem + ".xlsx", xlsx.workbook_bytes([table, names], stem))]


# ---------------------------------------------------------------- 年度计划 / 年度总结
def _counts_sentence(plan: YearPlan) -> str:
    parts = []
    order = ("new_members", "full_members", "targets", "activists", "applicants")
    for key, n in sorted(plan.counts.items(), key=lambda kv: order.index(kv[0])):
        unit = HEAD_COUNT_UNITS[key]
        parts.append({"new_members": f"全年计划发展党员{n}{unit}",
                      "applicants": f"新收到入党申请不少于{n}{unit}"}.get(key, f"{HEAD_COUNTS[key]}不少于{n}{unit}"))
    for key, n in plan.per_branch.items():
        parts.append(f"每个党支部{HEAD_COUNTS[key]}不少于{n}{HEAD_COUNT_UNITS[key]}")
    return ("，".join(parts) + "。") if parts else "（未设置数量目标）"


def _pool_sentence(inp: Inputs, day: date) -> dict[str, Any]:
    n = {s: sum(1 for p in inp.people if p.stage_on(day) == s) for s in ALL}
    text = (f"截至{zh_date(day)}，{inp.scope}共有入党申请人{n['applicant']}名、入党积极分子{n['activist']}名、"
            f"发展对象{n['target']}名" + (f"、支部大会通过待审批的{n['voted']}名" if n["voted"] else "")
            + f"，预备党员{n['probationary']}名。")
    return {"text": text, **n}


def annual(inp: Inputs, year: int, kind: str) -> list[Output]:
    plan = inp.plan(year)
    assert plan is not None
    period = fg.whole_year(year, inp.today)
    is_plan = kind == "plan"
    stem = f"{year}年度发展党员工作{'计划' if is_plan else '总结'}" + (f"（{inp.branch}）" if inp.branch else "")
    measures = [Measure(t, inp.pack, inp.stats) for t in plan.structure]
    structure_rows = [{"no": i, "label": t.label, "measure": m.describe(), "target": t.target_text()}
                      for i, (t, m) in enumerate(zip(plan.structure, measures, strict=True), 1)]
    context: dict[str, Any] = {"org": inp.org, "scope": inp.scope, "year": year, "date": zh_date(inp.today),
                               "counts": _counts_sentence(plan), "structure": structure_rows,
                               "official": inp.official(kind, year, None, "各党支部" if is_plan else "")}
    if is_plan:
        base = min(date(year - 1, 12, 31), inp.today)
        context["base"] = _pool_sentence(inp, base)
        doc = render_docx(inp, "plan.docx", context)
    else:
        got = fg.achievements(plan, inp.pack, inp.stats, inp.people, inp.branches, period.start, period.as_of,
                              final=period.as_of >= period.end)
        got = fg.for_documents(got)
        joined = fg.new_members(inp.people, period.start, period.as_of)
        rows = [{"no": i, "label": a.label, "target": a.target, "actual": a.actual_text, "met": a.met_text}
                for i, a in enumerate(got, 1)]
        unmet = [a.label for a in got if a.met is False]
        count = {s: len(fg.entries(inp.people, s, period.start, period.as_of)) for s in ALL}
        done = (f"{year}年（{period.words}），{inp.scope}新收到入党申请{count['applicant']}份，新确定入党积极分子"
                f"{count['activist']}名、发展对象{count['target']}名，发展党员{len(joined)}名（按上级党委审批日期统计），"
                f"预备党员转正{count['full']}名。")
        context.update(achieved=rows, done=done, unmet="、".join(unmet), end=_pool_sentence(inp, period.as_of),
                       as_of=zh_date(period.as_of))
        doc = render_docx(inp, "summary.docx", context)
    return [Output(stem + ".docx", doc)]


# ---------------------------------------------------------------- kinds
KINDS: dict[str, str] = {
    "quarterly": "季度通报（各支部各阶段进出人数、考察按期情况、逾期事项）",
    "halfyear": "半年分析（同季度通报，另含年度目标进度）",
    "pool": "入党积极分子队伍年度分析（年初年末人数、进出和退回、在阶段时长、队伍结构）",
    "structure": "新党员结构（对照年度结构目标，含图表）",
    "statistics": "发展党员情况统计（党内统计年报用，每个数字附名单）",
    "plan": "年度发展党员工作计划（Word）",
    "summary": "年度发展党员工作总结（Word）",
    "controls": "五项制度落实情况（每份案卷的测评、预审、公示、票决和提交人，可按支部和缺失项筛选）",
}


def default_part(year: int, today: date, per_year: int) -> int:
    """The latest quarter (4) or half (2) of ``year`` that has ended; the first while none has."""
    if year < today.year:
        return per_year
    months = 12 // per_year
    return max((today.month - 1) // months, 1)


def make(inp: Inputs, kind: str, year: int, quarter: int | None = None, half: int | None = None) -> list[Output]:
    if kind not in KINDS:
        raise DocflowError(f"没有这种报表：{kind}（可选：{'、'.join(KINDS)}）")
    if year > inp.today.year:
        raise DocflowError(f"{year}年还没有开始（今天是{zh_date(inp.today)}）")
    builders: dict[str, Callable[[], list[Output]]] = {
        "pool": lambda: pool(inp, year), "structure": lambda: structure(inp, year),
        "statistics": lambda: statistics(inp, year), "plan": lambda: annual(inp, year, "plan"),
        "summary": lambda: annual(inp, year, "summary")}
    if kind == "quarterly":
        q = quarter or default_part(year, inp.today, 4)
        period = fg.quarter(year, q, inp.today)
    elif kind == "halfyear":
        h = half or ((quarter + 1) // 2 if quarter else default_part(year, inp.today, 2))
        period = fg.half(year, h, inp.today)
    else:
        return builders[kind]()
    if period.start > inp.today:
        raise DocflowError(f"{period.label}还没有开始（今天是{zh_date(inp.today)}）")
    return bulletin(inp, period, kind)


def _controls(eng: Engine, inp: Inputs, year: int, branch: str | None, across: bool) -> list[Output]:
    """The five controls' workbook (from the event log, not the views: engine.report.controls)."""
    from .controls import controls_workbook

    if across:
        raise DocflowError("五项制度落实情况按本党委的案卷记录生成，不能用 --all 汇总；请在各党委的工作区分别生成")
    if year > inp.today.year:
        raise DocflowError(f"{year}年还没有开始（今天是{zh_date(inp.today)}）")
    name, data = controls_workbook(eng, year, branch)
    return [Output(name, data)]


def _path(eng: Engine, o: Output, year: int, across: bool = False) -> Path:
    from ..output.names import safe_file_name, safe_name
    from .across import FOLDER

    stem, _, suffix = o.name.rpartition(".")
    folder = eng.ws.outbox / REPORT_FOLDER / safe_name(f"{year}年")
    return (folder / FOLDER if across else folder) / safe_file_name(stem, "." + suffix)


def _write(path: Path, data: bytes) -> None:
    from ..output.render import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise WorkspaceError(f"无法写入报表 {path.name}（{exc.strerror or exc}）。如这个文件正在 Excel/WPS 中打开，"
                             "请关闭后再生成", place=str(path)) from None


def report(eng: Engine, kind: str, year: int | None = None, quarter: int | None = None, half: int | None = None,
           branch: str | None = None, across: bool = False) -> list[Path]:
    """Make one report from the workspace's store and settings; returns the files written under outbox/报表/.
    The store records that it was made (``regenerate`` makes it again) and the hash of each file written.
    ``across``: of every committee sharing the store's server (``engine.report.across``), in 报表/<year>年/汇总/."""
    import hashlib

    from ..store.base import ReportRun
    from .across import ALL, inputs_all

    inp = inputs_all(eng) if across else inputs(eng, branch)
    year = year or inp.today.year
    made = _controls(eng, inp, year, branch, across) if kind == "controls" else make(inp, kind, year, quarter, half)
    branch = ALL if across else branch
    written = [(_path(eng, o, year, across), o.data) for o in made]
    for path, data in written:
        _write(path, data)
    with eng.store.transaction():
        eng.store.record_report(ReportRun(kind, year, quarter, half, branch, eng.stamp()))
        for path, data in written:
            eng.store.record_output(path.relative_to(eng.ws.outbox).as_posix(), hashlib.sha256(data).hexdigest(),
                                    eng.stamp())
    return [path for path, _ in written]


def remake(eng: Engine, year: int | None = None, branch: str | None = None, force: bool = False,
           dry_run: bool = False) -> dict[str, list[str]]:
    """Every report made before (of ``year``; with ``branch``, the branch's and the committee's) made again from
    the store as it is now: written,
    unchanged, kept (edited by staff since docflow wrote it; overwritten with ``force``) — outbox-relative
    paths — and notes for a report that cannot be made any more (e.g. its year's plan was removed)."""
    import hashlib

    from ..output.documents import remade
    from .across import ALL, inputs_all

    out: dict[str, list[str]] = {"written": [], "unchanged": [], "kept": [], "notes": []}
    by_branch: dict[str | None, Inputs] = {}
    for run in eng.store.reports_made():
        if (year is not None and run.year != year) or (branch is not None and run.branch not in (None, branch)):
            continue
        across = run.branch == ALL
        try:
            inp = by_branch.get(run.branch) or by_branch.setdefault(
                run.branch, inputs_all(eng) if across else inputs(eng, run.branch))
            made = (_controls(eng, inp, run.year, run.branch, across) if run.kind == "controls"
                    else make(inp, run.kind, run.year, run.quarter, run.half))
        except DocflowError as exc:
            out["notes"].append(f"报表（{KINDS.get(run.kind, run.kind)}，{run.year}年）未能重新生成：{exc.message}")
            continue
        for o in made:
            path = _path(eng, o, run.year, across)
            rel = path.relative_to(eng.ws.outbox).as_posix()
            status = remade(eng, path, o.data, force)
            out[status].append(rel)
            if status == "written" and not dry_run:
                _write(path, o.data)
                with eng.store.transaction():
                    eng.store.record_output(rel, hashlib.sha256(o.data).hexdigest(), eng.stamp())
    return out
