"""End to end: files dropped into a temporary workspace, the case state and the text of the documents."""
from datetime import date

import openpyxl
import pytest
from e2e import activist, assessment, case_dir, docx_text, drop, start, talk, xlsx_named

from engine.outcomes import Duplicate, Processed, Rejected
from engine.procedure.state import fold
from engine.testing import applicant, fill_docx, id_number, member_roster, workspace, write_roster


def state(eng, case_id="2026-0001"):
    return fold(eng.pack, case_id, eng.store.events(case_id))


def test_steps_one_to_six_end_to_end(eng, tmp_path):
    out = start(eng, tmp_path)
    assert isinstance(out, Processed) and out.cases[0].startswith("2026-0001 张三")
    folder = case_dir(eng, "2026-0001")
    assert folder.parent.name == "第一党支部"
    cover = docx_text(folder / "01-入党申请人基本情况登记表.docx")
    assert "张三" in cover and "2026年1月5日" in cover and "XX学区党委" in cover
    assert id_number(date(1995, 3, 7)) not in cover  # the ID is masked on the cover sheet

    assert isinstance(talk(eng, tmp_path, "2026-0001", summary="谈入党动机 <b>&amp; “引号”"), Processed)
    assert state(eng).facts["talk_date"] == date(2026, 1, 20)
    form = xlsx_named(folder / "03-确定入党积极分子情况表.xlsx")
    assert form["info_name"] == "张三" and form["info_case_id"] == "2026-0001"

    out = activist(eng, tmp_path, "2026-0001")
    assert isinstance(out, Processed), getattr(out, "reasons", None)
    cs = state(eng)
    assert cs.state == "activist" and cs.facts["activist_date"] == date(2026, 3, 1)
    filing = docx_text(folder / "04-关于确定入党积极分子的备案报告.docx")
    assert "张三" in filing and "2026年3月1日" in filing and "刘一" in filing and "周三" in filing
    assert "刘一" in docx_text(folder / "05-培养联系人登记表.docx")
    sheet1 = xlsx_named(folder / "06-入党积极分子考察登记表-第1次.xlsx")
    assert sheet1["period"] == 1 and sheet1["info_due_date"] == "2026年9月1日"

    assert isinstance(assessment(eng, tmp_path, "2026-0001", 1, date(2026, 8, 28)), Processed)
    sheet2 = xlsx_named(folder / "06-入党积极分子考察登记表-第2次.xlsx")
    assert sheet2["period"] == 2 and sheet2["info_due_date"] == "2027年3月1日"
    assert list(state(eng).periods["assessment"]) == [1]


def test_every_event_names_its_file_by_sha256(eng, tmp_path):
    out = start(eng, tmp_path)
    audit = eng.store.audit("2026-0001")
    assert [a["kind"] for a in audit] == ["case_created", "step_done"]
    assert {a["sha256"] for a in audit} == {out.sha256} and audit[0]["file"] == "申请人名册.xlsx"


def test_bad_roster_rows_are_listed_and_good_rows_taken(eng, tmp_path):
    people = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
              applicant("少年", date(2010, 3, 7), date(2026, 1, 5), seq=12),
              applicant("错号", date(1990, 3, 7), date(2026, 1, 5), seq=13, 公民身份号码="110101199003071230")]
    out = start(eng, tmp_path, people)
    assert isinstance(out, Processed) and len(out.cases) == 1
    assert {f.code for f in out.row_problems} == {"under_age", "id_number_invalid"}
    # a title row stands above the header: the people are on rows 3..5
    assert "第4行" in out.receipt and "第5行" in out.receipt and "未满 18 周岁" in out.receipt
    processed = next(eng.ws.processed.rglob("申请人名册.xlsx.回执.txt")).read_text(encoding="utf-8-sig")
    assert "第5行" in processed
    marked = eng.ws.rejected / "申请人名册.已标注问题.xlsx"  # where staff look for things to fix
    ws = openpyxl.load_workbook(marked).active
    assert ws["E5"].comment is not None and "校验位" in ws["E5"].comment.text


