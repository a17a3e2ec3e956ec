"""Issue 14: branch inboxes (a branch's folder changes only its own cases and roster), the submitter on record
(status, the full record, the audit export), and forms that verify (signature over the identity)."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from e2e import MEMBERS, case_dir, docx_text, drop, start
from test_office_files import FULL, LEDGER, book

from engine import Engine, Processed, Rejected, process_file
from engine.clock import FixedClock
from engine.outcomes import UNVERIFIED, VERIFIED, Submitter
from engine.read.office import PROP_CASE, PROP_PERIOD, PROP_SIGNATURE
from engine.testing import applicant, fill_xlsx, id_number, member_roster, workspace, write_roster
from engine.testing.forms import edit_properties, strip_signature

TODAY = date(2026, 11, 28)


@pytest.fixture
def branched(tmp_path):
    e = Engine.open(workspace(tmp_path / "ws", branch_inboxes=True), clock=FixedClock(TODAY))
    yield e
    e.store.close()


def drop_in(eng, src: Path, branch: str = ""):
    folder = eng.ws.inbox / branch if branch else eng.ws.inbox
    dst = folder / src.name
    shutil.copy2(src, dst)
    return process_file(eng, dst)


def two_branch_start(eng, tmp):
    """Members and applicants of both branches, from the committee's own inbox."""
    members = MEMBERS + [("孙四", "第二党支部", "正式党员"), ("钱五", "第二党支部", "正式党员")]
    assert isinstance(drop_in(eng, member_roster(tmp / "党员名册.xlsx", members)), Processed)
    people = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
              applicant("李四", date(1996, 4, 8), date(2026, 1, 6), branch="第二党支部", seq=12)]
    out = drop_in(eng, write_roster(tmp / "申请人名册.xlsx", people, title="入党申请人名册"))
    assert isinstance(out, Processed), out.receipt


# ---------------------------------------------------------------- 1. branch inboxes
def test_init_makes_a_folder_per_branch_only_when_asked(tmp_path, branched):
    assert sorted(p.name for p in branched.ws.inbox.iterdir() if p.is_dir()) == ["第一党支部", "第三党支部",
                                                                                  "第二党支部"]
    plain = workspace(tmp_path / "plain")
    assert not [p for p in plain.inbox.iterdir() if p.is_dir()] and plain.branch_inboxes == {}
    assert "branch_inboxes = true" in (branched.ws.root / "docflow.toml").read_text(encoding="utf-8")


def test_a_roster_in_a_branch_folder_may_add_only_that_branchs_applicants(branched, tmp_path):
    drop_in(branched, member_roster(tmp_path / "党员名册.xlsx", MEMBERS))
    mine = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)]
    theirs = mine + [applicant("李四", date(1996, 4, 8), date(2026, 1, 6), branch="第二党支部", seq=12)]
    out = drop_in(branched, write_roster(tmp_path / "a" / "申请人名册.xlsx", theirs, title="入党申请人名册"),
                  "第一党支部")
    assert isinstance(out, Rejected) and out.reasons[0].code == "wrong_branch_folder"
    assert "第一党支部" in out.receipt and "李四（属于第二党支部）" in out.receipt
    assert "inbox/第二党支部/" in out.receipt
    assert branched.store.cases() == []                           # nothing of it applied, not even 张三
    out = drop_in(branched, write_roster(tmp_path / "b" / "申请人名册.xlsx", mine, title="入党申请人名册"),
                  "第一党支部")
    assert isinstance(out, Processed), out.receipt
    assert [c.name for c in branched.store.cases()] == ["张三"]


