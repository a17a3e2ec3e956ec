"""The ledger (台账) and the due list (待办事项) in outbox/, rewritten after every change from the case views.

The ledger: one row per case — number, name, branch, the person fields and key dates the pack lists in
[[ledger]] (the ID number masked), the current stage and last step, the next step with its deadline (or the
earliest day it may be taken) and the rule behind it; overdue rows turn red by themselves (conditional formatting
against TODAY(), so the ledger stays right on the days after it was written). One sheet for all, one per branch.
Each case's row is made when the case changes and kept in its view, so rewriting the ledger joins rows.

The due list: every item due, overdue (red) or due within the window (amber), with its rule, soonest first.

A file open in Excel cannot be replaced on Windows (and Excel leaves ~$name beside it): the new one is then written
beside it under a dated name and the next change tries again. Both are outputs, never read back."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..pack.model import LedgerColumn, Pack
from ..procedure.state import CaseState
from ..store.base import DueRow
from . import sheets as xl
from .context import mask_id
from .render import write_atomic

if TYPE_CHECKING:
    from ..engine import Engine

DUE_LIST = "待办事项.xlsx"
DUE_WINDOW_DAYS = 30


def ledger_name(pack: Pack) -> str:
    return f"{pack.pack.name}台账.xlsx"          # 发展党员工作台账.xlsx


def columns(pack: Pack) -> list[LedgerColumn]:
    """The pack's ledger columns; without [[ledger]], every person field and every fact."""
    if pack.ledger:
        return list(pack.ledger)
    return ([LedgerColumn(label=f.label, value=(f.key,)) for f in pack.person_fields
             if f.key not in (pack.case.name, pack.case.branch)]
            + [LedgerColumn(label=fact.label, value=(key,)) for key, fact in pack.facts.items()
               if key not in {f.key for f in pack.person_fields}])


def headers(pack: Pack) -> tuple[list[str], list[float], int]:
    """Header texts, widths, and the (1-based) column of the deadline."""
    cols = columns(pack)
    head = ["序号", pack.case.number_label, "姓名", f"所在{pack.terms.branch}"] + [c.label for c in cols] + \
        ["当前阶段", "最近完成", "下一步", "应完成日期", "最早可办日期", "依据", "发文字号"]
    widths = [6, 11, 9, 14] + [c.width or _width(pack, c) for c in cols] + [18, 30, 34, 12, 12, 34, 30]
    return head, widths, len(head) - 3


def _width(pack: Pack, c: LedgerColumn) -> float:
    if _is_date(pack, c):
        return 12
    return max(8.0, min(24.0, 2.0 * len(c.label) + 2))


def _is_date(pack: Pack, c: LedgerColumn) -> bool:
    key = c.value[0] if len(c.value) == 1 and not c.count else ""
    fact = pack.facts.get(key)
    person = next((f for f in pack.person_fields if f.key == key), None)
    return bool((fact and fact.type in ("date", "month")) or (person and person.type == "date"))


def _value(pack: Pack, cs: CaseState, c: LedgerColumn) -> Any:
    if c.count:
        return cs.periods_on_file(c.count) or ""
    parts = []
    for ref in c.value:
        step, _, key = ref.partition(".")
        value = cs.steps.get(step, {}).get(key) if key else cs.facts.get(ref)
        if value in (None, ""):
            continue
        if ref == pack.case.id_number:
            value = mask_id(str(value))
        parts.append(value)
    if len(parts) == 1:
        return parts[0]
    return "、".join(str(p.isoformat() if isinstance(p, date) else p) for p in parts)


