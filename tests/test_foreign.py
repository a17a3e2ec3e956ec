"""Workbooks offices keep that docflow does not issue: Excel 97–2003 .xls (and WPS's .et, the same format) and
OpenDocument .ods, read with python-calamine into the same reading as an .xlsx (engine.read.foreign)."""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
import xlwt
from office_corpus import _ods

from engine import Engine, Processed, Rejected, process_file
from engine.clock import FixedClock
from engine.read import foreign
from engine.read.safety import open_package, sniff
from engine.testing import applicant, workspace, write_roster

TODAY = date(2026, 11, 28)
DATE = xlwt.easyxf(num_format_str="yyyy-mm-dd")


@pytest.fixture
def eng(tmp_path):
    e = Engine.open(workspace(tmp_path / "ws"), clock=FixedClock(TODAY))
    yield e
    e.store.close()


def xls_roster(rows: list[dict], title: str | None = None, sheet: str = "名册", hidden: str | None = None) -> bytes:
    """A roster as Excel 97–2003 writes it: an optional merged title row, the header, one row per person."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    headers = list(rows[0])
    r = 0
    if title:
        ws.write_merge(0, 0, 0, len(headers) - 1, title)
        r = 1
    for j, h in enumerate(headers):
        ws.write(r, j, h)
    for i, row in enumerate(rows, start=r + 1):
        for j, h in enumerate(headers):
            value = row[h]
            if isinstance(value, date):
                ws.write(i, j, datetime(value.year, value.month, value.day), DATE)
            elif value is not None:
                ws.write(i, j, value)
    if hidden:
        other = wb.add_sheet(hidden)
        other.write(0, 0, "说明")
        other.visibility = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


PEOPLE = [applicant("张伟", date(1996, 5, 5), date(2026, 10, 20), seq=11),
          applicant("李娜", date(1998, 2, 14), date(2026, 11, 2), seq=12)]


def _facts(eng) -> list[tuple]:
    from engine.procedure.state import fold

    out = []
    for c in eng.store.cases():
        cs = fold(eng.pack, c.case_id, eng.store.events(c.case_id))
        out.append((c.name, c.branch, sorted((k, str(v)) for k, v in cs.facts.items())))
    return out


def test_an_xls_roster_makes_the_cases_the_same_roster_as_xlsx_makes(tmp_path):
    made = []
    for suffix in (".xlsx", ".xls", ".et"):
        e = Engine.open(workspace(tmp_path / suffix[1:]), clock=FixedClock(TODAY))
        try:
            path = e.ws.inbox / f"入党申请人名册{suffix}"
            if suffix == ".xlsx":
                write_roster(path, PEOPLE, title="第一党支部入党申请人名册")
            else:
                path.write_bytes(xls_roster(PEOPLE, title="第一党支部入党申请人名册"))
            out = process_file(e, path)
            assert isinstance(out, Processed), out.receipt
            made.append(_facts(e))
        finally:
            e.store.close()
    assert len(made[0]) == 2 and made[0] == made[1] == made[2]


def test_calamine_reads_a_workbook_as_openpyxl_does(tmp_path):
    """The same .xlsx through both readers: every sheet, every cell at its place, merged ranges, hidden sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["第一党支部名册"])
    ws.merge_cells("A1:D1")
    ws.append(["姓名", "出生日期", "人数", "比例"])
    ws.append(["张三", datetime(1990, 1, 2), 3, 0.25])
    ws.append([None, None, None, None])
    ws["C5"] = "隔一行"
    other = wb.create_sheet("隐藏")
    other["B2"] = "说明"
    other.sheet_state = "hidden"
    data = io.BytesIO()
    wb.save(data)
    ours = foreign.load(data.getvalue(), "xls")
    theirs = openpyxl.load_workbook(io.BytesIO(data.getvalue()))
    assert ours.sheetnames == theirs.sheetnames
    for a, b in zip(ours.worksheets, theirs.worksheets, strict=True):
        assert a.sheet_state == b.sheet_state
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        cells = lambda w: {c.coordinate: c.value for row in w.iter_rows() for c in row if c.value is not None}  # noqa: E731
        assert cells(a) == cells(b)


def test_xls_sheets_keep_their_places_merges_and_hidden_sheets():
    wb = foreign.load(xls_roster(PEOPLE, title="名册标题", hidden="填表说明"), "xls")
    assert wb.sheetnames == ["名册", "填表说明"] and wb["填表说明"].sheet_state == "hidden"
    ws = wb["名册"]
    last = chr(64 + len(PEOPLE[0]))
    assert ws["A1"].value == "名册标题" and [str(r) for r in ws.merged_cells.ranges] == [f"A1:{last}1"]
    assert ws["A2"].value == next(iter(PEOPLE[0])) and ws.cell(3, 1).value == "张伟"


def test_sniffing_tells_a_workbook_from_a_word_97_document_and_an_encrypted_package():
    xls = xls_roster(PEOPLE)
    assert sniff(xls, "名册.xls") == "xls" and sniff(xls, "名册.xlsx") == "xls"   # by content, not by name
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le") + b"\0" * 500
    enc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 99
    for data in (doc, enc):
        with pytest.raises(Exception, match=r"旧版 Word 格式|加了密码"):
            sniff(data, "x.xls")


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_xls_is_refused_with_a_receipt_and_the_engine_goes_on(eng, damage):
    data = xls_roster(PEOPLE)
    data = data[:len(data) // 3] if damage == "truncated" else data[:2048] + bytes(range(256)) * 20
    bad = eng.ws.inbox / "坏.xls"
    bad.write_bytes(data)
    out = process_file(eng, bad)
    assert isinstance(out, Rejected) and "无法读取" in out.receipt and "另存为 .xlsx" in out.receipt
    good = eng.ws.inbox / "好.xls"
    good.write_bytes(xls_roster(PEOPLE))
    assert isinstance(process_file(eng, good), Processed)


def test_an_ods_roster_is_read_and_an_odt_is_refused(eng):
    headers = list(PEOPLE[0])
    path = eng.ws.inbox / "名册.ods"
    path.write_bytes(_ods([headers] + [[p[h] if p[h] is not None else "" for h in headers] for p in PEOPLE]))
    assert open_package(path.read_bytes(), path.name).kind == "ods"
    out = process_file(eng, path)
    assert isinstance(out, Processed), out.receipt
    assert sorted(c.name for c in eng.store.cases()) == ["张伟", "李娜"]
    odt = eng.ws.inbox / "说明.odt"
    odt.write_bytes(_ods([["x"]]).replace(b"spreadsheet", b"text-doc").replace(b"<table:table ", b"<text:x "))
    out = process_file(eng, odt)
    assert isinstance(out, Rejected) and ".odt" in out.receipt


def test_a_roster_in_xls_with_a_wrong_cell_gets_a_marked_xlsx_copy(eng):
    rows = [dict(PEOPLE[0]), dict(PEOPLE[1])]
    rows[1][next(h for h in rows[1] if "身份" in h)] = "110101199802140000"   # a bad check digit
    path = eng.ws.inbox / "名册.xls"
    path.write_bytes(xls_roster(rows))
    out = process_file(eng, path)
    assert "身份证" in out.receipt or "公民身份号码" in out.receipt
    marked = list(eng.ws.root.rglob("名册.已标注问题.xlsx"))
    assert len(marked) == 1
    wb = openpyxl.load_workbook(marked[0])
    commented = [c for row in wb.worksheets[0].iter_rows() for c in row if c.comment is not None]
    assert commented and commented[0].row == 3