def test_a_member_roster_in_a_branch_folder_may_replace_only_that_branchs(branched, tmp_path):
    both = MEMBERS + [("孙四", "第二党支部", "正式党员")]
    out = drop_in(branched, member_roster(tmp_path / "a" / "党员名册.xlsx", both), "第二党支部")
    assert isinstance(out, Rejected) and "第一党支部的党员名册" in out.receipt
    assert branched.store.members("第一党支部") is None or not branched.store.members("第一党支部")
    out = drop_in(branched, member_roster(tmp_path / "b" / "党员名册.xlsx", both[3:]), "第二党支部")
    assert isinstance(out, Processed) and set(branched.store.members("第二党支部")) == {"孙四"}


def test_a_form_in_a_branch_folder_may_advance_only_that_branchs_case(branched, tmp_path):
    two_branch_start(branched, tmp_path)
    [li] = [c for c in branched.store.cases() if c.name == "李四"]
    src = next(case_dir(branched, li.case_id).glob("02-*.docx"))
    from engine.testing import fill_docx

    filled = fill_docx(src, tmp_path / "talk" / "谈话.docx", {"talk_date": "2026-01-20", "talker": "孙四",
                                                              "talker_post": "支部书记", "summary": "谈入党动机"})
    out = drop_in(branched, filled, "第一党支部")
    assert isinstance(out, Rejected) and out.reasons[0].code == "wrong_branch_folder"
    assert f"李四（{li.case_id}，属于第二党支部）" in out.receipt
    assert [a["kind"] for a in branched.store.audit(li.case_id)] == ["case_created", "step_done"]
    out = drop_in(branched, filled, "第二党支部")                   # its own branch's folder takes it
    assert isinstance(out, Processed), out.receipt


def test_a_ledger_in_a_branch_folder_may_import_only_that_branchs_rows(branched, tmp_path):
    other = FULL[:]
    other[0], other[7] = "赵六", "第二党支部"
    other[4] = id_number(date(1990, 4, 9), 52)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(book(LEDGER, [FULL, other], title="XX学区发展党员工作台账"))
    out = drop_in(branched, path, "第一党支部")
    assert isinstance(out, Rejected) and "赵六（属于第二党支部）" in out.receipt, out.receipt
    assert branched.store.cases() == []
    (tmp_path / "one").mkdir()
    mine = tmp_path / "one" / "台账.xlsx"
    mine.write_bytes(book(LEDGER, [FULL], title="XX学区发展党员工作台账"))
    assert isinstance(drop_in(branched, mine, "第一党支部"), Processed)


def test_the_committees_inbox_and_its_other_folders_may_touch_every_branch(branched, tmp_path):
    two_branch_start(branched, tmp_path)                          # both branches from the root
    assert {c.branch for c in branched.store.cases()} == {"第一党支部", "第二党支部"}
    (branched.ws.inbox / "2026材料").mkdir()
    people = [applicant("王五", date(1997, 5, 9), date(2026, 2, 1), branch="第三党支部", seq=13)]
    out = drop_in(branched, write_roster(tmp_path / "c" / "名册.xlsx", people, title="入党申请人名册"), "2026材料")
    assert isinstance(out, Processed), out.receipt


def test_without_branch_inboxes_a_branch_named_folder_is_just_a_folder(eng, tmp_path):
    (eng.ws.inbox / "第一党支部").mkdir()
    members = MEMBERS + [("孙四", "第二党支部", "正式党员")]
    out = drop_in(eng, member_roster(tmp_path / "党员名册.xlsx", members), "第一党支部")
    assert isinstance(out, Processed), out.receipt