def ledger_row(pack: Pack, cs: CaseState, name: str, branch: str, view: dict[str, Any], numbers: str = "") -> str:
    """The case's row of the ledger (made when the case changes; kept in its view). ``numbers``: the 发文字号 of
    its official documents."""
    cells = ['<c s="8"><f>ROW()-2</f></c>', xl.text_cell(cs.case_id, xl.NUMBER), xl.text_cell(name),
             xl.text_cell(branch)]
    for c in columns(pack):
        value = _value(pack, cs, c)
        cells.append(xl.date_cell(value) if _is_date(pack, c) or isinstance(value, date)
                     else xl.number_cell(value) if isinstance(value, int) else xl.text_cell(value))
    first = view["due"][0] if view["due"] else None
    deadline = next((d for d in view["due"] if d["date"] and not d["earliest"]), None)
    earliest = next((d for d in view["due"] if d["date"] and d["earliest"]), None)
    nxt = "；".join(d["label"] + (f"（第{d['period']}次）" if d["period"] else "") for d in view["due"])
    cells += [xl.text_cell(view["state_label"]), xl.text_cell(view["last_step"]), xl.text_cell(nxt),
              xl.date_cell(deadline["date"] if deadline else None),
              xl.date_cell(earliest["date"] if earliest else None),
              xl.text_cell((deadline or first or {}).get("rule", "")), xl.text_cell(numbers)]
    return xl.row(cells)


def ledger_bytes(pack: Pack, rows: list[tuple[str, bytes]]) -> bytes:
    """The ledger of ``rows`` (branch, the case's ledger row), in case order."""
    head, widths, deadline = headers(pack)
    taken: set[str] = set()
    title = pack.pack.name + "台账"
    out = [xl.Sheet(xl.sheet_name("全部", taken), title, head, widths, [r for _, r in rows], deadline,
                    fit_width=False, repeat_columns=3)]
    by_branch: dict[str, list[bytes]] = {}
    for branch, row in rows:
        by_branch.setdefault(branch, []).append(row)
    for branch in sorted(by_branch):
        out.append(xl.Sheet(xl.sheet_name(branch, taken), f"{title}（{branch}）", head, widths, by_branch[branch],
                            deadline, fit_width=False, repeat_columns=3))
    return xl.workbook(out)


_TEXT, _DATE = "\x01", "\x02"         # where a due row's styles go (they depend on the day)
_STYLE_BYTES = {n: str(n).encode() for n in range(10)}


def due_cells(case_id: str, name: str, branch: str, item: dict[str, Any]) -> bytes:
    """A case's item due as its row of the due list, but for its styles and its last cell (both depend on the
    day): made with the case's view, so the due list is written by filling in the day."""
    what = item["label"] + (f"（第{item['period']}次）" if item["period"] else "")
    return "".join([xl.text_cell(case_id, _TEXT), xl.text_cell(name, _TEXT), xl.text_cell(branch, _TEXT),
                    xl.text_cell(what, _TEXT), xl.date_cell(item["date"], _DATE),
                    xl.text_cell("最早可办日期" if item["earliest"] else "应完成日期", _TEXT),
                    xl.text_cell(item["rule"], _TEXT)]).encode()


class DueItem(NamedTuple):
    """An item of the due list: what is due, and on the day the list is made, whether it is overdue or soon."""

    due: DueRow
    overdue: bool
    soon: bool

    def as_dict(self) -> dict[str, Any]:
        d = self.due
        return {"case": d.case_id, "name": d.name, "branch": d.branch, "step": d.step, "label": d.label,
                "period": d.period, "date": d.date, "earliest": d.earliest, "rule": d.rule, "overdue": self.overdue,
                "soon": self.soon}

    @property
    def what(self) -> str:
        return self.due.label + (f"（第{self.due.period}次）" if self.due.period else "")


def due_items(rows: list[DueRow], today: date, within: int | None = None,
              branch: str | None = None) -> list[DueItem]:
    """Every item due with a date (overdue, due within ``within`` days, later), soonest first (then by case) as
    ``rows`` come; with ``within``, only the overdue and those due within it. Imported history is not overdue: a
    deadline before the case was imported is kept on paper."""
    now = today.isoformat()
    horizon = (today + timedelta(days=within or DUE_WINDOW_DAYS)).isoformat()
    out = []
    for d in rows:
        if not d.date or (branch and d.branch != branch):
            continue
        if d.earliest and d.date <= now:
            continue                                  # may be taken already: not a due date any more
        if d.date < d.since and not d.earliest:
            continue
        late = not d.earliest and d.date < now
        soon = not late and d.date <= horizon
        if within is not None and not (late or soon):
            continue
        out.append(DueItem(d, late, soon))
    return out


