"""Blank rosters staff start from (`docflow init` writes them into 空白表格/): one workbook per roster form
of the pack, built from its fields — headers the reader knows, drop-downs for choices, hints, an example row
marked as such (the reader skips it), dates and ID numbers formatted so Excel keeps them, A4 print setup."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..check.fields import field_type
from ..pack.model import FieldDef, FormDef, Pack
from .names import safe_file_name
from .render import write_atomic

BLANK_FOLDER = "空白表格"
EXAMPLE_MARK = "示例"       # a row whose first cell says so is an example: the reader skips it
INPUT_ROWS = 300
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_EXAMPLE = Font(name="宋体", size=11, italic=True, color="808080")


def write_blank_forms(pack: Pack, folder: Path, branches: list[str] | None = None) -> list[Path]:
    """Write a blank workbook for every roster form of the pack (existing files are left alone)."""
    out = []
    for form in pack.forms.values():
        if form.kind != "roster":
            continue
        path = folder / safe_file_name(form.blank_title or form.label, ".xlsx")
        if not path.exists():
            write_atomic(path, blank_roster(pack, form, branches or []))
        out.append(path)
    return out


def _branch_key(pack: Pack, form: FormDef) -> str:
    return pack.members.branch if form.members and pack.members else pack.case.branch


def hint(pack: Pack, form: FormDef, f: FieldDef, branches: list[str]) -> str:
    parts = ["必填" if f.required else "可不填"]
    if field_type(f).hint(f):
        parts.append(field_type(f).hint(f))
    elif f.key == _branch_key(pack, form) and branches:
        parts.append(f"本{pack.terms.organisation}的{pack.terms.branch}：" + "、".join(branches))
    if f.synonyms:
        parts.append("表头也可写作：" + "、".join(f.synonyms[:4]))
    return "；".join(parts)


def blank_roster(pack: Pack, form: FormDef, branches: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = form.label[:31]
    fields = list(form.fields)
    last = get_column_letter(len(fields) + 1)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = form.label
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = (f"填写说明：一人一行，从第5行起填写（第4行为{EXAMPLE_MARK}，可删除，保留也不会被导入）；"
                "红色表头为必填；"
                "日期写成 2026-03-05；带下拉箭头的格子请从列表中选择；把鼠标停在表头上可看到填写提示。"
                "填好后保存，放入 inbox 文件夹。")
    ws["A2"].font = Font(name="宋体", size=10, color="595959")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[2].height = 32
    header = ["序号"] + [f.label for f in fields]
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=3, column=col, value=text)
        f = fields[col - 2] if col > 1 else None
        cell.font = Font(name="黑体", size=11, color="C00000" if f and f.required else "000000")
        cell.fill, cell.border = _HEAD_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if f is not None:
            cell.comment = Comment(hint(pack, form, f, branches), "docflow", width=260, height=90)
    ws.row_dimensions[3].height = 30
    _example_row(ws, fields, _branch_key(pack, form), branches)
    _input_rows(ws, fields, lambda f: hint(pack, form, f, branches), _branch_key(pack, form), branches)
    ws.freeze_panes = "B5"
    ws.auto_filter.ref = f"A3:{last}{4 + INPUT_ROWS}"
    _print_setup(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _example_row(ws, fields: list[FieldDef], branch_key: str, branches: list[str]) -> None:
    ws.cell(row=4, column=1, value=EXAMPLE_MARK).font = _EXAMPLE
    for col, f in enumerate(fields, start=2):
        value = f.example or (f.choices[0] if f.choices else "2026-03-05" if f.type == "date" else "")
        if f.key == branch_key and branches:
            value = branches[0]
        cell = ws.cell(row=4, column=col, value=value)
        cell.font, cell.border = _EXAMPLE, _BORDER
        cell.data_type = "s"


def _input_rows(ws, fields: list[FieldDef], hint_of, branch_key: str, branches: list[str]) -> None:
    first, end = 5, 4 + INPUT_ROWS
    for col, f in enumerate(fields, start=2):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(8, min(28, 2 * len(f.label) + 4,
                                                        22 if f.type == "id_number" else 28))
        for r in range(first, end + 1):
            cell = ws.cell(row=r, column=col)
            cell.border = _BORDER
            cell.number_format = field_type(f).excel_format
        choices = f.choices or (tuple(branches) if f.key == branch_key else ())
        if choices and len(",".join(choices)) < 250:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=bool(f.choices), errorStyle="warning")
            dv.error, dv.errorTitle = "请从下拉列表中选择", f.label
            dv.prompt, dv.promptTitle, dv.showInputMessage = hint_of(f)[:250], f.label[:32], True
            dv.add(f"{letter}{first}:{letter}{end}")
            ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 6
    for r in range(first, end + 1):
        ws.cell(row=r, column=1, value=r - first + 1).border = _BORDER


def _print_setup(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