def test_corrected_roster_adds_only_the_missing_people(eng, tmp_path):
    bad = applicant("错号", date(1990, 3, 7), date(2026, 1, 5), seq=13, 公民身份号码="110101199003071230")
    good = applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)
    start(eng, tmp_path, [good, bad])
    fixed = applicant("错号", date(1990, 3, 7), date(2026, 1, 5), seq=13)
    out = drop(eng, write_roster(tmp_path / "改正后名册.xlsx", [good, fixed]))
    assert isinstance(out, Processed) and len(out.cases) == 1 and "错号" in out.cases[0]
    assert "已于此前登记" in out.receipt
    assert len(eng.store.cases()) == 2


def test_same_person_twice_in_one_roster(eng, tmp_path):
    p = applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)
    out = start(eng, tmp_path, [p, dict(p)])
    assert len(out.cases) == 1 and out.row_problems[0].code == "duplicate_row"


def test_duplicate_file_is_kept_reported_and_not_applied(eng, tmp_path):
    start(eng, tmp_path)
    before = len(eng.store.events("2026-0001"))
    out = drop(eng, tmp_path / "申请人名册.xlsx", "又放了一次.xlsx")
    assert isinstance(out, Duplicate)
    assert len(eng.store.events("2026-0001")) == before
    kept = list(eng.ws.processed.rglob("又放了一次.xlsx"))
    assert kept and (kept[0].with_name("又放了一次.xlsx.回执.txt")).read_text(encoding="utf-8-sig").count("重复")


def test_form_for_a_case_at_another_step_is_rejected_with_a_receipt(eng, tmp_path):
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    activist(eng, tmp_path, "2026-0001")
    src = case_dir(eng, "2026-0001") / "03-确定入党积极分子情况表.xlsx"
    # the same form again, other content: a correction is allowed; a talk form after activist also is
    out = assessment(eng, tmp_path, "2026-0001", 1, date(2026, 8, 1))
    assert isinstance(out, Processed)
    out = drop(eng, src, "旧表.xlsx")  # the empty activist form: required fields missing
    assert isinstance(out, Rejected) and {r.code for r in out.reasons} == {"missing_required"}
    receipt = (eng.ws.rejected / "旧表.xlsx.退回说明.txt").read_text(encoding="utf-8-sig")
    assert "党支部研究确定日期" in receipt and "必填项未填写" in receipt and "单元格" in receipt


def test_wrong_value_gets_cell_and_fix_and_a_marked_copy(eng, tmp_path):
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    out = activist(eng, tmp_path, "2026-0001", method="领导指定")
    assert isinstance(out, Rejected)
    [r] = out.reasons
    assert r.label == "推荐方式" and "党员推荐、群团推优" in r.message and "单元格" in r.place
    marked = eng.ws.rejected / "积极分子-2026-0001.已标注问题.xlsx"
    sheet, coord = r.ref.split("!")
    assert "党员推荐" in openpyxl.load_workbook(marked)[sheet][coord].comment.text


def test_contact_who_is_probationary_is_refused(eng, tmp_path):
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    out = activist(eng, tmp_path, "2026-0001", c2="陈二")
    assert isinstance(out, Rejected) and out.reasons[0].code == "not_full_member"
    assert state(eng).state == "applicant"


def test_late_talk_is_processed_with_a_warning(eng, tmp_path):
    start(eng, tmp_path)
    out = talk(eng, tmp_path, "2026-0001", talk_date="2026年2月6日")
    assert isinstance(out, Processed) and out.warnings[0].severity == "warn"
    assert "一个月内" in out.receipt


