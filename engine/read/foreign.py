"""Workbooks docflow does not issue but offices keep: Excel 97–2003 .xls (also what WPS saves, and its .et), and
OpenDocument .ods — read with python-calamine (a maintained Rust reader) into an openpyxl workbook of values, so
the roster readers see them exactly as they see an .xlsx: the same sheets in order, each cell at its place
(A1 where the sheet's A1 is), merged ranges merged, hidden sheets hidden. Only values are carried: no
formulas (a cell shows what Excel last computed), no styles, no defined names (docflow's own forms are .xlsx).
Every failure of a damaged file is an ordinary refusal."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..errors import InputError
from ..outcomes import Code
from .safety import LIMITS, Limits

MAX_COLS = 200          # wider than any roster: the rest of a sheet is not read
_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}


def load(data: bytes, kind: str, limits: Limits = LIMITS) -> Workbook:
    """The workbook of an .xls/.ods file (``kind`` "xls" or "ods") as openpyxl holds it."""
    try:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        cwb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        wb = Workbook()
        if wb.active is not None:
            wb.remove(wb.active)
        hidden = {m.name for m in cwb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}   # hidden, very hidden
        for name in cwb.sheet_names:
            sheet = cwb.get_sheet_by_name(name)
            if sheet.total_height > limits.roster_rows + 1000:
                raise InputError(f"工作表“{name}”行数过多（{sheet.total_height}行），请拆分后提交",
                                 code=Code.TOO_MANY_ROWS)
            ws = wb.create_sheet(_title(name, wb.sheetnames))
            if name in hidden:
                ws.sheet_state = "hidden"
            rows = sheet.to_python(skip_empty_area=False)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row[:MAX_COLS], start=1):
                    v = _value(value)
                    if v is not None:
                        ws.cell(r, c, v)
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
                if (r1 - r0 + 1) * (c1 - c0 + 1) > 1 and c1 < MAX_COLS:
                    ws.merge_cells(f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}")
        if not wb.sheetnames:
            raise InputError("工作簿中没有工作表", code=Code.CORRUPT_XLSX)
        return wb
    except InputError:
        raise
    except Exception as exc:        # calamine raises its own errors (and others) for damaged or encrypted files
        what = "旧版 Excel（.xls）" if kind == "xls" else "OpenDocument（.ods）"
        raise InputError(f"这个{what}文件已损坏、加了密码或不是电子表格，无法读取（{type(exc).__name__}）。"
                         "请用 Excel 或 WPS 打开它，确认能正常打开；如设置了密码请取消，再另存为 .xlsx 后"
                         "重新放入 inbox",
                         code=Code.OLD_OR_ENCRYPTED if kind == "xls" else Code.CORRUPT_XLSX) from None


def _value(value: Any) -> Any:
    """A cell as openpyxl would hold it: "" is empty, text without characters XML cannot carry."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return "".join(ch for ch in value if ch not in _ILLEGAL) if any(ch in _ILLEGAL for ch in value) else value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):            # openpyxl reads a date cell as a datetime at midnight
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (bool, int, float, time)):
        return value
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return str(value)


def _title(name: str, taken: list[str]) -> str:
    """A sheet title openpyxl accepts (≤ 31 characters, none of []:*?/\\), unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    title, k = clean, 2
    while title in taken:
        title, k = f"{clean[:28]}({k})", k + 1
    return title
