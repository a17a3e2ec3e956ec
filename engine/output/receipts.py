"""Receipts staff read (Chinese): what happened to a file, and for a refused one what to fix, where.
For a refused .xlsx the staff workbook is also copied with the wrong cells marked and commented."""
from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from datetime import datetime

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook

from ..outcomes import Finding, Severity

_RED = PatternFill("solid", fgColor="FFC7CE")


def _finding_lines(i: int, f: Finding) -> list[str]:
    lines = [f"问题 {i}" + ("（提醒，不影响处理）" if f.severity == Severity.WARN else "")]
    if f.label:
        lines.append(f"  栏目：{f.label}")
    if f.place:
        lines.append(f"  位置：{f.place}")
    lines.append(f"  问题：{f.message}")
    if f.fix:
        lines.append(f"  修改方法：{f.fix}")
    if f.article:
        lines.append(f"  依据：{f.article}")
    return lines


def receipt_text(*, file: str, at: datetime, outcome: str, refusals: Sequence[Finding] = (),
                 warnings_: Sequence[Finding] = (), row_problems: Sequence[Finding] = (), cases: Sequence[str] = (),
                 documents: Sequence[str] = (), notes: Sequence[str] = (), duplicate_of: str = "",
                 submitter: str = "") -> str:
    head = {"processed": "已处理" + (f"（其中 {_rows(row_problems)} 行未导入，见下文）" if row_problems else ""),
            "rejected": "退回（请按下列说明修改后，重新放入 inbox 文件夹）",
            "partial": f"部分行未导入：本表其余各行已导入，标红的 {_rows(row_problems)} 行没有导入",
            "duplicate": "重复文件（内容与此前已处理的文件完全相同，未再次处理）"}[outcome]
    lines = ["docflow 处理回执", "=" * 20, f"文件：{file}", *([f"提交人：{submitter}"] if submitter else []),
             f"处理时间：{at:%Y-%m-%d %H:%M}", f"结果：{head}", ""]
    if duplicate_of:
        lines += [f"此前已处理：{duplicate_of}", ""]
    for i, f in enumerate(refusals, 1):
        lines += _finding_lines(i, f) + [""]
    if cases:
        lines += ["涉及案卷："] + [f"  {c}" for c in cases] + [""]
    if documents:
        lines += ["已在 outbox 生成："] + [f"  {d}" for d in documents] + [""]
    if row_problems:
        lines += [f"以下 {_rows(row_problems)} 行未导入（其余各行已导入），"
                  "请在原表中改正后把整张表重新放入 inbox（已导入的人不会重复登记）：", ""]
        lines += [line for i, f in enumerate(row_problems, 1) for line in _finding_lines(i, f) + [""]]
    if warnings_:
        lines += ["提醒："] + [line for i, f in enumerate(warnings_, 1) for line in _finding_lines(i, f) + [""]]
    if notes:
        lines += ["说明："] + [f"  {n}" for n in notes] + [""]
    return "\r\n".join(lines).rstrip() + "\r\n"


def _rows(row_problems) -> int:
    return len({f.place.split("行")[0] for f in row_problems})


def marked_copy(original: bytes | Workbook, findings: list[Finding]) -> bytes | None:
    """A copy of the staff workbook with each wrong cell filled red and commented; None if no cell is known.
    ``original``: the workbook as the road already parsed it (no second load), or its bytes (recovery)."""
    cells = [f for f in findings if f.ref and "!" in f.ref]
    if not cells:
        return None
    if isinstance(original, Workbook):
        wb = original
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(original))
    for f in cells:
        sheet, coord = f.ref.rsplit("!", 1)
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet][coord]
        cell.fill = _RED
        text = f"{f.message}" + (f"\n修改方法：{f.fix}" if f.fix else "")
        old = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment(old + text, "docflow", width=300, height=120)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