# ---------------------------------------------------------------- 2. the submitter on record
def test_every_event_records_who_handed_the_file_in(branched, tmp_path):
    import pwd

    drop_in(branched, member_roster(tmp_path / "党员名册.xlsx", MEMBERS))
    src = write_roster(tmp_path / "r" / "申请人名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))],
                       title="入党申请人名册")
    wb = openpyxl.load_workbook(src)
    wb.properties.creator, wb.properties.lastModifiedBy = "王老师", "李干事"
    wb.save(src)
    dst = branched.ws.inbox / "第一党支部" / src.name
    shutil.copy2(src, dst)
    if os.geteuid() == 0:                                          # the file handed in by another account
        os.chown(dst, 65534, 65534)
    out = process_file(branched, dst)
    assert isinstance(out, Processed), out.receipt
    owner = pwd.getpwuid(os.stat(branched.ws.processed.rglob(src.name).__next__()).st_uid).pw_name
    [created, applied] = branched.store.audit("2026-0001")
    who = Submitter.from_json(created["submitter"])
    assert who == Submitter.from_json(applied["submitter"])
    assert (who.owner, who.author, who.modified_by, who.folder) == (owner, "王老师", "李干事", "第一党支部")
    assert f"提交人：文件所有者 {owner}；文档作者 王老师；最后修改 李干事；经“第一党支部”文件夹" in out.receipt
    from engine import status

    text = status.report_text(status.report(branched, "2026-0001"))
    assert f"提交人：文件所有者 {owner}；文档作者 王老师" in text
    record = docx_text(case_dir(branched, "2026-0001") / "00-发展党员全程纪实表.docx")
    assert "王老师" in record and "提交人" in record


def test_the_audit_export_lists_every_event_and_every_file_with_its_submitter(eng, tmp_path):
    from engine.report.audit import audit_tables, write_audit

    start(eng, tmp_path)
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    assert isinstance(drop(eng, bad), Rejected)
    events, files = audit_tables(eng)
    assert [r[1] for r in events.rows] == ["2026-0001", "2026-0001"]
    assert events.rows[0][4] == "建立案卷" and events.rows[1][4].startswith("完成：")
    assert events.rows[0][5] == "申请人名册.xlsx" and events.rows[0][7]      # the owner
    assert [(r[1], r[2]) for r in files.rows] == [("党员名册.xlsx", "已处理"), ("申请人名册.xlsx", "已处理"),
                                                  ("坏.xlsx", "退回")]
    assert all(r[5] for r in files.rows)                                    # each with its owner
    one, _ = audit_tables(eng, case_id="2026-0001")
    assert len(one.rows) == 2
    later, later_files = audit_tables(eng, since=date(2099, 1, 1))
    assert later.rows == [] and later_files.rows == []
    path = write_audit(eng, "2026-0001")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["事件", "文件"] and wb["事件"]["B4"].value == "2026-0001"


def test_docflow_audit_command(tmp_path, capsys):
    from engine.cli import main

    ws = workspace(tmp_path / "ws")
    assert main(["audit", "-w", str(ws.root)]) == 0
    assert "outbox/审计记录/" in capsys.readouterr().out
    assert main(["audit", "-w", str(ws.root), "--since", "去年"]) != 0
    assert main(["audit", "-w", str(ws.root), "--case", "2026-0099"]) != 0


# ---------------------------------------------------------------- 3. forms that verify
def _activist_form(eng, tmp):
    start(eng, tmp)
    from e2e import talk

    assert isinstance(talk(eng, tmp, "2026-0001"), Processed)
    src = next(case_dir(eng, "2026-0001").glob("03-*.xlsx"))
    values = {"decision_date": date(2026, 3, 1), "method": "党员推荐", "filing_date": date(2026, 3, 1),
              "contact_1": "刘一", "contact_2": "周三"}
    return fill_xlsx(src, tmp / "filled" / "积极分子.xlsx", values)


def test_an_issued_form_is_signed_and_verifies(eng, tmp_path):
    from engine.read.office import custom_properties
    from engine.read.safety import open_package

    filled = _activist_form(eng, tmp_path)
    props = custom_properties(open_package(filled.read_bytes(), filled.name))
    assert len(props[PROP_SIGNATURE]) == 32
    out = drop(eng, filled)
    assert isinstance(out, Processed), out.receipt
    assert Submitter.from_json(eng.store.audit("2026-0001")[-1]["submitter"]).signature == VERIFIED
    assert "身份未验证" not in out.receipt


