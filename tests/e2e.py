"""Helpers for end-to-end tests: walk a case through the road by dropping files into the inbox."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
from docx import Document

from engine.read.xlsx import named_cells
from engine.road import process_file
from engine.testing import applicant, fill_docx, fill_xlsx, member_roster, write_roster

MEMBERS = [("刘一", "第一党支部", "正式党员"), ("周三", "第一党支部", "正式党员"), ("陈二", "第一党支部", "预备党员")]


def drop(eng, src: Path, name: str | None = None):
    dst = eng.ws.inbox / (name or src.name)
    shutil.copy2(src, dst)
    return process_file(eng, dst)


def case_dir(eng, case_id: str) -> Path:
    [d] = [p for p in eng.ws.outbox.rglob(f"{case_id}-*") if p.is_dir()]
    return d


def docx_text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def xlsx_named(path: Path) -> dict:
    return {k: c.value for k, (ws, c) in named_cells(openpyxl.load_workbook(path)).items()}


def start(eng, tmp: Path, people=None):
    """Member roster + applicant roster dropped; returns the roster outcome."""
    drop(eng, member_roster(tmp / "党员名册.xlsx", MEMBERS))
    people = people or [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)]
    return drop(eng, write_roster(tmp / "申请人名册.xlsx", people, title="入党申请人名册"))


def talk(eng, tmp, case_id, talk_date="2026-01-20", **over):
    values = {"talk_date": talk_date, "talker": "刘一", "talker_post": "支部书记", "summary": "谈入党动机"}
    values.update(over)
    src = next(case_dir(eng, case_id).glob("02-*.docx"))
    return drop(eng, fill_docx(src, tmp / f"谈话-{case_id}.docx", values))


def activist(eng, tmp, case_id, decided=date(2026, 3, 1), c1="刘一", c2="周三", **over):
    values = {"decision_date": decided, "method": "党员推荐", "filing_date": decided, "contact_1": c1, "contact_2": c2}
    values.update(over)
    src = next(case_dir(eng, case_id).glob("03-*.xlsx"))
    return drop(eng, fill_xlsx(src, tmp / f"积极分子-{case_id}.xlsx", values))


def assessment(eng, tmp, case_id, period, when, result="合格"):
    src = next(case_dir(eng, case_id).glob(f"06-*第{period}次.xlsx"))
    values = {"assess_date": when, "assessor": "刘一", "opinion": "表现良好", "result": result}
    return drop(eng, fill_xlsx(src, tmp / f"考察-{case_id}-{period}.xlsx", values))
