"""A minimal pack with nothing of the party procedure (tests/data/minipack: a volunteer registry — other field
keys, no birth date or ID number, no member roster, no vote) run through the same road. An engine that names a
party key, value or word somewhere fails here."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from engine import Engine
from engine.clock import FixedClock
from engine.outcomes import Processed, Rejected
from engine.output.blanks import write_blank_forms
from engine.pack import load_pack
from engine.pack.lint import lint_pack
from engine.procedure.due import next_due
from engine.procedure.state import fold
from engine.read.xlsx import named_cells
from engine.testing import drop, fill_form, issued_form, load_walkthrough, walk, walkthrough_workspace
from engine.testing.walkthrough import first_roster_file

MINIPACK = Path(__file__).parent / "data" / "minipack"


def _build(dst: Path) -> Path:
    """A copy of the pack with its templates built (the pack's own build.py)."""
    import importlib.util

    shutil.copytree(MINIPACK, dst)
    spec = importlib.util.spec_from_file_location("minipack_build", dst / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dst)
    return dst


@pytest.fixture
def eng(tmp_path):
    wt = load_walkthrough(MINIPACK)
    _build(tmp_path / "ws" / "templates" / MINIPACK.name)   # a workspace's own pack: templates/<name>/
    e = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    yield e
    e.store.close()


def _signed_up(eng, tmp_path) -> str:
    wt = load_walkthrough(MINIPACK)
    out = drop(eng, first_roster_file(eng.pack, tmp_path / "报名表.xlsx", [wt.person]))
    assert isinstance(out, Processed), out
    return out.cases[0].split(" ")[0]


def _interview(eng, tmp_path, case_id: str, **values) -> object:
    src = issued_form(eng, case_id, "interview")
    return drop(eng, fill_form(src, tmp_path / f"面试-{values.get('score')}.xlsx", values))


def test_the_pack_and_its_templates_lint_clean(tmp_path):
    assert lint_pack(load_pack(_build(tmp_path / "mini"))) == []


def test_a_case_goes_from_signup_to_registered(eng, tmp_path):
    wt = load_walkthrough(MINIPACK)
    case_id = walk(eng, wt, tmp_path / "src")
    cs = fold(eng.pack, case_id, eng.store.events(case_id))
    assert cs.state == "registered"
    assert cs.facts["score"] == 82 and cs.facts["interview_date"].isoformat() == "2026-03-12"
    assert next_due(eng.pack, cs) == []
    assert case_id.startswith("2026-")                 # the year of [case] year = signup_date
    notices = list(eng.ws.outbox.rglob("*注册通知书*.docx"))
    assert len(notices) == 1
    text = "\n".join(p.text for p in Document(str(notices[0])).paragraphs)
    assert "王五（工号 A1001，一队）" in text and "82分" in text and "XX社区志愿者协会" in text
    assert "党" not in text


def test_the_issued_form_carries_the_case_and_the_name(eng, tmp_path):
    case_id = _signed_up(eng, tmp_path)
    wb = openpyxl.load_workbook(issued_form(eng, case_id, "interview"))
    cells = {name: cell.value for name, (_, cell) in named_cells(wb).items()}
    assert cells["info_case_id"] == case_id
    assert cells["info_name"] == "王五"                 # the engine's name mark, from [case] name = "full_name"
    assert cells["info_branch"] == "一队"
    assert cells["info_due_date"]                       # signup + 14 days


def test_a_score_below_the_pass_mark_is_refused_naming_the_field(eng, tmp_path):
    case_id = _signed_up(eng, tmp_path)
    out = _interview(eng, tmp_path, case_id, interview_date="2026-03-12", score=59, result="通过", interviewer="赵六")
    assert isinstance(out, Rejected), out
    assert "面试成绩" in out.receipt and "60" in out.receipt and "B7" in out.receipt
    out = _interview(eng, tmp_path, case_id, interview_date="2026-03-12", score=60, result="通过", interviewer="赵六")
    assert isinstance(out, Processed), out


def test_a_failed_interview_takes_its_branch(eng, tmp_path):
    case_id = _signed_up(eng, tmp_path)
    out = _interview(eng, tmp_path, case_id, interview_date="2026-03-12", score=40, result="不通过", interviewer="赵六")
    assert isinstance(out, Processed), out
    assert fold(eng.pack, case_id, eng.store.events(case_id)).state == "declined"
    assert not list(eng.ws.outbox.rglob("*注册通知书*.docx"))


def test_the_packs_blank_roster_filled_by_staff_opens_cases(eng, tmp_path):
    [blank] = write_blank_forms(eng.pack, tmp_path / "blank", ["一队", "二队"])
    assert blank.name == "志愿者报名表.xlsx"
    wb = openpyxl.load_workbook(blank)
    ws = wb.active
    headers = [c.value for c in ws[3]]
    row = {"姓名": "李四", "工号": "B2002", "服务队": "二队", "报名日期": "2026-04-01"}
    for col, value in row.items():
        ws.cell(row=5, column=headers.index(col) + 1, value=value)
    wb.save(tmp_path / "报名表.xlsx")
    out = drop(eng, tmp_path / "报名表.xlsx")
    assert isinstance(out, Processed) and len(out.cases) == 1, out      # the example row is not a case
    case_id = out.cases[0].split(" ")[0]
    cs = fold(eng.pack, case_id, eng.store.events(case_id))
    assert cs.facts["team"] == "二队" and cs.state == "signed_up"


def test_init_process_and_status_from_the_command_line(tmp_path, capsys):
    from engine.cli import main

    root = tmp_path / "协会"
    _build(root / "templates" / MINIPACK.name)            # staff put their own pack into templates/<name>/
    assert main(["init", str(root), "--pack", MINIPACK.name, "--org", "XX社区志愿者协会", "--branches", "一队,二队",
                 "--feedback", "协会办公室"]) == 0
    blank = root / "空白表格" / "志愿者报名表.xlsx"
    wb = openpyxl.load_workbook(blank)
    for col, value in enumerate(("", "王五", "A1001", "一队", "2026-03-05"), start=1):
        if value:
            wb.active.cell(row=5, column=col, value=value)
    wb.save(root / "inbox" / "报名表.xlsx")
    capsys.readouterr()
    assert main(["process", "-w", str(root)]) == 0
    out = capsys.readouterr().out
    assert "已处理 1" in out, out
    assert main(["status", "-w", str(root)]) == 0
    out = capsys.readouterr().out
    assert "王五" in out and "已报名" in out and "面试" in out, out
    assert "党" not in out, out
