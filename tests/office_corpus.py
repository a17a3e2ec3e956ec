"""A corpus of files as offices keep them (built here, not copied from anywhere): rosters and ledgers in the
layouts real party-affairs offices use, each with the outcome a branch secretary expects. tests/test_office_files.py
runs every one through the road; ``python tests/office_corpus.py`` prints the outcome table.

Each entry: file name, the bytes, and what should happen — "processed" (with how many cases or members it
makes) or "rejected", and words the receipt must say."""
from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.testing import id_number, xlsx_bytes

APPLICANT = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "工作单位", "申请入党日期"]


def person(name: str, seq: int, birth: date = date(1995, 3, 7)) -> list:
    return [name, "男" if seq % 2 else "女", "汉族", birth.isoformat(), id_number(birth, seq), "本科", "中心小学",
            "2026-10-20"]


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[[], bytes]
    outcome: str                      # processed | rejected
    people: int = 0                   # cases and members it makes (an imported 正式党员 is both)
    says: tuple[str, ...] = ()        # words the receipt must hold
    what: str = ""                    # the layout, in words (the table's last column)


def _book(sheets: list[tuple[str, list[list]]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for rng in (merges or {}).get(title, []):
            ws.merge_cells(rng)
    return xlsx_bytes(wb)


def _xls(rows: list[list], title: str | None = None) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名册")
    r0 = 0
    if title:
        ws.write_merge(0, 0, 0, len(rows[0]) - 1, title)
        r0 = 1
    for i, row in enumerate(rows, start=r0):
        for j, v in enumerate(row):
            if isinstance(v, date):
                ws.write(i, j, datetime(v.year, v.month, v.day), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
            elif v is not None:
                ws.write(i, j, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _ods(rows: list[list]) -> bytes:
    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="名册">{cells}</table:table></office:spreadsheet>'
               "</office:body></office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                   '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
    return out.getvalue()


LEDGER = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号码", "学历", "所在单位", "联系党支部",
          "递交入党申请书时间", "谈话时间", "确定为入党积极分子时间", "培养联系人", "确定为重点发展对象时间",
          "入党介绍人", "政审时间",
          "确定为预备党员时间（支部大会）", "上级党委审批时间", "转为正式党员日期", "当前状态"]


def _ledger_rows(with_stage: bool = True) -> list[list]:
    full = [1, "刘芳", "女", "汉族", "1990-04", id_number(date(1990, 4, 9), 51), "大学本科", "中心小学", "第一党支部",
            "2016-03-01", "2016-03-20", "2016-09-01", "刘一、周三", "2017-09-10", "刘一、周三", "2017-10-10",
            "2017-11-20", "2018-01-10", "2018-11-20", "正式党员"]
    target = [2, "陈明", "男", "汉族", "1996-07", id_number(date(1996, 7, 2), 53), "本科在读", "中心小学", "第二党支部",
              "2024-03-01", "2024-03-15", "2024-09-01", "刘一", "2025-09-10", "", "", "", "", "", "领取志愿书"]
    rows = [LEDGER, full, target]
    if not with_stage:
        rows = [[v for h, v in zip(LEDGER, r, strict=True) if h != "当前状态"] for r in rows]
    return rows


def _docx_table(title: str, rows: list[list]) -> bytes:
    """A roster kept as a Word table under its title (the standard 备案表), a merged cell in the header row."""
    from docx import Document

    doc = Document()
    doc.add_paragraph(title)
    table = doc.add_table(rows=0, cols=len(rows[0]))
    for row in rows:
        cells = table.add_row().cells
        for c, v in zip(cells, row, strict=True):
            c.text = "" if v is None else str(v)
    doc.add_paragraph("填表人：王五    日期：2026年11月1日")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _repackaged(data: bytes, strict: bool) -> bytes:
    """The same workbook as a legal package Excel opens but writers rarely make: Strict Open XML (its own
    namespaces), or the workbook part under another name."""
    z = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            blob, name = z.read(info), info.filename
            if strict:
                blob = blob.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                    b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                blob = blob.replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                    b"http://purl.oclc.org/ooxml/officeDocument/relationships")
            else:
                name = {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"
                        }.get(name, name)
                blob = blob.replace(b"/xl/workbook.xml", b"/xl/book.xml")
                blob = blob.replace(b'"xl/workbook.xml"', b'"xl/book.xml"')
            w.writestr(name, blob)
    return out.getvalue()


def _plain() -> bytes:
    return _book([("名册", [APPLICANT + ["所在党支部"], person("张三", 97) + ["第一党支部"]])])


def _corrupt_xls() -> bytes:
    data = _xls([APPLICANT + ["所在党支部"], person("张三", 11) + ["第一党支部"]])
    return data[: len(data) // 3]


ENTRIES: tuple[Entry, ...] = (
    Entry("入党申请人名册（本系统样式）.xlsx", lambda: _book([("名册", [
        ["入党申请人名册"], APPLICANT + ["所在党支部"], person("张三", 11) + ["第一党支部"],
        person("李娜", 12) + ["第一党支部"]])]), "processed", 2, what="标题行、表头、两人"),
    Entry("申请人名册（带说明和落款）.xlsx", lambda: _book([("Sheet1", [
        ["第一党支部入党申请人情况统计表"], ["填表说明：1. 日期一律写成 2026-01-01；2. 学历填最高学历"],
        [*APPLICANT, "所在党支部"], person("张三", 21) + ["第一党支部"], ["说明：以下为第二批"],
        person("李娜", 22) + ["第一党支部"], [],
        ["填表人：王五", None, None, "审核人：刘一", None, "日期：2026年11月1日"]])],
        {"Sheet1": ["A2:I2", "A5:I5"]}), "processed", 2, ("说明或落款",), "说明块、中间说明行、落款"),
    Entry("申请人名册（支部写在表头上方）.xlsx", lambda: _book([("Sheet1", [
        ["入党申请人名册"], ["支部名称：第二党支部", None, None, "填报日期：2026年11月"], APPLICANT,
        person("张三", 31)])]), "processed", 1, ("所在党支部取自",), "无支部列，“支部名称：”标签行"),
    Entry("各支部入党申请人名册.xlsx", lambda: _book([
        ("第一党支部", [APPLICANT, person("张三", 41), person("李娜", 42)]),
        ("第二党支部", [APPLICANT, person("王五", 43)]), ("填表说明", [["每个支部一张表"]])]), "processed", 3,
        what="每个支部一张工作表，无支部列"),
    Entry("党员名册（含个人信息和时间）.xlsx", lambda: _book([("党员名册", [
        ["第一党支部党员名册"],
        ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "所在支部", "入党时间", "转正时间", "党员类别"],
        [1, "刘一", "男", "汉族", "1980-05", id_number(date(1980, 5, 3), 61), "第一党支部", "2005-06-01",
         "2006-06-01", "正式党员"],
        [2, "周三", "女", "汉族", "1992-01", id_number(date(1992, 1, 3), 62), "第一党支部", "2026-06-01", "",
         "预备党员"],
    ])]), "processed", 2, what="党员名册带性别、出生年月、身份证号和各种时间"),
    Entry("党员信息导出（人员类别与党籍状态）.xlsx", lambda: _book([("导出", [
        ["姓名", "人员类别", "联系党支部", "党籍状态"], ["刘一", "在职教职工", "第一党支部", "223_正式党员"],
        ["周三", "本科生", "第一党支部", "224_预备党员"], ["吴六", "学生", "第二党支部", "223_正式党员"]])]),
        "processed", 3, ("未识别的列", "人员类别"), "其他系统导出：类别列不是党员类别、带编号的值"),
    Entry("入党申请人名册（Excel 97-2003）.xls", lambda: _xls(
        [APPLICANT + ["所在党支部"], person("张三", 71) + ["第一党支部"]], title="入党申请人名册"),
        "processed", 1, what=".xls，合并的标题行"),
    Entry("入党申请人名册（WPS）.et", lambda: _xls([APPLICANT + ["所在党支部"], person("张三", 72) + ["第一党支部"]]),
        "processed", 1, what="WPS 表格 .et（与 .xls 同格式）"),
    Entry("入党申请人名册（LibreOffice）.ods", lambda: _ods(
        [APPLICANT + ["所在党支部"], person("张三", 73) + ["第一党支部"]]), "processed", 1, what="OpenDocument .ods"),
    Entry("发展党员工作台账（原有）.xlsx", lambda: _book([("台账", _ledger_rows())]), "processed", 3,
        what="原有台账：各环节时间、培养联系人、介绍人、阶段写作“领取志愿书”（2 份案卷，正式党员进党员名册）"),
    Entry("发展党员工作台账（无阶段列）.xlsx", lambda: _book([("台账", _ledger_rows(with_stage=False))]),
        "processed", 3, what="台账没有阶段列：按最后填写的时间定阶段（同上）"),
    Entry("申请人名册（其他系统的编码值）.xlsx", lambda: _book([("Sheet1", [
        ["姓名", "性别", "民族", "出生年月", "身份证号码", "学历", "所在单位", "所在支部", "申请入党日期(2019/10/24)"],
        ["张三", "95_男", "01 汉族", "1995-03", id_number(date(1995, 3, 7), 81), "本科在读", "中心小学", "第一党支部",
         "2026/10/20"]])]), "processed", 1, what="带编号的下拉值、年月出生日期、带提示的表头"),
    Entry("申请人名册（缺申请日期列）.xlsx", lambda: _book([("Sheet1", [
        APPLICANT[:-1] + ["所在党支部"], person("张三", 91)[:-1] + ["第一党支部"]])]), "rejected", 0,
        ("申请入党日期", "递交入党申请书时间"), "缺一列必填列"),
    Entry("申请人名册（出生年月与身份证不符）.xlsx", lambda: _book([("Sheet1", [
        ["姓名", "性别", "民族", "出生年月", "公民身份号码", "学历", "工作单位", "所在党支部", "申请入党日期"],
        ["张三", "男", "汉族", "1998-02", id_number(date(1998, 2, 14), 93), "本科", "小学", "第一党支部", "2026-10-20"],
        ["李四", "女", "汉族", "1998-03", id_number(date(1998, 2, 14), 94), "本科", "小学", "第一党支部", "2026-10-20"],
    ])]), "processed", 1, ("第3行", "出生年月"), "一行出生年月与身份证不符"),
    Entry("入党申请人备案表（Word 表格）.docx", lambda: _docx_table("第一党支部入党申请人备案表", [
        APPLICANT, person("张三", 95), person("李娜", 96)]), "processed", 2, ("所在党支部取自",),
        "Word 中的表格，支部写在标题里"),
    Entry("入党申请人名册（Strict Open XML）.xlsx", lambda: _repackaged(_plain(), strict=True), "processed", 1,
        what="Excel 另存为“Strict Open XML 电子表格”"),
    Entry("入党申请人名册（部件名不常见）.xlsx", lambda: _repackaged(_plain(), strict=False), "processed", 1,
        what="合法但工作簿部件名不是 xl/workbook.xml"),
    Entry("入党申请人名册（已损坏）.xls", _corrupt_xls, "rejected", 0, ("无法读取", "另存为 .xlsx"),
        "截断的 .xls"),
)


def main() -> int:
    """Run the corpus in a fresh workspace and print the outcome table."""
    import tempfile

    from engine import Engine, Processed, process_file
    from engine.clock import FixedClock
    from engine.testing import workspace

    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'文件':<34} {'应当':<6} {'结果':<6} {'人数':>4}  版式")
        for n, e in enumerate(ENTRIES):
            eng = Engine.open(workspace(Path(tmp) / f"ws{n}"), clock=FixedClock(date(2026, 11, 28)))
            path = eng.ws.inbox / e.name
            path.write_bytes(e.build())
            out = process_file(eng, path)
            got = "processed" if isinstance(out, Processed) else "rejected"
            people = len(eng.store.cases()) + sum(len(eng.store.members(b) or {}) for b in eng.store.branches())
            ok = got == e.outcome and people == e.people and all(w in out.receipt for w in e.says)
            print(f"{e.name:<34} {e.outcome:<9} {got:<9} {people:>4}  {'✓' if ok else '✗'} {e.what}")
            eng.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