def test_a_form_from_another_workspace_is_rejected(eng, tmp_path):
    """Its signature was made with the other workspace's key; and with the signature gone (an office program
    dropped it), the case number it names is not on file here."""
    from engine import Engine
    from engine.clock import FixedClock
    from engine.testing.forms import strip_signature

    start(eng, tmp_path)
    src = case_dir(eng, "2026-0001") / "02-入党申请人谈话记录.docx"
    other = Engine.open(workspace(tmp_path / "other"), clock=FixedClock(date(2026, 11, 28)))
    out = drop(other, src)
    assert isinstance(out, Rejected) and out.reasons[0].code == "signature_invalid"
    assert "不是本工作区签发的" in out.receipt
    out = drop(other, strip_signature(src, tmp_path / "unsigned" / src.name))
    assert isinstance(out, Rejected) and out.reasons[0].code == "unknown_case"


def test_originals_are_moved_unchanged(eng, tmp_path):
    src = write_roster(tmp_path / "r.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    data = src.read_bytes()
    drop(eng, src)
    [kept] = list(eng.ws.processed.rglob("r.xlsx"))
    assert kept.read_bytes() == data
    assert not any(eng.ws.inbox.iterdir()) and not any(eng.ws.work.iterdir())


def test_staff_data_never_makes_unsafe_paths(any_branch, tmp_path):
    eng = any_branch
    drop(eng, write_roster(tmp_path / "r.xlsx", [
        applicant("../../CON", date(1995, 3, 7), date(2026, 1, 5), seq=11, 所在党支部="第一/党:支部*")]))
    paths = [p for p in eng.ws.outbox.rglob("*")]
    assert paths and all(p.resolve().is_relative_to(eng.ws.outbox.resolve()) for p in paths)
    for p in paths:
        for part in p.relative_to(eng.ws.outbox).parts:
            assert not set(part) & set('<>:"/\\|?*') and len(part) <= 60


def test_roster_without_any_new_person_is_processed_not_rejected(eng, tmp_path):
    start(eng, tmp_path)
    people = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)]
    out = drop(eng, write_roster(tmp_path / "again.xlsx", people, title="再来一次"))
    assert isinstance(out, Processed) and out.cases == () and "跳过" in out.receipt


def test_public_notices_never_show_the_id_number_phone_or_findings(eng, tmp_path):
    from engine.output.documents import render_document
    from engine.pack.sample import sample_case

    cs = sample_case(eng.pack)
    cs.facts.update(id_number=id_number(date(1995, 3, 7)), phone="13912345678", name="张三")
    cs.steps["review"]["methods"] = "函调发现的具体情况"
    eng.store.new_case(2026, "k", "张三", "第一党支部", eng.pack.version, "t")
    for doc_id in ("notice_target", "notice_admission", "notice_conversion"):
        text = docx_text(render_document(eng, cs, doc_id, None))
        assert "张三" in text and eng.ws.config.organisation.feedback in text
        for secret in (cs.facts["id_number"], cs.facts["id_number"][-6:], "13912345678", "函调发现", "合格"):
            assert secret not in text, (doc_id, secret)


def test_documents_that_carry_an_id_number_mask_it(eng):
    from engine.output.documents import render_document
    from engine.pack.sample import sample_case

    cs = sample_case(eng.pack)
    cs.facts["id_number"] = id_number(date(1995, 3, 7))
    eng.store.new_case(2026, "k", "示例", "第一党支部", eng.pack.version, "t")
    carrying = []
    for doc_id, doc in eng.pack.documents.items():
        if doc.template.endswith(".docx"):
            text = docx_text(render_document(eng, cs, doc_id, 1 if doc.period else None))
            if doc.full_id:  # the pack names the documents that must carry it
                carrying.append(doc_id)
                assert cs.facts["id_number"] in text, doc_id
            else:
                assert cs.facts["id_number"] not in text, doc_id
    # spec §4: masked on every document the engine renders (in full only on the 志愿书 and the archive copy, which
    # staff fill by hand); a pack that lists one is tested in test_privacy
    assert carrying == []


