"""The case views (a projection of the events, written with them), the ledger (台账) and the due list (待办事项)
made from them after every change, `docflow due`, `docflow rebuild`."""
from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest

from engine import Engine
from engine.cli import main
from engine.clock import FixedClock
from engine.output.ledger import DUE_LIST, ledger_name
from engine.procedure.state import fold
from engine.procedure.view import case_view
from engine.road import process_inbox
from engine.testing import applicant, load_walkthrough, walk, walkthrough_workspace, write_roster
from engine.views import ensure, fingerprint, rebuild

TODAY = date(2026, 11, 28)


@pytest.fixture
def eng(tmp_path):
    wt = load_walkthrough("party")
    e = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(TODAY))
    yield e
    e.store.close()


def _roster(eng, people, name="名册.xlsx", **over):
    rows = [applicant(n, date(1995, 1, 1 + i), applied, seq=100 + i, **over) for i, (n, applied) in enumerate(people)]
    write_roster(eng.ws.inbox / name, rows)
    return process_inbox(eng)


def _sheet(path, name=None):
    wb = openpyxl.load_workbook(path)
    ws = wb[name] if name else wb.worksheets[0]
    head = [c.value for c in ws[2]]
    rows = [dict(zip(head, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=3)]
    return wb, ws, rows


def test_each_case_view_equals_a_fresh_fold_of_its_events(eng, tmp_path):
    walk(eng, load_walkthrough("party"), tmp_path / "src", upto=12)
    _roster(eng, [("李四", date(2026, 10, 1)), ("王五", date(2026, 11, 20))])
    views = eng.store.views()
    assert len(views) == len(eng.store.cases()) == 3
    for v in views:
        events = eng.store.events(v.case_id)
        cs = fold(eng.pack, v.case_id, events)
        assert v.events == len(events) and v.state == cs.state
        assert v.summary == json.loads(json.dumps(case_view(eng.pack, cs)))
        assert v.made_with == fingerprint(eng)
    before = (views, eng.store.ledger_rows(), eng.store.view_texts(), eng.store.due_rows(), eng.store.records())
    assert rebuild(eng) == 3
    assert (eng.store.views(), eng.store.ledger_rows(), eng.store.view_texts(), eng.store.due_rows(),
            eng.store.records()) == before


@pytest.mark.parametrize("today", [date(2023, 12, 15), TODAY])
def test_the_listing_of_every_case_says_what_status_of_each_case_says(eng, tmp_path, today):
    """``docflow status`` (every case, from the views' kept lines) and ``status CASE`` (a fresh fold) agree on
    each case, including what is due and whether it is overdue or may be taken already, whatever the day."""
    from engine.status import listing, report, report_text

    walk(eng, load_walkthrough("party"), tmp_path / "src", upto=9)
    _roster(eng, [("李四", date(2023, 12, 1)), ("王五", date(2026, 11, 20))])
    eng.clock = FixedClock(today)
    one = [report_text(report(eng, c.case_id)).split("\n    [")[0] for c in eng.store.cases()]
    assert listing(eng) == "\n".join(one)
    assert ("已逾期" in listing(eng)) is (today == TODAY)


@pytest.mark.parametrize("upto", [3, 12, None])
def test_the_reports_record_in_a_view_gives_back_the_person_a_fold_gives(eng, tmp_path, upto):
    """What the reports read of a case (its view's record) is what folding its events makes of it."""
    from engine.report import people

    walk(eng, load_walkthrough("party"), tmp_path / "src", upto=upto)
    _roster(eng, [("李四", date(2026, 10, 1))])
    records = eng.store.records()
    assert len(records) == 2 and all(r.record for r in records)
    for rec in records:
        fresh = people.person_of(eng.pack, eng.store.case(rec.case_id), eng.store.events(rec.case_id))
        assert people.load(rec) == fresh
    assert [r.case_id for r in eng.store.records("第一党支部")] == [r.case_id for r in records
                                                                   if r.branch == "第一党支部"]


def test_views_are_made_for_a_database_without_them_and_after_a_settings_change(eng):
    _roster(eng, [("李四", date(2026, 10, 1))])
    (case_id,) = [c.case_id for c in eng.store.cases()]
    eng.store.db.execute("DELETE FROM views")                    # a database from before views existed
    assert ensure(eng) is True and eng.store.view(case_id) is not None
    assert ensure(eng) is False                                   # current: nothing to do
    changed = eng.pack.model_copy(update={"settings": {**eng.pack.settings, "talk_deadline_months": 2}})
    other = Engine(eng.ws, changed, eng.store, eng.clock)
    assert fingerprint(other) != fingerprint(eng) and ensure(other) is True


def test_the_ledger_has_a_row_per_case_with_dates_masked_ids_and_the_next_step(eng):
    _roster(eng, [("李四", date(2026, 10, 1)), ("王五", date(2026, 11, 20))], **{"职务/岗位": "@教研组长"})
    path = eng.ws.outbox / ledger_name(eng.pack)
    assert path.name == "发展党员工作台账.xlsx"
    wb, ws, rows = _sheet(path)
    assert wb.sheetnames == ["全部", "第一党支部"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref and ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    li = next(r for r in rows if r["姓名"] == "李四")
    assert li["案卷编号"].startswith("2026-") and li["所在党支部"] == "第一党支部"
    assert li["申请入党日期"] == datetime(2026, 10, 1) and ws.cell(3, 11).number_format == "yyyy-mm-dd"
    assert "*" in li["公民身份号码"] and li["公民身份号码"][:4] == "1101"
    assert li["当前阶段"] == "入党申请人" and li["下一步"] == "党组织派人谈话"
    assert li["应完成日期"] == datetime(2026, 11, 1) and li["依据"] == "自申请入党日期起1个月内"
    assert li["工作单位及职务"] == "XX学区中心小学、@教研组长"      # staff text stays text
    assert ws.cell(3, 10).data_type == "s"
    assert ws.conditional_formatting                              # overdue rows red against TODAY()


def test_the_due_list_marks_overdue_red_and_soon_amber(eng):
    _roster(eng, [("李四", date(2026, 10, 1)), ("王五", date(2026, 11, 20)), ("赵六", date(2026, 6, 1))])
    _, ws, rows = _sheet(eng.ws.outbox / DUE_LIST)
    by_name = {r["姓名"]: r for r in rows}
    assert by_name["李四"]["状态"] == "已逾期27天" and by_name["赵六"]["状态"].startswith("已逾期")
    assert by_name["王五"]["状态"] == "22天后到期"                # 2026-12-20, within 30 days
    fills = {ws.cell(i + 3, 2).value: ws.cell(i + 3, 2).fill.fgColor.rgb for i in range(len(rows))}
    assert fills["李四"] == "FFFFC7CE" and fills["王五"] == "FFFFEB9C"
    assert [r["姓名"] for r in rows] == ["赵六", "李四", "王五"]   # soonest first


@pytest.mark.parametrize(("applied", "listed", "overdue"), [
    (date(2026, 10, 28), True, False),    # due 11-28 = today: due, not overdue
    (date(2026, 10, 27), True, True),     # due 11-27: overdue
    (date(2026, 11, 28), True, False),    # due 12-28: the 30th day of the window
])
def test_due_within_the_window_both_sides(eng, applied, listed, overdue):
    _roster(eng, [("李四", applied)])
    from engine.output.ledger import due_items

    items = due_items(eng.store.due_rows(), TODAY, 30)
    assert bool(items) is listed
    if items:
        assert items[0].overdue is overdue


def test_an_item_just_outside_the_window_is_not_listed(eng):
    from engine.output.ledger import due_items

    _roster(eng, [("李四", date(2026, 11, 28))])                  # talk due 2026-12-28
    assert due_items(eng.store.due_rows(), TODAY, 29) == []
    assert len(due_items(eng.store.due_rows(), TODAY, 30)) == 1


def test_a_ledger_open_in_excel_is_written_beside_and_the_receipt_says_so(eng):
    from engine.road import process_file

    _roster(eng, [("李四", date(2026, 10, 1))])
    lock = eng.ws.outbox / f"~${ledger_name(eng.pack)}"
    lock.write_bytes(b"owner")                                     # Excel's owner file beside an open workbook
    rows = [applicant("王五", date(1995, 3, 3), date(2026, 11, 1), seq=301)]
    out = process_file(eng, write_roster(eng.ws.inbox / "二.xlsx", rows))
    assert "正被打开" in out.receipt
    dated = [p.name for p in eng.ws.outbox.glob("发展党员工作台账（*）.xlsx")]
    assert len(dated) == 1
    _, _, rows_beside = _sheet(eng.ws.outbox / dated[0])
    assert {r["姓名"] for r in rows_beside} == {"李四", "王五"}
    lock.unlink()                                                  # closed: the next change writes it again
    process_file(eng, write_roster(eng.ws.inbox / "三.xlsx", [applicant("赵六", date(1995, 4, 4),
                                                                        date(2026, 11, 2), seq=302)]))
    _, _, rows = _sheet(eng.ws.outbox / ledger_name(eng.pack))
    assert {r["姓名"] for r in rows} == {"李四", "王五", "赵六"}
    assert not list(eng.ws.outbox.glob("发展党员工作台账（*）.xlsx"))


def test_docflow_due_and_rebuild_from_the_command_line(eng, capsys):
    _roster(eng, [("李四", date(2026, 10, 1)), ("王五", date(2026, 11, 20))])
    root = str(eng.ws.root)
    eng.store.close()
    capsys.readouterr()
    assert main(["due", "-w", root, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [i["name"] for i in out["items"]] == ["李四", "王五"]
    assert main(["due", "-w", root, "--within", "1"]) == 0
    text = capsys.readouterr().out
    assert "李四" in text and "王五" not in text and "已逾期" in text
    assert main(["rebuild", "-w", root]) == 0
    assert "重建 2 份案卷" in capsys.readouterr().out
    assert main(["status", "-w", root, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert all("due_items" in c for c in status["cases"])


def test_the_ledger_bytes_are_the_same_for_the_same_store(eng):
    _roster(eng, [("李四", date(2026, 10, 1))])
    from engine.output.ledger import ledger_bytes

    one = ledger_bytes(eng.pack, eng.store.ledger_rows())
    assert one == ledger_bytes(eng.pack, eng.store.ledger_rows())
    assert openpyxl.load_workbook(io.BytesIO(one)).sheetnames == ["全部", "第一党支部"]


@pytest.mark.parametrize(("upto", "expected"), [
    (4, []),                                               # no development-target decision yet
    (5, ["发展对象公示期满"]),                                 # decided: the notice's earliest end is watched
    (6, []),                                               # the notice's form is in
    (7, []),                                               # sponsors: no review yet
    (8, ["政治审查结论有效期届满"]),                           # review on file: its validity is watched
    (10, ["政治审查结论有效期届满", "接收预备党员公示期满"]),     # pre-reviewed: the admission notice
    (11, ["政治审查结论有效期届满"]),
    (12, ["接收预备党员：上级党委审批的最长期限"]),              # the meeting took it: now the 6-month approval
    (14, []),                                              # approved
    (15, ["预备期将满"]),                                    # oath: the end of probation is watched
    (18, ["转正公示期满"]),                                   # the conversion application is in
    (19, []),
    (20, ["预备党员转正：上级党委审批的最长期限"]),
    (21, []),
])
def test_reminders_are_listed_after_their_steps_and_until_the_step_that_ends_them(tmp_path, upto, expected):
    wt = load_walkthrough("party")
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    try:
        case_id = walk(eng, wt, tmp_path / "src", upto=upto)
        due = eng.store.view(case_id).summary["due"]
        shown = [d for d in due if d["step"].startswith("reminder")]
        assert [next(e for e in expected if d["label"].startswith(e)) for d in shown] == expected
        cs = fold(eng.pack, case_id, eng.store.events(case_id))
        if upto == 5:           # decided on Saturday 2025-03-01: 5 working days counted from it, inclusive
            assert (shown[0]["date"], shown[0]["earliest"]) == ("2025-03-07", True)
            assert shown[0]["rule"] == "自确定为发展对象日期起满5个工作日（含当日）"
        if upto in (8, 11):
            review = cs.facts["review_date"]
            assert shown[0]["date"] == review.replace(year=review.year + 1).isoformat()   # 12 months (a setting)
            assert shown[0]["rule"] == "自政治审查日期起12个月内"
    finally:
        eng.store.close()


def test_a_public_notice_switched_off_has_no_reminder_and_the_pack_still_loads(tmp_path):
    from engine.pack.load import load_pack

    on = load_pack(load_walkthrough("party").pack_dir, {})
    off = load_pack(load_walkthrough("party").pack_dir, {"publicity_target": False})
    assert {r.until for r in on.reminders} - {r.until for r in off.reminders} == {"publicity_target"}
    assert "publicity_admission" in {r.until for r in off.reminders}


@pytest.mark.parametrize(("start", "length", "end"), [
    (date(2025, 3, 1), "5 working_day", date(2025, 3, 7)),     # a Saturday: the next five working days
    (date(2025, 3, 3), "5 working_day", date(2025, 3, 7)),     # a Monday counts itself
    (date(2025, 9, 29), "5 working_day", date(2025, 10, 11)),  # across National Day: 10-11 (Sat.) is worked
    (date(2025, 3, 3), "5 day", date(2025, 3, 7)),
    (date(2025, 3, 3), "1 day", date(2025, 3, 3)),
])
def test_a_public_notice_ends_on_the_last_day_of_its_length_counted_inclusive(start, length, end):
    from engine.procedure.dates import Duration
    from engine.procedure.view import _span_end

    assert _span_end(start, Duration.parse(length)) == end


def test_docflow_due_sums_up_beyond_its_limit_and_lists_all_with_all(eng, capsys, monkeypatch):
    import engine.cli as cli

    _roster(eng, [("李四", date(2026, 10, 1)), ("王五", date(2026, 11, 20)), ("赵六", date(2026, 9, 1))])
    root = str(eng.ws.root)
    eng.store.close()
    monkeypatch.setattr(cli, "DUE_PRINT_LIMIT", 2)
    capsys.readouterr()
    assert main(["due", "-w", root]) == 0
    text = capsys.readouterr().out
    assert "赵六" in text and "李四" in text and "王五（" not in text                  # the soonest two
    assert "另有 1 项未列出" in text and "第一党支部 已逾期 2 项、30 天内到期 1 项" in text
    assert main(["due", "-w", root, "--all"]) == 0
    text = capsys.readouterr().out
    assert "王五（" in text and "未列出" not in text and "共 3 项" in text
    assert main(["due", "-w", root]) == 0 and "共 3 项" in capsys.readouterr().out
    _, _, rows = _sheet(eng.ws.outbox / DUE_LIST)
    assert len(rows) == 3                                                              # the workbook: all


def test_the_due_list_made_from_kept_cells_is_the_one_made_from_scratch(eng, tmp_path):
    """The cells a view keeps for the due list give the same workbook as cells made when the list is written."""
    from engine.output.ledger import due_bytes, due_items

    walk(eng, load_walkthrough("party"), tmp_path / "src", upto=9)
    _roster(eng, [("李四", date(2026, 10, 1)), ("王&五", date(2026, 11, 20))])
    items = due_items(eng.store.due_rows(), TODAY, 400)
    assert items and all(i.due.cells for i in items)
    bare = [i._replace(due=i.due._replace(cells=b"")) for i in items]
    assert due_bytes(eng.pack, items, TODAY, 400) == due_bytes(eng.pack, bare, TODAY, 400)
