"""Documents that follow the case (refresh), the full record (全程纪实表), and `docflow regenerate`: everything made
again from the store, deterministic, a staff-edited document kept unless --force, --dry-run writing nothing."""
from __future__ import annotations

import hashlib
import io
import shutil

import pytest
from docx import Document

from engine import Engine
from engine.cli import main
from engine.clock import FixedClock
from engine.regenerate import planned, regenerate
from engine.testing import load_walkthrough, walk, walkthrough_workspace


@pytest.fixture
def walked(tmp_path):
    wt = load_walkthrough("party")
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    case_id = walk(eng, wt, tmp_path / "src", upto=6)
    yield eng, case_id
    eng.store.close()


def _text(path) -> str:
    doc = Document(io.BytesIO(path.read_bytes()))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _folder(eng, case_id):
    return next(eng.ws.outbox.rglob(f"{case_id}-*"))


def _snapshot(outbox):
    return {p.relative_to(outbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outbox.rglob("*")) if p.is_file()}


def test_the_full_record_lists_every_step_with_its_people_and_file_as_the_case_advances(walked):
    eng, case_id = walked
    record = _folder(eng, case_id) / "00-发展党员全程纪实表.docx"
    text = _text(record)
    assert "建立案卷" in text and "完成：党组织派人谈话" in text and "谈话人：刘一" in text
    assert "培养联系人一：刘一、培养联系人二：周三" in text and "01-talk.docx" in text
    assert "2024-01-20" in text                                      # the talk's date, not a processing date
    assert "完成：政治审查" not in text                                # not yet done (6 submissions in)
    register = _text(_folder(eng, case_id) / "01-入党申请人基本情况登记表.docx")
    assert "2024年1月20日" in register                                # 培养发展情况 refreshed: the talk's date


def test_a_refreshed_document_staff_edited_is_left_alone(tmp_path):
    wt = load_walkthrough("party")
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    try:
        case_id = walk(eng, wt, tmp_path / "src", upto=1)
        record = _folder(eng, case_id) / "00-发展党员全程纪实表.docx"
        edited = record.read_bytes() + b"edited"
        record.write_bytes(edited)
        walk_more = wt.__class__(**{**wt.__dict__, "submissions": wt.submissions[1:2]})
        from engine.testing import drop, fill_form, issued_form

        form, values = walk_more.submissions[0]
        src = issued_form(eng, case_id, form)
        drop(eng, fill_form(src, tmp_path / "x.xlsx", values))
        assert record.read_bytes() == edited                          # kept: staff changed it
    finally:
        eng.store.close()


def test_regeneration_gives_byte_identical_files_from_the_same_store(walked, tmp_path):
    eng, _ = walked
    before = _snapshot(eng.ws.outbox)
    shutil.rmtree(eng.ws.outbox)
    eng.ws.outbox.mkdir()
    result = regenerate(eng, planned(eng), processes=1)
    assert result.kept == [] and len(result.written) == len([k for k in before if "/" in k])
    assert _snapshot(eng.ws.outbox) == before                        # documents, ledger and due list alike


def test_regeneration_over_processes_gives_the_same_files(walked):
    eng, _ = walked
    before = _snapshot(eng.ws.outbox)
    shutil.rmtree(eng.ws.outbox)
    eng.ws.outbox.mkdir()
    from engine import regenerate as module

    module.CHUNK, chunk = 5, module.CHUNK                            # several tasks, two worker processes
    try:
        regenerate(eng, planned(eng), processes=2)
    finally:
        module.CHUNK = chunk
    assert _snapshot(eng.ws.outbox) == before


def test_a_corrected_template_propagates_and_an_edited_document_is_kept_unless_forced(walked, capsys):
    eng, case_id = walked
    folder = _folder(eng, case_id)
    talk = folder / "02-入党申请人谈话记录.docx"
    talk.write_bytes(talk.read_bytes() + b"staff")                   # staff edited this one
    pack_dir = eng.ws.root / "templates" / "party"                   # the workspace's own copy of the pack
    shutil.copytree(eng.pack.root, pack_dir)
    tpl = Document(str(pack_dir / "docs" / "activist_filing.docx"))
    tpl.add_paragraph("（模板已更正）")
    tpl.save(str(pack_dir / "docs" / "activist_filing.docx"))
    root = str(eng.ws.root)
    eng.store.close()
    capsys.readouterr()
    assert main(["regenerate", "-w", root, "--dry-run", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "将更新" in out and "04-关于确定入党积极分子的备案报告.docx" in out and "已保留" in out
    assert "（模板已更正）" not in _text(folder / "04-关于确定入党积极分子的备案报告.docx")   # dry run: nothing written
    assert main(["regenerate", "-w", root, "--quiet"]) == 0
    assert "（模板已更正）" in _text(folder / "04-关于确定入党积极分子的备案报告.docx")
    assert talk.read_bytes().endswith(b"staff")
    assert main(["regenerate", "-w", root, "--quiet", "--force"]) == 0
    assert not talk.read_bytes().endswith(b"staff")
    capsys.readouterr()
    assert main(["regenerate", "-w", root, "--quiet"]) == 0
    assert "已重新生成 0 份" in capsys.readouterr().out             # nothing left to change


def test_regeneration_chooses_by_case_branch_and_year(walked):
    eng, case_id = walked
    assert planned(eng, case_id="1999-0001") == []
    assert planned(eng, branch="第二党支部") == []
    assert planned(eng, year=int(case_id[:4])) == planned(eng) != []
    assert {d.case_id for d in planned(eng, case_id=case_id)} == {case_id}


def test_regeneration_makes_the_reports_made_before_again(walked, capsys):
    """A report made once is made again by regenerate (with a corrected name it shows the new name), a report
    staff edited is kept unless --force, --case leaves the reports alone and --dry-run writes nothing."""
    from openpyxl import load_workbook

    from engine.report import report

    eng, case_id = walked
    (path,) = report(eng, "pool", 2025)
    assert [(r.kind, r.year, r.branch) for r in eng.store.reports_made()] == [("pool", 2025, None)]
    rel = path.relative_to(eng.ws.outbox).as_posix()
    assert eng.store.output_hash(rel) == hashlib.sha256(path.read_bytes()).hexdigest()

    def names() -> set:
        return {c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("张")}

    assert names() == {"张三"}
    eng.store.db.execute("UPDATE cases SET name='张叁' WHERE case_id=?", (case_id,))   # a name corrected
    with eng.store.transaction():
        from engine.views import refresh
        refresh(eng, [case_id])
    before = path.read_bytes()
    result = regenerate(eng, planned(eng, case_id=case_id), reports=None)             # --case: no reports
    assert path.read_bytes() == before and rel not in result.written
    result = regenerate(eng, planned(eng), dry_run=True, reports=(None, None))
    assert rel in result.written and path.read_bytes() == before
    result = regenerate(eng, planned(eng), reports=(None, None))
    assert rel in result.written and names() == {"张叁"}
    assert rel in regenerate(eng, [], reports=(2025, None)).unchanged
    assert regenerate(eng, [], reports=(2024, None)).total == 0                      # another year's: none
    path.write_bytes(path.read_bytes() + b"\0")                                       # staff changed it
    assert rel in regenerate(eng, [], reports=(None, None)).kept
    assert rel in regenerate(eng, [], force=True, reports=(None, None)).written
    root = str(eng.ws.root)
    eng.store.close()
    capsys.readouterr()
    assert main(["regenerate", "-w", root, "--quiet"]) == 0
    assert "文书和报表" in capsys.readouterr().out