def test_a_form_with_four_independent_mistakes_gets_all_four_in_one_receipt(eng, tmp_path):
    # a bad date, an empty required field, a contact who is only a probationary member, a decision
    # dated before the application: one round, one receipt with all four (it took three rounds before)
    start(eng, tmp_path)
    talk(eng, tmp_path, "2026-0001")
    out = activist(eng, tmp_path, "2026-0001", decided=date(2026, 1, 2), c2="陈二",
                   filing_date="2026-13-01", method=None)
    assert isinstance(out, Rejected)
    found = {(f.code, f.field) for f in out.reasons}
    assert found == {("invalid_value", "filing_date"), ("missing_required", "method"),
                     ("not_full_member", "contact_2"), ("interval_too_short", "decision_date")}, out.receipt
    for text in ("报上级党委备案日期", "推荐方式", "陈二", "申请入党日期"):
        assert text in out.receipt


def test_a_roster_row_with_several_mistakes_has_them_all_listed(eng, tmp_path):
    row = applicant("少年", date(2010, 3, 7), date(2026, 1, 5), seq=12, 性别="男生", 民族=None,
                    公民身份号码=id_number(date(2010, 3, 7), 12)[:17] + "0")
    out = start(eng, tmp_path, [row])
    assert isinstance(out, Rejected)  # its only row refused
    codes = {(f.code, f.field) for f in out.reasons}
    assert {("invalid_value", "gender"), ("missing_required", "ethnicity"), ("id_number_invalid", "id_number"),
            ("under_age", "apply_date")} <= codes, [f.message for f in out.reasons]
    assert all(f.place.startswith("第3行") for f in out.reasons)


ARCHIVE_ROWS = [  # each entry of the dossier and the date of the thing it is, on the happy path
    ("入党申请书", "2024年1月5日"), ("入党申请人谈话记录", "2024年1月20日"),
    ("确定入党积极分子的备案报告及培养联系人登记表", "2024年3月1日"),
    ("入党积极分子培养教育考察材料（考察登记表）", "2024年8月30日至2025年2月28日"),
    ("确定发展对象的备案报告", "2025年3月3日"), ("政治审查材料", "2025年3月20日"),
    ("支部委员会审查和上级党委预审材料", "2025年4月8日"), ("入党志愿书", "2025年4月10日"),
    ("支部大会讨论接收预备党员的会议记录和决议", "2025年4月25日"), ("上级党委审批接收预备党员的批复", "2025年6月20日"),
    ("入党宣誓记录", "2025年7月1日"), ("预备党员考察材料（考察登记表）", "2025年10月20日至2026年4月20日"),
    ("转正申请书", "2026年3月25日"), ("支部大会讨论转正的会议记录和决议", "2026年4月27日"),
    ("上级党委审批转正的批复", "2026年5月20日"),
]


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory):
    """The archive index of a case driven through all 25 steps (the happy path), as rendered."""
    from docx import Document
    from procedure import HAPPY, run

    from engine import Engine
    from engine.clock import FixedClock
    from engine.output.documents import render_document

    ws = workspace(tmp_path_factory.mktemp("archive") / "ws")
    eng = Engine.open(ws, clock=FixedClock(date(2026, 11, 28)))
    r = run(eng.pack, HAPPY)
    eng.store.new_case(2024, "k", "张三", "第一党支部", eng.pack.version, "t")
    r.case.case_id = "2024-0001"
    doc = Document(render_document(eng, r.case, "archive_index", None))
    eng.store.close()
    rows = {row.cells[1].text.rstrip("★"): row.cells[2].text for row in doc.tables[1].rows[1:]}
    return rows, "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.parametrize("title, when", ARCHIVE_ROWS, ids=[t for t, _ in ARCHIVE_ROWS])
def test_each_archive_row_is_dated_by_the_thing_it_lists(archive_index, title, when):
    rows, _ = archive_index
    assert rows[title] == when