@pytest.mark.parametrize("edit", [{PROP_CASE: "2026-0002"}, {PROP_PERIOD: "2"}, {PROP_SIGNATURE: "0" * 32}])
def test_a_form_whose_identity_was_edited_by_hand_is_refused(eng, tmp_path, edit):
    filled = _activist_form(eng, tmp_path)
    start_len = len(eng.store.audit("2026-0001"))
    out = drop(eng, edit_properties(filled, tmp_path / "edited" / filled.name, edit))
    assert isinstance(out, Rejected) and out.reasons[0].code == "signature_invalid"
    assert "身份签名核对不上" in out.receipt and "手工改动" in out.receipt
    assert len(eng.store.audit("2026-0001")) == start_len


def test_a_form_from_another_workspace_is_refused_though_its_case_number_exists_here(eng, tmp_path):
    other = Engine.open(workspace(tmp_path / "other"), clock=FixedClock(TODAY))
    filled = _activist_form(other, tmp_path / "o")
    other.store.close()
    start(eng, tmp_path)                                  # here too a 2026-0001 张三 at the same step
    from e2e import talk

    talk(eng, tmp_path, "2026-0001")
    out = drop(eng, filled)
    assert isinstance(out, Rejected) and out.reasons[0].code == "signature_invalid"


def test_a_form_whose_properties_were_stripped_is_taken_by_its_marks_and_recorded_unverified(eng, tmp_path):
    from engine.read.office import CUSTOM_PART

    filled = _activist_form(eng, tmp_path)
    unsigned = strip_signature(filled, tmp_path / "unsigned" / filled.name)
    import zipfile

    bare = tmp_path / "bare" / filled.name                 # every custom property gone (an office program's save)
    bare.parent.mkdir()
    with zipfile.ZipFile(unsigned) as zin, zipfile.ZipFile(bare, "w") as zout:
        for item in zin.infolist():
            if item.filename != CUSTOM_PART:
                zout.writestr(item, zin.read(item))
    out = drop(eng, bare)
    assert isinstance(out, Processed), out.receipt
    assert "身份未验证" in out.receipt and "已按表内的案卷编号和标题识别" in out.receipt
    last = eng.store.audit("2026-0001")[-1]
    assert Submitter.from_json(last["submitter"]).signature == UNVERIFIED
    from engine import status

    assert "表格身份未验证" in status.report_text(status.report(eng, "2026-0001"))


def test_the_key_is_the_stores_not_the_shares(eng, tmp_path):
    """The key lives in the store (in the state folder), made once; nothing of it is written under the share."""
    key = eng.signer.key
    again = Engine.open(eng.ws, clock=FixedClock(TODAY))
    assert again.signer.key == key and len(key) == 32
    again.store.close()
    shared = [p for p in eng.ws.root.rglob("*") if eng.ws.state not in p.parents and p.is_file()]
    assert not any(key.hex() in p.read_bytes().decode("latin-1") for p in shared)


@pytest.mark.parametrize("poll", [0.0, 0.5])
def test_the_watcher_takes_files_from_the_branch_folders_and_judges_them_by_their_folder(branched, tmp_path, poll):
    import threading
    import time

    from test_watch import run_watcher

    def drop_later():
        time.sleep(0.5)
        for branch, name in (("第一党支部", "刘一"), ("第二党支部", "周三")):     # both of 第一党支部
            src = member_roster(tmp_path / branch / "党员名册.xlsx", [(name, "第一党支部", "正式党员")])
            src.rename(branched.ws.inbox / branch / src.name)

    threading.Thread(target=drop_later).start()
    outcomes, _ = run_watcher(branched, poll, lambda o: len(o) >= 2)
    kinds = {Path(o.file).parent.name: o.kind for o in outcomes}
    assert kinds == {"第一党支部": "processed", "第二党支部": "rejected"}
    assert set(branched.store.members("第一党支部")) == {"刘一"} and not branched.store.members("第二党支部")
