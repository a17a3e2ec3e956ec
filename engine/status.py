"""What ``docflow status`` shows of a case: stage, key facts (each formatted by the type the pack gives
it), what is due next and the history in words staff read. The CLI only prints it."""
from __future__ import annotations

from datetime import date
from typing import Any

from .outcomes import Submitter
from .pack.model import FactDef, Pack
from .procedure.due import Due
from .procedure.view import case_view

EVENT_WORDS = {"case_created": "建立案卷", "step_done": "完成", "step_corrected": "更正"}


def fact_value(value: Any, fact: FactDef) -> Any:
    """A fact as JSON shows it: dates ISO (a year-month as 2023-05), numbers as numbers, text as text.
    A value that does not have its declared type is shown as text rather than breaking the listing."""
    if fact.type == "month" and isinstance(value, str) and len(value) == 10:
        return value[:7]
    if fact.type in ("date", "month"):
        return value.isoformat() if isinstance(value, date) else str(value)
    if fact.type == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def due_text(item: dict[str, Any], today: date, since: str = "") -> str:
    """One item due, in words (as engine.procedure.due.Due.describe says it); a deadline before the case was
    imported is not overdue."""
    if item["date"] and not item["earliest"] and item["date"] < since:
        what = item["label"] + (f"（第{item['period']}次）" if item["period"] else "")
        return f"{what}（期限 {item['date']} 在导入之前，按纸质记录，不计逾期）"
    when = date.fromisoformat(item["date"]) if item["date"] else None
    return Due(item["step"], item["label"], item["period"], when, item["earliest"]).describe(today)


def overdue(item: dict[str, Any], today: date, since: str = "") -> bool:
    """Past its deadline — unless the deadline came before the case was imported (kept on paper)."""
    return bool(item["date"] and not item["earliest"] and since <= item["date"] < today.isoformat())


def case_summary(pack: Pack, view: dict[str, Any], case_id: str, name: str, branch: str, today: date) -> dict:
    """What status shows of a case, from its view (engine.procedure.view.case_view)."""
    dates = {fact.label: fact_value(view["facts"][key], fact) for key, fact in pack.facts.items()
             if key != pack.case.birth and key in view["facts"]}
    return {"case": case_id, "name": name, "branch": branch, "state": view["state_label"],
            "last_step": view["last_step"], "dates": dates, "pack_version": view["pack_version"],
            "due": [due_text(d, today, view.get("since", "")) for d in view["due"]],
            "due_items": [{**d, "overdue": overdue(d, today, view.get("since", ""))} for d in view["due"]],
            "overdue": any(overdue(d, today, view.get("since", "")) for d in view["due"]),
            "warnings": list(view["warnings"])}


def case_text(pack: Pack, view: dict[str, Any], case_id: str, name: str, branch: str) -> str:
    """What status prints of a case before what is due (the same any day: kept in the case's view)."""
    s = case_summary(pack, view, case_id, name, branch, date.today())
    lines = [f"{s['case']}  {s['name']}（{s['branch']}）  {s['state']}  最近完成：{s['last_step'] or '—'}"]
    lines += [f"    {label}：{value}" for label, value in s["dates"].items()]
    return "\n".join(lines)


def due_lines(view: dict[str, Any]) -> str:
    """What is due of a case as its view keeps it for ``listing``: a line per item, "K<date>\t<what>" (K: D a
    deadline, E the earliest day, N no date), so that only whether a date has passed is decided when listing."""
    out = []
    for d in view["due"]:
        what = d["label"] + (f"（第{d['period']}次）" if d["period"] else "")
        kind = "N" if not d["date"] else "E" if d["earliest"] else "D"
        if kind == "D" and d["date"] < view.get("since", ""):      # a deadline before the import: on paper
            kind, what = "N", f"{what}（期限 {d['date']} 在导入之前，按纸质记录，不计逾期）"
        out.append(f"{kind}{d['date'] or '':10}\t{what}")
    return "\n".join(out)


def listing(eng: Any) -> str:
    """``docflow status`` of every case, from the views: the lines kept in each, then what is due (the same as
    ``due_text`` says of each item, from the lines ``due_lines`` kept)."""
    today = eng.clock.today().isoformat()
    out = []
    for _, text, due in eng.store.view_texts():
        out.append(text)
        if not due:
            continue
        for line in due.split("\n"):
            kind, when, what = line[0], line[1:11], line[12:]
            if kind == "N":
                out.append(f"    下一步：{what}")
            elif kind == "E":
                out.append(f"    下一步：{what}，" + (f"最早可于 {when}" if when > today else "时间已满足"))
            else:
                out.append(f"    下一步：{what}，应于 {when} 前" + ("，已逾期" if when < today else ""))
    return "\n".join(out)