def test_the_archive_index_lists_every_entry_and_is_signed_on_the_archive_date(archive_index, pack):
    rows, text = archive_index
    assert list(rows) == [item.title for item in pack.archive] == [t for t, _ in ARCHIVE_ROWS]
    assert text.rstrip().endswith("2026年5月25日")   # 归档日期, not the day it was rendered


# ---------------------------------------------------------------- the committee's branches (docflow.toml)
def test_a_roster_naming_a_branch_that_is_not_configured_is_refused_with_the_list(eng, tmp_path):
    people = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
              applicant("李四", date(1996, 4, 8), date(2026, 1, 6), seq=12, 所在党支部="第一支部")]
    out = start(eng, tmp_path, people)
    assert isinstance(out, Processed) and len(out.cases) == 1 and "张三" in out.cases[0]
    [f] = out.row_problems
    assert f.code == "branch_unknown" and f.place.startswith("第4行") and "“第一支部”不是本党委的党支部" in f.message
    assert "是否指“第一党支部”" in f.message and "第一党支部、第二党支部、第三党支部" in f.fix
    assert sorted(p.name for p in eng.ws.outbox.iterdir() if p.is_dir()) == ["第一党支部"]   # none for the misspelt one
    members = drop(eng, member_roster(tmp_path / "党员.xlsx", [("王五", "第四党支部", "正式党员")]))
    assert isinstance(members, Rejected) and members.codes == ("branch_unknown",)
    assert eng.store.members("第四党支部") is None


def test_with_the_setting_a_new_branch_is_taken_with_a_warning(any_branch, tmp_path):
    out = start(any_branch, tmp_path, [applicant("李四", date(1996, 4, 8), date(2026, 1, 6), seq=12,
                                                 所在党支部="第四党支部")])
    assert isinstance(out, Processed) and len(out.cases) == 1
    assert [w.code for w in out.warnings] == ["branch_new"] and "新的党支部“第四党支部”" in out.receipt
    again = drop(any_branch, write_roster(tmp_path / "又一份.xlsx", [
        applicant("赵六", date(1996, 5, 8), date(2026, 2, 6), seq=13, 所在党支部="第四党支部")]))
    assert again.warnings == ()   # known from now on


def test_a_workspace_without_a_branch_list_takes_every_branch_and_points_out_new_ones(tmp_path):
    from engine import Engine, init_workspace
    from engine.clock import FixedClock

    eng = Engine.open(init_workspace(tmp_path / "ws"), clock=FixedClock(date(2026, 11, 28)))
    try:
        out = drop(eng, write_roster(tmp_path / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))]))
        assert isinstance(out, Processed) and [w.code for w in out.warnings] == ["branch_new"]
        assert "尚未列出本党委的党支部" in out.warnings[0].message
    finally:
        eng.store.close()


# ---------------------------------------------------------------- what staff find in 退回/
def test_a_word_form_refusal_names_the_column_not_an_internal_mark(eng, tmp_path):
    start(eng, tmp_path)
    out = talk(eng, tmp_path, "2026-0001", talk_date="2026-02-31")
    assert isinstance(out, Rejected) and "位置：Word 表格“谈话日期”一栏" in out.receipt
    assert "书签" not in out.receipt and "talk_date" not in out.receipt


def test_the_note_beside_a_partly_taken_roster_says_which_rows_were_not_taken(eng, tmp_path):
    bad = applicant("错号", date(1990, 3, 7), date(2026, 1, 5), seq=13, 公民身份号码="110101199003071230")
    start(eng, tmp_path, [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11), bad])
    note = (eng.ws.rejected / "申请人名册.已标注问题.说明.txt").read_text(encoding="utf-8-sig")
    assert "结果：部分行未导入" in note and "第4行" in note and "结果：已处理" not in note


