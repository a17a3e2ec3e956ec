"""read: rosters by Chinese headers with synonyms and real-sheet quirks; issued forms by their marks."""
from datetime import date, datetime

import openpyxl

from engine.read import xlsx as xr
from engine.read.identify import identify, open_body
from engine.read.reading import read_package
from engine.read.safety import open_package
from engine.testing import APPLICANT_HEADERS, fill_docx, fill_xlsx, id_number, xlsx_bytes


def opened(data: bytes, name="x.xlsx"):
    return open_body(open_package(data, name))


def roster_wb(headers, rows, title_rows=0):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"标题行{i}"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    return wb


def read(pack, wb):
    reading = read_package(pack, open_package(xlsx_bytes(wb), "x.xlsx"))
    assert reading.identity.kind == "roster", reading
    return reading.identity.form_id, reading.roster


ROW = ["张三", "男", "汉族", "1995-03-07", id_number(date(1995, 3, 7)), "本科", "中心小学", "教师", "是",
       "138", "第一党支部", "2026-01-05"]


def test_roster_with_title_rows_and_synonym_headers(pack):
    headers = ["姓名", "性别", "民族", "出生年月", "身份证号", "文化程度", "单位", "职务", "一线", "电话", "支部",
               "提交书面申请书时间"]
    form_id, roster = read(pack, roster_wb(headers, [ROW], title_rows=2))
    assert form_id == "applicant_roster" and not roster.missing
    assert roster.rows[0].number == 4
    assert roster.rows[0].values["apply_date"].value == "2026-01-05"
    assert roster.columns["id_number"] == "E"


def test_headers_with_stars_spaces_and_notes(pack):
    headers = [h if i else "姓  名*" for i, h in enumerate(APPLICANT_HEADERS)]
    headers[3] = "出生日期\n（年月日）"
    _, roster = read(pack, roster_wb(headers, [ROW]))
    assert not roster.missing and "birth_date" in roster.columns


def test_blank_and_hidden_rows(pack):
    wb = roster_wb(APPLICANT_HEADERS, [ROW, [None] * 12, ["李四"] + ROW[1:]])
    wb.active.row_dimensions[4].hidden = True
    _, roster = read(pack, wb)
    assert [r.number for r in roster.rows] == [2]
    assert any("第4行是隐藏行" in n for n in roster.notes)


def test_merged_two_row_header(pack):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["基本信息", None, None, None, None, "其他"])
    ws.append(["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "工作单位", "职务/岗位", "是否一线",
               "联系电话", "所在党支部", "申请入党日期"])
    ws.merge_cells("A1:E1")
    ws.append(ROW)
    _, roster = read(pack, wb)
    assert not roster.missing and roster.rows[0].number == 3


def test_missing_required_column_is_named(pack):
    headers = [h for h in APPLICANT_HEADERS if h != "申请入党日期"]
    _, roster = read(pack, roster_wb(headers, [ROW[:-1]]))
    assert [f.key for f in roster.missing] == ["apply_date"]
    from engine.check.validate import missing_column_findings
    finding = missing_column_findings(roster)[0]
    assert "申请入党日期" in finding.message and "提交书面申请书时间" in finding.fix


def test_member_roster_is_told_apart_from_the_applicant_roster(pack):
    form_id, roster = read(pack, roster_wb(["姓名", "所在党支部", "党员类别"], [["刘一", "第一党支部", "正式党员"]]))
    assert form_id == "member_roster" and len(roster.rows) == 1


def test_excel_dates_arrive_as_datetimes(pack):
    row = ROW[:]
    row[3] = datetime(1995, 3, 7)
    _, roster = read(pack, roster_wb(APPLICANT_HEADERS, [row]))
    assert roster.rows[0].values["birth_date"].value == datetime(1995, 3, 7)


def test_formula_cells_are_flagged(pack):
    row = ROW[:]
    row[3] = "=DATE(1995,3,7)"
    _, roster = read(pack, roster_wb(APPLICANT_HEADERS, [row]))
    assert roster.rows[0].values["birth_date"].formula


def test_issued_xlsx_form_is_identified_and_read(pack, eng, tmp_path):
    from engine.output.documents import render_document
    from engine.pack.sample import sample_case

    cs = sample_case(pack)
    eng.store.new_case(2026, "k", "示例", "第一党支部", pack.version, "t")
    path = render_document(eng, cs, "assessment_form", 1)
    filled = fill_xlsx(path, tmp_path / "f.xlsx", {"assess_date": "2026/9/30", "assessor": "刘一", "opinion": "好",
                                                   "result": "合格"})
    o = opened(filled.read_bytes())
    ident = identify(pack, o)
    assert (ident.form_id, ident.case_id, ident.period, ident.how) == ("assessment", "2026-0001", 1, "properties")
    raw = xr.read_form(o.book, pack.forms["assessment"])
    assert raw["period"].value == 1 and raw["assess_date"].value == "2026/9/30"
    assert raw["assessor"].ref.endswith("!" + raw["assessor"].ref.split("!")[1])


def test_issued_docx_form_is_read_by_bookmarks_and_by_labels(pack, eng, tmp_path):
    from engine.output.documents import render_document
    from engine.pack.sample import sample_case
    from engine.read import docx as dr

    cs = sample_case(pack)
    eng.store.new_case(2026, "k", "示例", "第一党支部", pack.version, "t")
    path = render_document(eng, cs, "talk_form", None)
    filled = fill_docx(path, tmp_path / "t.docx", {"talk_date": "2026-02-01", "talker": "刘一", "talker_post": "书记",
                                                  "summary": "第一段\n第二段"})
    o = opened(filled.read_bytes(), "t.docx")
    assert identify(pack, o).form_id == "talk"
    raw = dr.read_form(o.doc, pack.forms["talk"])
    assert raw["summary"].value == "第一段\n第二段" and raw["talker"].place == "Word 表格“谈话人”一栏"
    # the bookmarks gone (some programs drop them): the label/value table still gives the values
    for bm in list(o.doc.root.iter(f"{{{dr.W}}}bookmarkStart")):
        bm.getparent().remove(bm)
    raw = dr.read_form(dr.Doc(o.doc.root), pack.forms["talk"])
    assert raw["talker"].value == "刘一" and raw["talker"].place == "Word 表格“谈话人”一栏（按栏目名找到）"
