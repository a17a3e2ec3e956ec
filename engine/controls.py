"""The plan's five controls (五项制度落实情况), case by case — PURE: computed from a case's events and their audit
rows alone (so imported cases are right too), by the pack's ``[[controls]]``.

For each control, each of its items (an evaluation, the pre-review, each publicity, each vote): every time its step
was taken, with what proves it (its date, a publicity's length in working days, its outcome, a tally) — or, where
the case has passed the point by which it should have been applied, why there is nothing: the setting was off, the
case was imported without such a record ("导入，无民主测评记录"), or it is missing. And 责任追究制: every step with who
handed in its form and when. A line is *flagged* when the control was skipped, failed or has no record."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .outcomes import EventKind, Submitter
from .pack.model import ControlDef, ControlItem, Pack
from .procedure.state import decode
from .procedure.workdays import WorkdayCalendar

APPLIED, FAILED, MISSING, OFF, IMPORTED, NOT_YET = "已落实", "未通过", "缺失", "未开展（设置关闭）", "导入", "尚未进行"
FLAGGED = (FAILED, MISSING, OFF, IMPORTED)


@dataclass(frozen=True)
class ControlLine:
    control: str          # 测评制
    item: str             # 民主测评（确定发展对象前）、第2次
    status: str           # one of the statuses above (IMPORTED lines say what they lack in ``proof``)
    proof: str            # what proves it, in words
    date: str = ""        # ISO, when it was applied

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED

    def to_dict(self) -> dict[str, Any]:
        return {"control": self.control, "item": self.item, "status": self.status, "proof": self.proof,
                "date": self.date, "flagged": self.flagged}


def controls(pack: Pack, events: list[tuple[str, Any]], audit: list[dict[str, Any]],
             calendar: WorkdayCalendar | None = None) -> list[ControlLine]:
    """The controls record of one case from its events (``store.events``) and their audit rows (``store.audit``)."""
    calendar = calendar or WorkdayCalendar()
    taken: dict[str, list[tuple[dict[str, Any], dict[str, Any], bool]]] = {}   # step -> (values, audit, imported)
    for (_, ev), row in zip(events, audit, strict=True):
        if ev.kind == EventKind.STEP_DONE:
            taken.setdefault(ev.step, []).append((decode(ev.data.get("values", {})), row,
                                                  bool(ev.data.get("imported"))))
    imported_case = any(ev.data.get("imported") for _, ev in events)
    out: list[ControlLine] = []
    for control in pack.controls:
        if control.kind == "record":
            out += _record(pack, control, events, audit)
        else:
            out += _items(pack, control, taken, imported_case, calendar)
    return out


def _items(pack: Pack, control: ControlDef, taken: dict[str, list], imported_case: bool,
           calendar: WorkdayCalendar) -> list[ControlLine]:
    steps = {s.id: s for s in pack.steps}
    present = [i for i in control.items if i.step in steps]
    out: list[ControlLine] = []
    if not present:                    # every step of it switched off: not applied in this workspace
        first = control.items[0] if control.items else None
        gate_done = bool(first and taken.get(first.gate))
        out.append(ControlLine(control.label, control.what, OFF if gate_done else NOT_YET,
                               f"本工作区设置不开展{control.what}（docflow.toml [settings] {control.setting}）"
                               if control.setting else f"流程包未包含{control.what}"))
        return out
    for item in control.items:
        if item.step not in steps:
            if item.setting and taken.get(item.gate):
                out.append(ControlLine(control.label, item.step, OFF,
                                       f"本工作区设置不开展（docflow.toml [settings] {item.setting} = false）"))
            continue
        label = steps[item.step].label
        done = taken.get(item.step, [])
        if not done:
            if item.optional:
                continue
            gate = taken.get(item.gate, [])
            if not gate:
                out.append(ControlLine(control.label, label, NOT_YET, "尚未进行"))
            elif imported_case and all(imp for _, _, imp in gate):
                out.append(ControlLine(control.label, label, IMPORTED, f"导入，无{control.what}记录"))
            else:
                gate_label = steps[item.gate].label if item.gate in steps else item.gate
                out.append(ControlLine(control.label, label, MISSING,
                                       f"“{gate_label}”已办理，但没有{control.what}的记录"))
            continue
        for n, (values, _, imported) in enumerate(done, start=1):
            name = label + (f"（第{n}次）" if len(done) > 1 else "")
            out.append(_line(pack, control, item, name, values, imported, calendar))
    return out


def _line(pack: Pack, control: ControlDef, item: ControlItem, name: str, values: dict[str, Any], imported: bool,
          calendar: WorkdayCalendar) -> ControlLine:
    form = pack.forms[pack.step(item.step).form]
    labels = {f.key: f.label for f in form.fields}
    when = values.get(item.date)
    parts = []
    if isinstance(when, date):
        end = values.get(item.end) if item.end else None
        if isinstance(end, date):
            days = _workdays(calendar, when, end)
            parts.append(f"{when.isoformat()} 至 {end.isoformat()}，{days} 个工作日")
        else:
            parts.append(when.isoformat())
    result = str(values.get(item.result) or "") if item.result else ""
    if result:
        parts.append(f"{labels.get(item.result, '结果')}：{result}")
    shown = [f"{labels.get(k, k)} {values[k]}" for k in item.show if values.get(k) not in (None, "")]
    if shown:
        parts.append("、".join(shown))
    if imported:
        return ControlLine(control.label, name, IMPORTED,
                           f"导入（台账只记有日期，无{control.what}的详细记录）：" + "；".join(parts),
                           when.isoformat() if isinstance(when, date) else "")
    status = FAILED if result and result in item.failed else APPLIED
    return ControlLine(control.label, name, status, "；".join(parts),
                       when.isoformat() if isinstance(when, date) else "")


_WORKDAYS: dict[tuple[WorkdayCalendar, date, date], int] = {}


def _workdays(calendar: WorkdayCalendar, start: date, end: date) -> int:
    """Working days from ``start`` to ``end``, both counted (remembered: a committee's notices share their dates)."""
    key = (calendar, start, end)          # a calendar is a value (frozen): equal ones count alike
    if key not in _WORKDAYS:
        if len(_WORKDAYS) > 10_000:
            _WORKDAYS.clear()
        _WORKDAYS[key] = sum(1 for k in range((end - start).days + 1)
                             if calendar.is_workday(date.fromordinal(start.toordinal() + k)))
    return _WORKDAYS[key]


def _record(pack: Pack, control: ControlDef, events: list[tuple[str, Any]],
            audit: list[dict[str, Any]]) -> list[ControlLine]:
    """责任追究制: every step taken, with who handed in its form and when it was processed."""
    labels = {s.id: s.label for s in pack.steps}
    out = []
    for (_, ev), row in zip(events, audit, strict=True):
        if ev.kind not in (EventKind.STEP_DONE, EventKind.STEP_CORRECTED):
            continue
        who = Submitter.from_json(row.get("submitter"))
        what = labels.get(ev.step, ev.step) + ("（更正）" if ev.kind == EventKind.STEP_CORRECTED else "")
        at, file = str(row.get("at", "")).replace("T", " ")[:16], row.get("file", "")
        if ev.data.get("imported"):
            line = ControlLine(control.label, what, IMPORTED, f"导入（{file}，{at}），无原始表格的提交人", at[:10])
        elif not who.any:
            line = ControlLine(control.label, what, MISSING, f"{file}（{at}），无提交人记录", at[:10])
        else:
            line = ControlLine(control.label, what, APPLIED, f"{file}（{at}）：{who.words()}", at[:10])
        out.append(line)
    return out


def summary(lines: list[ControlLine]) -> dict[str, str]:
    """Each control in one word: its first problem, else 尚未进行 when nothing of it is due yet, else 已落实."""
    out: dict[str, str] = {}
    for control in dict.fromkeys(line.control for line in lines):
        mine = [line for line in lines if line.control == control]
        flagged = [line.status for line in mine if line.flagged]
        out[control] = flagged[0] if flagged else NOT_YET if all(x.status == NOT_YET for x in mine) else APPLIED
    return out
