"""What ``docflow status`` shows of a case: stage, key facts (each formatted by the type the pack gives
it), what is due next and the history in words staff read. The CLI only prints it."""
from __future__ import annotations

from datetime import date
from typing import Any

from .pack.model import FactDef, Pack
from .procedure.due import last_step, next_due
from .procedure.state import CaseState

EVENT_WORDS = {"case_created": "建立案卷", "step_done": "完成", "step_corrected": "更正"}


def fact_value(value: Any, fact: FactDef) -> Any:
    """A fact as JSON shows it: dates ISO (a year-month as 2023-05), numbers as numbers, text as text.
    A value that does not have its declared type is shown as text rather than breaking the listing."""
    if fact.type in ("date", "month") and isinstance(value, date):
        return value.isoformat()
    if fact.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def key_facts(pack: Pack, cs: CaseState) -> dict[str, Any]:
    """The facts a case has, by label (the birth date is a person field, not a milestone: not listed)."""
    return {fact.label: fact_value(cs.facts[key], fact) for key, fact in pack.facts.items()
            if key != pack.case.birth and cs.facts.get(key) not in (None, "")}


def case_summary(pack: Pack, cs: CaseState, name: str, branch: str, pack_version: str, today: date) -> dict:
    due = next_due(pack, cs)
    return {"case": cs.case_id, "name": name, "branch": branch, "state": pack.state_label(cs.state),
            "last_step": last_step(pack, cs), "dates": key_facts(pack, cs), "pack_version": pack_version,
            "due": [d.describe(today) for d in due],
            "overdue": any(d.deadline and d.deadline < today for d in due),
            "warnings": list(cs.warnings)}


def history_lines(pack: Pack, audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The event log of a case in words: when, what (建立案卷 / 完成 / 更正 + the step), from which file."""
    labels = {s.id: s.label for s in pack.steps}
    out = []
    for row in audit:
        what = EVENT_WORDS.get(row["kind"], row["kind"])
        if row["step"]:
            what += f"：{labels.get(row['step'], row['step'])}"
        out.append({**row, "what": what})
    return out


def report(eng: Any, case_id: str | None = None) -> dict[str, Any]:
    """Everything ``docflow status`` shows: the cases (one, or all) and the files in flight or retrying."""
    from .errors import WorkspaceError
    from .inbox.claim import SHOW_AFTER
    from .procedure.state import fold

    if case_id and eng.store.case(case_id) is None:
        raise WorkspaceError(f"没有案卷 {case_id}")
    rows = []
    for row in ([eng.store.case(case_id)] if case_id else eng.store.cases()):
        cs = fold(eng.pack, row.case_id, eng.store.events(row.case_id))
        rows.append(case_summary(eng.pack, cs, row.name, row.branch, row.pack_version, eng.clock.today()))
    if case_id:
        rows[0]["history"] = history_lines(eng.pack, eng.store.audit(case_id))
    stuck = [{"journal": r.id, "file": r.original, "work": r.work, "stage": r.stage}
             for r in eng.store.journal_open_rows()]
    retrying = [{"file": r.original, "failures": r.failures, "reason": r.reason, "since": r.first_at,
                 "last": r.last_at} for r in eng.store.retries() if r.failures >= SHOW_AFTER]
    return {"cases": rows, "in_flight": stuck, "retrying": retrying}


def report_text(rep: dict[str, Any], first_roster: str = "名册") -> str:
    lines = []
    if not rep["cases"]:
        lines.append(f"还没有任何案卷。把{first_roster}放进 inbox 后运行 docflow process。")
    for r in rep["cases"]:
        lines.append(f"{r['case']}  {r['name']}（{r['branch']}）  {r['state']}  最近完成：{r['last_step'] or '—'}")
        lines += [f"    {label}：{value}" for label, value in r["dates"].items()]
        lines += [f"    下一步：{d}" for d in r["due"]]
        lines += [f"    [{h['at'].replace('T', ' ')[:16]}] {h['what']}  （来自文件 {h['file']}）"
                  for h in r.get("history", [])]
    lines += [f"处理中断的文件：{s['file']}（{s['stage']}），下次运行 process/watch 时会自动恢复"
              for s in rep["in_flight"]]
    lines += [f"暂时无法处理的文件：{r['file']}（自 {r['since']} 起已尝试 {r['failures']} 次，最近 {r['last']}）："
              f"{r['reason']}。文件仍在 inbox，系统会继续自动重试；如在 Excel/WPS 中打开着，请关闭"
              for r in rep["retrying"]]
    return "\n".join(lines)
