"""The plan's five controls, case by case (issue 15, points 2 and 3): computed from the event log alone, so imported
cases are right too; a case built with each control missing in turn is flagged for that control, and only that."""
from __future__ import annotations

import json
from datetime import date

import openpyxl
from procedure import HAPPY, person, run, until
from test_evaluation import evaluation

from engine.controls import APPLIED, FAILED, IMPORTED, MISSING, NOT_YET, OFF, controls, summary
from engine.pack import load_pack
from engine.workspace import BUNDLED_PACKS

ON = load_pack(BUNDLED_PACKS / "party", {"evaluation": True})
OFF_PACK = load_pack(BUNDLED_PACKS / "party")
WHO = json.dumps({"owner": "wang", "author": "王老师"}, ensure_ascii=False)


def audit_of(events, who=WHO):
    return [{"at": "2026-11-28T09:00:00", "file": f"f{i}.xlsx", "sha256": str(i), "submitter": who}
            for i, _ in enumerate(events)]


def record(pack, subs, who=WHO, of=None, **run_over):
    r = run(of or pack, subs, **run_over)
    return controls(pack, r.events, audit_of(r.events, who))


def happy_with_evaluation(ev=None):
    i = len(until("target"))
    return HAPPY[:i] + [ev or evaluation()] + HAPPY[i:]


def by(lines, control):
    return [line for line in lines if line.control == control]


def test_a_whole_case_with_every_control_applied_has_no_flag():
    lines = record(ON, happy_with_evaluation())
    assert not [line for line in lines if line.flagged], [line for line in lines if line.flagged]
    assert summary(lines) == {"测评制": APPLIED, "预审制": APPLIED, "公示制": APPLIED, "票决制": APPLIED,
                              "责任追究制": APPLIED}
    [ev] = by(lines, "测评制")
    assert "测评结果：通过" in ev.proof and "同意 9" in ev.proof and ev.date
    publicity = by(lines, "公示制")
    assert len(publicity) == 3 and all("个工作日" in p.proof for p in publicity)
    votes = by(lines, "票决制")
    assert len(votes) == 2 and "赞成票" in votes[0].proof and "表决结果：通过" in votes[0].proof
    [pre] = by(lines, "预审制")
    assert "预审结果：同意" in pre.proof
    assert all("文件所有者 wang" in r.proof for r in by(lines, "责任追究制"))


def test_the_evaluation_switched_off_is_flagged_once_the_case_passed_the_decision():
    lines = record(OFF_PACK, HAPPY)
    [ev] = by(lines, "测评制")
    assert ev.status == OFF and ev.flagged and "evaluation" in ev.proof
    assert [line.control for line in lines if line.flagged] == ["测评制"]
    early = record(OFF_PACK, until("target"))                    # not yet at the decision: nothing to flag
    assert by(early, "测评制")[0].status == NOT_YET and not by(early, "测评制")[0].flagged


def test_an_evaluation_missing_where_the_setting_asks_for_it_is_flagged():
    lines = record(ON, HAPPY, of=OFF_PACK)                       # the case went by without one
    [ev] = by(lines, "测评制")
    assert ev.status == MISSING and "确定发展对象并报上级党委备案" in ev.proof


def test_a_publicity_switched_off_is_flagged_for_that_publicity_only():
    no_notice = load_pack(BUNDLED_PACKS / "party", {"publicity_target": False})
    subs = [s for s in HAPPY if s[0] != "publicity_target"]
    lines = record(no_notice, subs)
    flagged = [(line.control, line.status) for line in lines if line.flagged]
    assert flagged == [("测评制", OFF), ("公示制", OFF)]
    assert [p.status for p in by(lines, "公示制")] == [OFF, APPLIED, APPLIED]


def test_a_failed_evaluation_and_a_failed_vote_are_flagged_with_each_occurrence():
    i = len(until("target"))
    subs = HAPPY[:i] + [evaluation(5, 3), evaluation(9)] + HAPPY[i:]
    lines = record(ON, subs)
    assert [(e.item, e.status) for e in by(lines, "测评制")] == [
        ("民主测评（确定发展对象前）（第1次）", FAILED), ("民主测评（确定发展对象前）（第2次）", APPLIED)]
    assert "测评结果：未通过" in by(lines, "测评制")[0].proof
    from procedure import step_values, vote

    j = next(n for n, (f, _) in enumerate(subs) if f == "admission_vote")
    meeting = step_values("admission_vote")["meeting_date"]
    failed = ("admission_vote", vote(meeting, "不通过", yes=7, no=7))
    lines = record(ON, subs[:j] + [failed] + subs[j:])
    votes = by(lines, "票决制")
    assert [v.status for v in votes][:2] == [FAILED, APPLIED] and "（第1次）" in votes[0].item


def test_an_imported_case_says_it_has_no_record_rather_than_pretending():
    row = person(stage="预备党员", apply_date=date(2022, 9, 1), activist_date=date(2023, 3, 1),
                 target_date=date(2024, 3, 1), join_date=date(2024, 9, 1), approval_date=date(2024, 10, 1),
                 prereview_date=date(2024, 8, 1))
    r = run(ON, [("ledger", row)], today=date(2025, 1, 10))
    assert r.case is not None and r.case.state == "probationary", r.verdict
    lines = controls(ON, r.events, audit_of(r.events))
    [ev] = by(lines, "测评制")
    assert ev.status == IMPORTED and ev.proof == "导入，无民主测评记录"
    [pre] = by(lines, "预审制")
    assert pre.status == IMPORTED and pre.proof.startswith("导入（台账只记有日期") and "2024-08-01" in pre.proof
    assert by(lines, "公示制")[0].proof == "导入，无公示记录"
    assert all(r.status == IMPORTED for r in by(lines, "责任追究制"))
    assert summary(lines)["测评制"] == IMPORTED


def test_a_step_without_a_submitter_is_flagged_under_accountability():
    lines = record(ON, until("talk") + [("talk", dict(HAPPY[1][1]))], who="")
    assert {r.status for r in by(lines, "责任追究制")} == {MISSING}
    assert summary(lines)["责任追究制"] == MISSING


def test_status_the_full_record_and_the_workbook_show_the_controls(tmp_path):
    from e2e import case_dir, docx_text, start

    from engine import Engine, status
    from engine.clock import FixedClock
    from engine.report.build import report
    from engine.testing import workspace

    eng = Engine.open(workspace(tmp_path / "ws"), clock=FixedClock(date(2026, 11, 28)))
    try:
        start(eng, tmp_path)
        text = status.report_text(status.report(eng, "2026-0001"))
        assert "五项制度落实情况" in text and "测评制 民主测评：尚未进行" in text
        assert "责任追究制 递交入党申请书：已落实" in text
        record_text = docx_text(case_dir(eng, "2026-0001") / "00-发展党员全程纪实表.docx")
        assert "五项制度落实情况" in record_text and "责任追究制" in record_text and "递交入党申请书" in record_text
        [path] = report(eng, "controls", 2026)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["各案卷", "明细"]
        cases = wb["各案卷"]
        header = [c.value for c in cases[3]]
        assert header[:4] == ["案卷编号", "姓名", "党支部", "当前阶段"] and "测评制" in header
        assert cases.auto_filter.ref and wb["明细"].auto_filter.ref       # filterable by branch and by control
        assert [c.value for c in cases[4]][:3] == ["2026-0001", "张三", "第一党支部"]
        assert report(eng, "controls", 2026, branch="第二党支部")
        assert openpyxl.load_workbook(path).active.max_row >= 4
    finally:
        eng.store.close()