def test_refused_again_and_then_taken_the_earlier_refusals_move_out_of_the_way(eng, tmp_path):
    start(eng, tmp_path, [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
                          applicant("李四", date(1996, 3, 7), date(2026, 1, 6), seq=12)])
    src = next(case_dir(eng, "2026-0001").glob("02-*.docx"))
    for wrong in ("2026-02-31", "2026-13-01"):        # the same form refused twice, under the same name
        assert isinstance(drop(eng, fill_docx(src, tmp_path / wrong / "谈话记录.docx", {
            "talk_date": wrong, "talker": "刘一", "talker_post": "书记", "summary": "谈话"})), Rejected)
    other = next(case_dir(eng, "2026-0002").glob("02-*.docx"))   # another person's form of the same name
    assert isinstance(drop(eng, fill_docx(other, tmp_path / "o" / "谈话记录.docx", {
        "talk_date": "2026-02-30", "talker": "刘一", "talker_post": "书记", "summary": "谈话"})), Rejected)
    names = sorted(p.name for p in eng.ws.rejected.iterdir() if p.is_file())
    assert names == ["谈话记录 (2).docx", "谈话记录 (2).docx.退回说明.txt",
                     "谈话记录.docx", "谈话记录.docx.退回说明.txt"]
    old = eng.ws.rejected / "旧的退回"
    assert sorted(p.name for p in old.iterdir()) == ["谈话记录.docx", "谈话记录.docx.退回说明.txt"]   # nothing deleted
    assert "2026-02-31" in (old / "谈话记录.docx.退回说明.txt").read_text(encoding="utf-8-sig")
    assert isinstance(drop(eng, fill_docx(src, tmp_path / "ok" / "谈话记录.docx", {
        "talk_date": "2026-01-20", "talker": "刘一", "talker_post": "书记", "summary": "谈话"})), Processed)
    left = [p for p in eng.ws.rejected.iterdir() if p.is_file()]
    assert len(left) == 2 and all("2026-02-30" in p.read_text("utf-8-sig") for p in left if p.suffix == ".txt")
    assert len([p for p in old.iterdir() if p.suffix == ".docx"]) == 2    # both refusals of the first form kept


@pytest.mark.parametrize("full, body", [(7, "第一党支部委员会在党员推荐"),
                                        (6, "第一党支部党员大会（本支部正式党员不足7人，不设支部委员会，"
                                            "由支部党员大会研究决定）在党员推荐")])
def test_a_branch_with_fewer_than_seven_full_members_decides_in_its_general_meeting(eng, tmp_path, full, body):
    names = ["刘一", "周三"] + [f"党员{i}" for i in range(full - 2)]
    drop(eng, member_roster(tmp_path / "党员名册.xlsx", [(n, "第一党支部", "正式党员") for n in names]))
    drop(eng, write_roster(tmp_path / "名册.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11)]))
    talk(eng, tmp_path, "2026-0001")
    assert xlsx_named(case_dir(eng, "2026-0001") / "03-确定入党积极分子情况表.xlsx")["info_committee"] == \
        ("支部委员会" if full >= 7 else "支部党员大会")
    assert isinstance(activist(eng, tmp_path, "2026-0001"), Processed)
    filing = docx_text(case_dir(eng, "2026-0001") / "04-关于确定入党积极分子的备案报告.docx")
    assert body in filing
    assert state(eng).facts["branch_full_members"] == full


def test_the_activist_form_starts_with_what_the_roster_said_of_league_membership(eng, tmp_path):
    start(eng, tmp_path, [applicant("张三", date(2001, 3, 7), date(2026, 1, 5), seq=11, 政治面貌="共青团员")])
    assert state(eng).facts["league_member"] == "是"   # 政治面貌 = 共青团员
    talk(eng, tmp_path, "2026-0001")
    form = xlsx_named(case_dir(eng, "2026-0001") / "03-确定入党积极分子情况表.xlsx")
    assert form["league_member"] == "是"
    out = activist(eng, tmp_path, "2026-0001", league_member="是")   # 24 years old, 党员推荐
    assert isinstance(out, Processed) and [w.code for w in out.warnings] == ["league_recommendation"]
