"""Build the minimal pack's two templates with plain openpyxl and python-docx (what any pack author could
do without docflow's template builders): an issued form whose input cells are defined names = field keys,
plus the engine's marks (info_case_id, info_name), and a Word notice with docxtpl tags."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

HERE = Path(__file__).resolve().parent


def build_interview(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "面试记录表"
    ws["A1"] = "面试记录表"
    rows = [("登记编号", "info_case_id"), ("服务队", "info_branch"), ("姓名", "info_name"),
            ("应面试日期", "info_due_date"), ("面试日期", "interview_date"), ("面试成绩", "score"),
            ("面试结论", "result"), ("面试人", "interviewer")]
    for n, (label, name) in enumerate(rows, start=2):
        ws.cell(n, 1, label)
        wb.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!$B${n}")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def build_welcome(path: Path) -> None:
    doc = Document()
    doc.add_heading("注册通知书", level=1)
    doc.add_paragraph("{{ case.full_name }}（工号 {{ case.staff_no }}，{{ branch }}）：")
    doc.add_paragraph("你于{{ case.signup_date }}报名，{{ case.interview_date }}面试成绩{{ case.score }}分，"
                      "现登记为{{ case.state }}。")
    doc.add_paragraph("{{ org.name }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def build(root: Path = HERE) -> Path:
    build_interview(root / "forms" / "interview.xlsx")
    build_welcome(root / "docs" / "welcome.docx")
    return root


if __name__ == "__main__":
    build()