def history_lines(pack: Pack, audit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The event log of a case in words: when, what (建立案卷 / 完成 / 更正 + the step), from which file."""
    labels = {s.id: s.label for s in pack.steps}
    out = []
    for row in audit:
        what = EVENT_WORDS.get(row["kind"], row["kind"])
        if row["step"]:
            what += f"：{labels.get(row['step'], row['step'])}"
        who = Submitter.from_json(row.get("submitter"))
        out.append({**row, "what": what, "submitter": who.words() if who.any else ""})
    return out


def report(eng: Any, case_id: str | None = None, text: bool = False) -> dict[str, Any]:
    """Everything ``docflow status`` shows: the cases (one, or all) and the files in flight or retrying. With
    ``text``, every case comes as the ready text of its light view (``listing``: fast at any number of cases)."""
    from .errors import WorkspaceError
    from .inbox.claim import SHOW_AFTER
    from .procedure.state import fold

    if case_id and eng.store.case(case_id) is None:
        raise WorkspaceError(f"没有案卷 {case_id}")
    today = eng.clock.today()
    if case_id:
        row = eng.store.case(case_id)
        events = eng.store.events(case_id)
        cs = fold(eng.pack, case_id, events)                       # one case: its whole history, folded
        rows = [case_summary(eng.pack, case_view(eng.pack, cs), case_id, row.name, row.branch, today)]
    elif text:                                                     # every case, as text: the light views
        rows = []
    else:                                                          # every case: the views, no fold
        rows = [case_summary(eng.pack, v.summary, v.case_id, v.name, v.branch, today) for v in eng.store.views()]
    if case_id:
        from .controls import controls

        audit = eng.store.audit(case_id)
        rows[0]["history"] = history_lines(eng.pack, audit)
        rows[0]["controls"] = [line.to_dict() for line in controls(eng.pack, events, audit, eng.calendar)]
    from .work.holder import alive

    running = [h for h in eng.store.holders() if h.id != eng.holder.id and alive(h, eng.holder, eng.lease)
               and h.role != "engine"]
    live = {h.id for h in running}
    stuck = [{"journal": r.id, "file": r.original, "work": r.work, "stage": r.stage,
              "by": r.holder if r.holder in live else ""} for r in eng.store.journal_open_rows()]
    retrying = [{"file": r.original, "failures": r.failures, "reason": r.reason, "since": r.first_at,
                 "last": r.last_at} for r in eng.store.retries() if r.failures >= SHOW_AFTER]
    out: dict[str, Any] = {"cases": rows, "in_flight": stuck, "retrying": retrying,
                           "running": [{"host": h.host, "pid": h.pid, "role": h.role, "since": h.started,
                                        "beat_seconds_ago": round(h.age, 1)} for h in running]}
    if text and not case_id:
        out["listing"] = listing(eng)
    return out


def report_text(rep: dict[str, Any], first_roster: str = "名册") -> str:
    lines = []
    if not rep["cases"] and not rep.get("listing"):
        lines.append(f"还没有任何案卷。把{first_roster}放进 inbox 后运行 docflow process。")
    if rep.get("listing"):
        lines.append(rep["listing"])
    for r in rep["cases"]:
        lines.append(f"{r['case']}  {r['name']}（{r['branch']}）  {r['state']}  最近完成：{r['last_step'] or '—'}")
        lines += [f"    {label}：{value}" for label, value in r["dates"].items()]
        lines += [f"    下一步：{d}" for d in r["due"]]
        lines += [f"    [{h['at'].replace('T', ' ')[:16]}] {h['what']}  （来自文件 {h['file']}"
                  + (f"，提交人：{h['submitter']}" if h.get("submitter") else "") + "）"
                  for h in r.get("history", [])]
        if r.get("controls"):
            lines.append("    五项制度落实情况：")
            lines += [f"      {'【需注意】' if c['flagged'] else ''}{c['control']} {c['item']}：{c['status']}"
                      + (f"——{c['proof']}" if c["proof"] and c["status"] != "尚未进行" else "")
                      for c in r["controls"]]
    lines += [f"处理中断的文件：{s['file']}（{s['stage']}），下次运行 process/watch 时会自动恢复"
              if not s.get("by") else f"正在处理的文件：{s['file']}（{s['by']}）" for s in rep["in_flight"]]
    roles = {"watch": "监视 inbox", "work": "生成文书", "render": "生成文书", "cli": "命令"}
    lines += [f"正在运行的 docflow：{h['host']} 进程 {h['pid']}（{roles.get(h['role'], h['role'])}，"
              f"自 {h['since'].replace('T', ' ')[:16]}，{h['beat_seconds_ago']:g} 秒前报到）"
              for h in rep.get("running", [])]
    lines += [f"暂时无法处理的文件：{r['file']}（自 {r['since']} 起已尝试 {r['failures']} 次，最近 {r['last']}）："
              f"{r['reason']}。文件仍在 inbox，系统会继续自动重试；如在 Excel/WPS 中打开着，请关闭"
              for r in rep["retrying"]]
    return "\n".join(lines)
