"""``docflow purge --withdrawn-before DATE`` (issue 14, point 4): the personal data of applicants who withdrew or were
ended, after the retention period, removed from the store and docflow's documents; the reports' totals unchanged."""
from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date

import pytest
from e2e import MEMBERS, case_dir, drop, talk

from engine import Engine, Processed
from engine.clock import FixedClock
from engine.errors import WorkspaceError
from engine.purge import candidates, purge, retention_limit
from engine.testing import applicant, fill_xlsx, id_number, member_roster, workspace, write_roster
from engine.workspace import Privacy

TODAY = date(2026, 11, 28)
PEOPLE = [applicant("张三", date(1995, 3, 7), date(2026, 1, 5), seq=11),
          applicant("李四", date(1996, 4, 8), date(2026, 1, 6), seq=12, 联系电话="13912345678"),
          applicant("王五", date(1997, 5, 9), date(2026, 1, 7), seq=13, 民族="回族")]


def engine(tmp_path, years=0):
    ws = workspace(tmp_path / "ws")
    ws = replace(ws, config=ws.config.model_copy(update={"privacy": Privacy(retention_years=years)}))
    return Engine.open(ws, clock=FixedClock(TODAY))


def withdraw(eng, tmp, case_id, when, reason):
    src = next(case_dir(eng, case_id).glob("91-*.xlsx"))
    values = {"withdraw_date": when, "reason": reason}
    out = drop(eng, fill_xlsx(src, tmp / f"终止-{case_id}.xlsx", values))
    assert isinstance(out, Processed), out.receipt


def setup(eng, tmp):
    drop(eng, member_roster(tmp / "党员名册.xlsx", MEMBERS))
    assert isinstance(drop(eng, write_roster(tmp / "申请人名册.xlsx", PEOPLE, title="入党申请人名册")), Processed)
    for case_id in ("2026-0001", "2026-0002", "2026-0003"):
        assert isinstance(talk(eng, tmp, case_id, summary="谈入党动机"), Processed)
    withdraw(eng, tmp, "2026-0002", date(2026, 10, 1), "本人因工作调动申请撤回")
    withdraw(eng, tmp, "2026-0003", date(2026, 11, 27), "本人申请撤回")


def numbers(eng, year=2026):
    """Every number of every sheet of the reports the statistics give (named lists aside: their names go)."""
    from engine.report.build import report

    out = {}
    for kind in ("statistics", "pool", "quarterly"):
        for path in report(eng, kind, year, quarter=4 if kind == "quarterly" else None):
            if path.suffix == ".xlsx":
                import openpyxl

                wb = openpyxl.load_workbook(path)
                out[path.name] = [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows()
                                  for c in row if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
    return out


def everything(eng) -> str:
    """The whole store as text (every table) — where a trace of the person would show."""
    from engine.store.copy import export

    return repr(export(eng.store))


def test_purge_removes_the_person_and_keeps_the_totals(tmp_path):
    eng = engine(tmp_path)
    try:
        setup(eng, tmp_path)
        before = numbers(eng)
        assert sum(len(v) for v in before.values()) > 20
        li = id_number(date(1996, 4, 8), 12)
        assert li in everything(eng) and "13912345678" in everything(eng)
        folder = case_dir(eng, "2026-0002")
        originals = list(eng.ws.processed.rglob("终止-2026-0002.xlsx"))
        kept = originals[0].read_bytes()

        done = purge(eng, date(2026, 11, 1))               # 李四 left on 10-01; 王五 on 11-27 stays
        assert done.cases == ["2026-0002（2026-10-01 退出）"] and done.originals
        text = everything(eng)
        for trace in ("李四", li, "13912345678", "工作调动"):
            assert trace not in text, trace
        assert "王五" in text and id_number(date(1997, 5, 9), 13) in text      # the others untouched
        assert eng.store.case("2026-0002").name == "（已清除）"
        assert not folder.exists() and originals[0].read_bytes() == kept     # docflow's documents gone, not originals
        receipts = {p.name: p.read_text(encoding="utf-8-sig") for p in eng.ws.processed.rglob("*.回执.txt")}
        assert not [n for n, t in receipts.items() if "李四" in t]              # its receipts beside them, cleared
        assert "张三" in receipts["申请人名册.xlsx.回执.txt"] and "（已清除）" in receipts["申请人名册.xlsx.回执.txt"]
        ledger = eng.ws.outbox / "发展党员工作台账.xlsx"
        with zipfile.ZipFile(ledger) as z:
            assert "李四" not in "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert numbers(eng) == before                        # the same totals, every sheet, every cell
        from engine import status

        assert "（已清除）" in status.report_text(status.report(eng, "2026-0002"))
        from engine.views import rebuild

        rebuild(eng)                                         # the views made again from the purged events
        assert numbers(eng) == before
        from engine.regenerate import planned

        assert planned(eng) and not [d for d in planned(eng) if d.case_id == "2026-0002"]   # not made again
        assert candidates(eng, date(2026, 11, 1)) == []      # nothing twice
        assert purge(eng, date(2026, 11, 1)).cases == []
    finally:
        eng.store.close()


def test_the_retention_period_bounds_the_date_on_both_sides(tmp_path):
    eng = engine(tmp_path, years=5)
    try:
        limit = retention_limit(eng)
        assert limit == date(2021, 11, 28)
        purge(eng, date(2021, 11, 29), dry_run=True)         # left on the limit day itself: may go
        with pytest.raises(WorkspaceError, match="保留期为 5 年"):
            purge(eng, date(2021, 11, 30), dry_run=True)
    finally:
        eng.store.close()


def test_a_dry_run_lists_and_changes_nothing(tmp_path):
    eng = engine(tmp_path)
    try:
        setup(eng, tmp_path)
        was = everything(eng)
        assert purge(eng, TODAY, dry_run=True).cases == ["2026-0002（2026-10-01 退出）", "2026-0003（2026-11-27 退出）"]
        assert everything(eng) == was
    finally:
        eng.store.close()


def test_docflow_purge_command(tmp_path, capsys):
    from engine.cli import main

    ws = workspace(tmp_path / "ws")
    assert main(["purge", "-w", str(ws.root), "--withdrawn-before", "2020-01-01"]) == 0
    assert "没有 2020-01-01 以前" in capsys.readouterr().out
    assert main(["purge", "-w", str(ws.root), "--withdrawn-before", "2099-01-01"]) != 0
    assert "保留期为 5 年" in capsys.readouterr().err
