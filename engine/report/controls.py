"""``docflow report controls --year Y``: the plan's five controls (五项制度落实情况) for every case of the committee
that the year touched — what an inspection (定期督促检查) asks for. Two sheets, each with filters: 各案卷, one row a
case with a column a control (已落实 / 缺失 / 未开展（设置关闭）/ 未通过 / 导入 / 尚未进行) and how many lines need
attention; 明细, one row a control line with what proves it. Computed from the event log (engine.controls)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..controls import ControlLine, controls, summary
from .sheets import Col, Table
from .xlsx import workbook_bytes

if TYPE_CHECKING:
    from ..engine import Engine


def case_lines(eng: Engine, year: int, branch: str | None = None) -> list[tuple[Any, str, list[ControlLine]]]:
    """(case row, its state's label, its control lines) of each case the year touched: numbered in it, a file of it
    processed in it, or a control applied in it."""
    views = {v.case_id: v for v in eng.store.views()}
    log: dict[str, list[tuple[dict[str, Any], Any]]] = {}
    for row, event in eng.store.event_log():          # one read of the whole log, not two per case
        log.setdefault(str(row["case_id"]), []).append((row, event))
    out = []
    for case in eng.store.cases():
        if branch is not None and case.branch != branch:
            continue
        mine = log.get(case.case_id, [])
        audit = [row for row, _ in mine]
        lines = controls(eng.pack, [(row["at"], ev) for row, ev in mine], audit, eng.calendar)
        touched = (case.case_id.startswith(f"{year}-") or any(str(a["at"]).startswith(str(year)) for a in audit)
                   or any(line.date.startswith(str(year)) for line in lines))
        if touched:
            view = views.get(case.case_id)
            out.append((case, eng.pack.state_label(view.state) if view else "", lines))
    return out


def controls_tables(eng: Engine, year: int, branch: str | None = None) -> list[Table]:
    rows = case_lines(eng, year, branch)
    names = list(dict.fromkeys(c.label for c in eng.pack.controls))
    org = eng.ws.config.organisation.name
    scope = f"{org}{branch or ''}，{year}年涉及的 {len(rows)} 份案卷"
    note = ("按案卷的事件记录生成：已落实 / 未通过 / 缺失（已过该环节却没有记录）/ 未开展（设置关闭）/ "
            "导入（台账导入，无原始记录）/ 尚未进行；可按党支部和各项制度筛选")
    cases = Table("各案卷", f"{year}年发展党员工作五项制度落实情况", f"{scope}。{note}",
                  [Col("案卷编号", max_width=11), Col("姓名", max_width=10), Col("党支部", max_width=14),
                   Col("当前阶段", max_width=16), *[Col(n, kind="mark", min_width=9, max_width=16) for n in names],
                   Col("需注意", kind="int")])
    detail = Table("明细", f"{year}年发展党员工作五项制度落实情况（明细）", f"{scope}。★ 为需注意的项",
                   [Col("案卷编号", max_width=11), Col("姓名", max_width=10), Col("党支部", max_width=14),
                    Col("制度", kind="mark", max_width=10), Col("事项", max_width=30),
                    Col("落实情况", kind="mark", max_width=16), Col("依据", max_width=60),
                    Col("需注意", kind="mark")])
    for case, state, lines in rows:
        words = summary(lines)
        cases.rows.append([case.case_id, case.name, case.branch, state, *[words.get(n, "") for n in names],
                           sum(1 for line in lines if line.flagged)])
        for line in lines:
            detail.rows.append([case.case_id, case.name, case.branch, line.control, line.item, line.status,
                                line.proof, "★" if line.flagged else ""])
    return [cases, detail]


def controls_workbook(eng: Engine, year: int, branch: str | None = None) -> tuple[str, bytes]:
    name = f"{year}年五项制度落实情况" + (f"-{branch}" if branch else "") + ".xlsx"
    return name, workbook_bytes(controls_tables(eng, year, branch), f"{year}年发展党员工作五项制度落实情况")