def due_bytes(pack: Pack, items: list[DueItem], today: date, within: int) -> bytes:
    head = [pack.case.number_label, "姓名", f"所在{pack.terms.branch}", "事项", "日期", "日期性质", "依据", "状态"]
    widths = [11, 9, 14, 34, 12, 13, 36, 13]
    rows = []
    ends: dict[tuple[str, bool, bool, bool], bytes] = {}       # (date, overdue, soon, earliest) -> the row's end
    for i in items:
        d = i.due
        style = xl.RED if i.overdue else xl.AMBER if i.soon else xl.PLAIN
        key = (d.date, i.overdue, i.soon, d.earliest)
        end = ends.get(key)
        if end is None:
            days = (date.fromisoformat(d.date) - today).days
            state = f"已逾期{-days}天" if i.overdue else ("今天到期" if days == 0 else f"{days}天后") + \
                ("可办" if d.earliest else "到期")
            end = ends[key] = f"{xl.text_cell(state, style)}</row>".encode()
        dstyle = xl.RED_DATE if i.overdue else xl.AMBER_DATE if i.soon else xl.DATE
        cells = d.cells or due_cells(d.case_id, d.name, d.branch, i.as_dict())
        rows.append(b"<row>" + cells.replace(b"\x01", _STYLE_BYTES[style]).replace(b"\x02", _STYLE_BYTES[dstyle])
                    + end)
    title = f"待办事项（{today.isoformat()}，红色为已逾期，黄色为{within}天内到期）"
    return xl.workbook([xl.Sheet("待办事项", title, head, widths, rows)])


def write_beside(path: Path, data: bytes, now: datetime) -> str:
    """Write ``path``; when it is open in Excel, write beside it under a dated name and say so ("" if not)."""
    locked = (path.parent / f"~${path.name}").exists()
    if not locked:
        try:
            write_atomic(path, data)
            return ""
        except PermissionError:
            pass
    other = path.with_name(f"{path.stem}（{now.strftime('%Y-%m-%d %H%M%S')}）{path.suffix}")
    write_atomic(other, data)
    return (f"{path.name} 正被打开（可能在 Excel 中），新的版本已写到旁边的 {other.name}；"
            f"关闭后下次处理时会再写入 {path.name}")


def write_paperwork(eng: Engine) -> list[str]:
    """The ledger and the due list, from the views; notes for staff when one had to go beside an open file. Several
    processes on one store write them one at a time, each from the views as they are when its turn comes — so the
    last written holds every change committed before it."""
    with eng.store.section("paperwork"):
        return _write_paperwork(eng)


def _write_paperwork(eng: Engine) -> list[str]:
    now, today = eng.clock.now(), eng.clock.today()
    ledger = ledger_bytes(eng.pack, eng.store.ledger_rows())
    notes = [write_beside(eng.ws.outbox / ledger_name(eng.pack), ledger, now)]
    until = (today + timedelta(days=DUE_WINDOW_DAYS)).isoformat()
    items = due_items(eng.store.due_rows(until, today.isoformat()), today, DUE_WINDOW_DAYS)
    notes.append(write_beside(eng.ws.outbox / DUE_LIST, due_bytes(eng.pack, items, today, DUE_WINDOW_DAYS), now))
    _tidy(eng.ws.outbox, [ledger_name(eng.pack), DUE_LIST], notes)
    return [n for n in notes if n]


def _tidy(outbox: Path, names: list[str], notes: list[str]) -> None:
    """Dated copies written while a file was open go once the file itself has been written again."""
    for name, note in zip(names, notes, strict=True):
        if note:
            continue
        stem, suffix = os.path.splitext(name)
        for old in outbox.glob(f"{stem}（*）{suffix}"):
            if not (outbox / f"~${old.name}").exists():       # not while that copy is open
                old.unlink(missing_ok=True)
