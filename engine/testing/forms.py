"""Filling forms and writing rosters the way staff do; examples for the bundled party pack."""
from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.oxml.ns import qn

from ..pack.model import Pack
from ..read.xlsx import named_cells
from ..workspace import Workspace, init_workspace

# ---------------------------------------------------------------- filling forms the way staff do


def fill_xlsx(src: Path, dst: Path, values: dict[str, Any]) -> Path:
    """What a staff member does in Excel: type values into the yellow (named) cells and save."""
    wb = openpyxl.load_workbook(src)
    cells = named_cells(wb)
    for key, value in values.items():
        cells[key][1].value = value
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def fill_docx(src: Path, dst: Path, values: dict[str, Any]) -> Path:
    """What a staff member does in Word: type into the table cell holding each field's bookmark."""
    from docx.table import _Cell

    doc = Document(str(src))
    for tc in doc.element.body.iter(qn("w:tc")):
        for bm in tc.iter(qn("w:bookmarkStart")):
            key = bm.get(qn("w:name"))
            if key in values:
                cell = _Cell(tc, None)  # type: ignore[arg-type]  # python-docx: a cell outside a table object
                lines = str(values[key]).split("\n")
                cell.paragraphs[0].add_run(lines[0])
                for line in lines[1:]:
                    cell.add_paragraph(line)
    dst.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(dst))
    return dst


def fill_form(src: Path, dst: Path, values: dict[str, Any]) -> Path:
    """An issued form of either kind; in Word a date is typed as 2026-03-05."""
    if src.suffix.lower() == ".docx":
        return fill_docx(src, dst, {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()})
    return fill_xlsx(src, dst, values)


def write_roster(path: Path, rows: Iterable[dict[str, Any]], headers: list[str] | None = None,
                 title: str | None = None, sheet: str = "名册", text_ids: bool = True) -> Path:
    """A roster workbook: an optional title row, the header row, one row per person (values by header)."""
    rows = list(rows)
    headers = headers or list(rows[0].keys())
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if text_ids:
        for col in ws.iter_cols():
            for cell in col:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def xlsx_bytes(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: date, seq: int = 123, region: str = "110101") -> str:
    """A valid 18-character citizen ID number for a birth date."""
    first = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, _W, strict=False)) % 11]


def roster_row(pack: Pack, form_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A roster row by header (the fields' labels) from values by field key."""
    form = pack.forms[form_id]
    return {form.label_of(k): v for k, v in values.items() if form.field(k) is not None}


# ---------------------------------------------------------------- examples for the bundled party pack
BRANCHES = ["第一党支部", "第二党支部", "第三党支部"]
FEEDBACK = "XX学区党委组织委员（电话：0571-86001234）"
APPLICANT_HEADERS = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "工作单位", "职务/岗位",
                     "是否一线", "联系电话", "所在党支部", "申请入党日期"]
MEMBER_HEADERS = ["姓名", "所在党支部", "党员类别", "是否留党察看"]


def workspace(root: Path, branches: list[str] | None = None, **over: Any) -> Workspace:
    """A party workspace the way a committee sets one up: its name, its branches and the feedback line filled in."""
    return init_workspace(root, over.pop("org", "XX学区党委"), branches=branches or BRANCHES,
                          feedback=over.pop("feedback", FEEDBACK), **over)


def applicant(name: str, birth: date, applied: date, branch: str = "第一党支部", seq: int = 123,
              **over: Any) -> dict[str, Any]:
    """A row of the party pack's 入党申请人名册 (by header)."""
    row = {"姓名": name, "性别": "女" if seq % 2 == 0 else "男", "民族": "汉族", "出生日期": birth,
           "公民身份号码": id_number(birth, seq), "学历": "大学本科", "工作单位": "XX学区中心小学",
           "职务/岗位": "教师", "是否一线": "是", "联系电话": "13800000000", "所在党支部": branch,
           "申请入党日期": applied}
    row.update(over)
    return row


def member_roster(path: Path, members: list[tuple[str, str, str]], discipline: dict[str, str] | None = None) -> Path:
    """The party pack's 党员名册: (name, branch, status) rows; ``discipline``: name → 是 for those under 留党察看."""
    rows = [{"姓名": n, "所在党支部": b, "党员类别": s, "是否留党察看": (discipline or {}).get(n, "否")}
            for n, b, s in members]
    return write_roster(path, rows, MEMBER_HEADERS, title="党员名册")


# ---------------------------------------------------------------- a form's identity, edited the way people do
def edit_properties(src: Path, dst: Path, changes: dict[str, str | None]) -> Path:
    """A copy of an issued form with its custom document properties changed (a value) or removed (None) — what
    the document's properties dialog does, or an office program that drops what it does not know."""
    from ..read.office import custom_properties, with_custom_properties
    from ..read.safety import open_package

    data = src.read_bytes()
    props = custom_properties(open_package(data, src.name))
    for name, value in changes.items():
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(with_custom_properties(data, props))
    return dst


def strip_signature(src: Path, dst: Path) -> Path:
    from ..read.office import PROP_SERIAL, PROP_SIGNATURE

    return edit_properties(src, dst, {PROP_SIGNATURE: None, PROP_SERIAL: None})
