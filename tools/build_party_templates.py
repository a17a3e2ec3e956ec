#!/usr/bin/env python3
"""Build the office templates of the 发展党员 (party) workflow pack.

Generates, deterministically (same bytes on every run):

    templates/party/docs/case_file.docx          入党申请人基本情况登记表
    templates/party/forms/talk.docx              入党申请人谈话记录 (fillable: bookmarks = field keys)
    templates/party/docs/activist_filing.docx    关于确定入党积极分子的备案报告
    templates/party/docs/contact_register.docx   培养联系人登记表
    templates/party/forms/activist.xlsx          确定入党积极分子情况表 (fillable: defined names)
    templates/party/forms/assessment.xlsx        入党积极分子考察登记表 (fillable: defined names)

and every other template a [documents.*] entry of pack.toml names (steps 7–25):

    docs/target_filing.docx      关于确定发展对象的备案报告
    docs/public_notice.docx      发展对象 / 接收预备党员 / 转正 公示 (one template; wording from doc.text)
    docs/enquiry_letter.docx     政治审查函调函 (ID number masked)
    docs/review_report.docx      政治审查综合报告
    docs/prereview_request.docx  关于发展对象的预审请示
    docs/meeting_minutes.docx    支部大会会议记录 (admission and 转正; vote = case[doc.text.vote])
    docs/resolution.docx         支部大会决议 (通过 / 不通过 / 按期转正 / 延长预备期 / 取消预备党员资格)
    docs/approval_request.docx   关于接收预备党员的请示
    docs/approval_notice.docx    接收预备党员 / 预备党员转正 的批复 (doc.text.subject)
    docs/oath_record.docx        入党宣誓记录
    docs/archive_index.docx      发展党员材料归档目录 / 转出材料清单 (doc.text.purpose)
    forms/committee_talk.docx    上级党委派人谈话记录 (fillable: bookmarks = field keys)
    forms/<form>.xlsx            one fillable workbook per .xlsx template (and per form no document
                                 collects yet), generated from the form's fields (see FORM_SPECS)

The .docx files are docxtpl (Jinja) templates.  Every Jinja tag is written as ONE run so that
docxtpl never sees a tag split across runs.  Only these context variables are used:
org, branch, doc, case, dossier (engine/output/context.py makes them; ``docflow lint`` renders every document
with a complete sample case from engine/pack/sample.py, and tools/drive_case.py shows a real case as PDF pages).

Field keys, labels, types and choices of the fillable forms are read from pack.toml, so the
templates follow the pack when it changes.

Usage:  .venv/bin/python tools/build_party_templates.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - older interpreters
    import tomli as tomllib  # type: ignore[no-redef]

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from gongwen_builder import Gongwen, set_rfonts
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "templates" / "party"

# ----------------------------------------------------------------------------- constants

FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
AUTHOR = "docflow"

# Fonts (East Asian names as used on Chinese Windows/WPS; LibreOffice maps them via fontconfig).
FONT_TITLE = "黑体"      # substitute for 方正小标宋简体, which is not installed everywhere
FONT_BODY = "仿宋"
FONT_TABLE = "宋体"

SIZE_TITLE = 22   # 二号
SIZE_BODY = 16    # 三号
SIZE_TABLE = 12   # 小四
SIZE_NOTE = 10.5  # 五号
SIZE_FOOTER = 9   # 小五

# Page: A4 portrait, GB/T 9704 margins.
PAGE_W_CM, PAGE_H_CM = 21.0, 29.7
MARGIN_TOP_CM, MARGIN_BOTTOM_CM = 3.7, 3.5
MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 2.8, 2.6
TEXT_W_CM = round(PAGE_W_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM, 2)  # 15.6

ROW_MIN_CM = 0.9
LABEL_FILL = "F2F2F2"   # light grey for label cells
SECTION_FILL = "D9D9D9"  # a bit darker for section headers

FOOTER_TEXT = "{{ org.name }} · 案卷编号 {{ case.id }}"

TWIPS_PER_CM = 1440 / 2.54


def twips(cm: float) -> int:
    return round(cm * TWIPS_PER_CM)


# ----------------------------------------------------------------------------- pack.toml

def load_pack() -> dict:
    with open(PACK_DIR / "pack.toml", "rb") as fh:
        return tomllib.load(fh)


def form_fields(pack: dict, form_id: str) -> list[dict]:
    return list(pack["forms"][form_id]["fields"])


# ----------------------------------------------------------------------------- docx helpers

def style_run(run, font: str, size: float, bold: bool = False) -> None:
    rpr = run._element.get_or_add_rPr()
    set_rfonts(rpr, font)
    run.font.size = Pt(size)
    if bold:
        run.bold = True


def add_run(paragraph, text: str, font: str, size: float, bold: bool = False):
    """Add one run (a Jinja tag must never be split across runs: keep it in one call)."""
    run = paragraph.add_run(text)
    style_run(run, font, size, bold)
    return run


def set_paragraph_mark_font(paragraph, font: str, size: float) -> None:
    """Font of the paragraph mark, so text typed into an empty paragraph gets it too."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    set_rfonts(rpr, font)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    szcs = OxmlElement("w:szCs")
    szcs.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)
    rpr.append(szcs)


def para_format(paragraph, align=None, before=0.0, after=0.0, line_exact=None,
                first_line_chars=0, right_indent_chars=0, char_pt=SIZE_BODY) -> None:
    pf = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line_exact:
        pf.line_spacing = Pt(line_exact)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    else:
        pf.line_spacing = 1.0
    if first_line_chars or right_indent_chars:
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()  # schema-ordered insert
        if first_line_chars:
            ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
            ind.set(qn("w:firstLine"), str(int(first_line_chars * char_pt * 20)))
        if right_indent_chars:
            ind.set(qn("w:rightChars"), str(right_indent_chars * 100))
            ind.set(qn("w:right"), str(int(right_indent_chars * char_pt * 20)))
    pf.widow_control = True


def new_document(normal_font: str, normal_size: float):
    doc = Document()
    # --- page setup (A4 portrait, GB/T 9704 margins)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width = Cm(PAGE_W_CM)
    sec.page_height = Cm(PAGE_H_CM)
    sec.top_margin = Cm(MARGIN_TOP_CM)
    sec.bottom_margin = Cm(MARGIN_BOTTOM_CM)
    sec.left_margin = Cm(MARGIN_LEFT_CM)
    sec.right_margin = Cm(MARGIN_RIGHT_CM)
    sec.header_distance = Cm(1.5)
    sec.footer_distance = Cm(1.8)

    # --- document defaults and Normal style: explicit fonts (ascii + eastAsia), Chinese language
    styles_el = doc.styles.element
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_rfonts(rpr_default, normal_font)
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), str(int(normal_size * 2)))
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    for child in list(ppr_default):
        ppr_default.remove(child)
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    ppr_default.append(ppr)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(normal_size)
    set_rfonts(normal.element.get_or_add_rPr(), normal_font)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    # --- deterministic core properties
    cp = doc.core_properties
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    cp.revision = 1
    cp.language = "zh-CN"
    cp.comments = ""
    cp.keywords = "docflow party"
    return doc


def add_title(doc, text: str, after: float = 18.0, before: float = 0.0):
    p = doc.add_paragraph()
    para_format(p, align=WD_ALIGN_PARAGRAPH.CENTER, before=before, after=after)
    add_run(p, text, FONT_TITLE, SIZE_TITLE)
    return p


def _field_run(p, instr: str, font: str, size: float) -> None:
    """A simple field (PAGE, NUMPAGES) whose result Word, WPS and LibreOffice fill in when the page is laid out."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    set_rfonts(rpr, font)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    p._p.append(fld)


def add_footer(doc, text: str = FOOTER_TEXT, pages: bool = True) -> None:
    """The record profile's foot: the committee and case number, and "第 N 页 共 M 页" (a page of a two-page
    record that comes loose still says where it belongs)."""
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    para_format(p, align=WD_ALIGN_PARAGRAPH.CENTER)
    if text:
        add_run(p, text + ("　　" if pages else ""), FONT_TABLE, SIZE_FOOTER)
    if pages:
        add_run(p, "第 ", FONT_TABLE, SIZE_FOOTER)
        _field_run(p, "PAGE", FONT_TABLE, SIZE_FOOTER)
        add_run(p, " 页 共 ", FONT_TABLE, SIZE_FOOTER)
        _field_run(p, "NUMPAGES", FONT_TABLE, SIZE_FOOTER)
        add_run(p, " 页", FONT_TABLE, SIZE_FOOTER)


def _border_el(tag: str, size: int) -> OxmlElement:
    el = OxmlElement(tag)
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    return el


class Cell:
    """Specification of one table cell."""

    def __init__(self, text: str = "", span: int = 1, label: bool = False,
                 align: str = "center", valign: str = "center", bookmark: str | None = None,
                 lines: list[str] | None = None, size: float = SIZE_TABLE, fill: str | None = None,
                 bold: bool | None = None):
        self.text = text
        self.span = span
        self.label = label
        self.align = align
        self.valign = valign
        self.bookmark = bookmark
        self.lines = lines  # several paragraphs; each string is a paragraph (one run)
        self.size = size
        self.fill = fill if fill is not None else (LABEL_FILL if label else None)
        self.bold = label if bold is None else bold


ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


class TableBuilder:
    """Fixed-layout, full-width, single-bordered table built from row specifications."""

    def __init__(self, doc, widths_cm: list[float]):
        total = round(sum(widths_cm), 2)
        if abs(total - TEXT_W_CM) > 0.01:
            raise ValueError(f"column widths add up to {total} cm, text width is {TEXT_W_CM} cm")
        self.doc = doc
        self.widths = [twips(w) for w in widths_cm]
        # make the twips add up exactly to the text width
        self.widths[-1] += twips(TEXT_W_CM) - sum(self.widths)
        self.table = doc.add_table(rows=0, cols=len(widths_cm))
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        tbl = self.table._tbl
        tblPr = tbl.tblPr
        # remove the style python-docx may add; we set borders ourselves
        for child in list(tblPr):
            if child.tag == qn("w:tblStyle"):
                tblPr.remove(child)
        tblW = tblPr.find(qn("w:tblW"))
        if tblW is None:
            tblW = OxmlElement("w:tblW")
            tblPr.append(tblW)
        tblW.set(qn("w:w"), str(sum(self.widths)))
        tblW.set(qn("w:type"), "dxa")
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right"):
            borders.append(_border_el(f"w:{side}", 8))     # 1 pt outer frame
        for side in ("insideH", "insideV"):
            borders.append(_border_el(f"w:{side}", 4))     # 0.5 pt inner lines
        tblPr.append(borders)
        layout = tblPr.find(qn("w:tblLayout"))
        if layout is None:
            layout = OxmlElement("w:tblLayout")
            tblPr.append(layout)
        layout.set(qn("w:type"), "fixed")
        mar = OxmlElement("w:tblCellMar")
        for side, val in (("left", 85), ("right", 85)):   # 0.15 cm
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), str(val))
            m.set(qn("w:type"), "dxa")
            mar.append(m)
        tblPr.append(mar)
        look = tblPr.find(qn("w:tblLook"))
        if look is not None:
            tblPr.remove(look)
        # grid
        grid = tbl.tblGrid
        for gc, w in zip(grid.findall(qn("w:gridCol")), self.widths, strict=True):
            gc.set(qn("w:w"), str(w))
        # normalise order of tblPr children (schema order)
        order = ["w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                 "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
                 "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"]
        children = sorted(list(tblPr), key=lambda c: order.index(
            "w:" + c.tag.split("}")[1]) if "w:" + c.tag.split("}")[1] in order else 99)
        for c in list(tblPr):
            tblPr.remove(c)
        for c in children:
            tblPr.append(c)

    def row(self, cells: list[Cell], height_cm: float = ROW_MIN_CM, cant_split: bool = True):
        if sum(c.span for c in cells) != len(self.widths):
            raise ValueError("row spans do not match the column count")
        tr = OxmlElement("w:tr")
        trPr = OxmlElement("w:trPr")
        if cant_split:
            trPr.append(OxmlElement("w:cantSplit"))
        trH = OxmlElement("w:trHeight")
        trH.set(qn("w:val"), str(twips(height_cm)))
        trH.set(qn("w:hRule"), "atLeast")
        trPr.append(trH)
        tr.append(trPr)
        col = 0
        for spec in cells:
            tc = OxmlElement("w:tc")
            tcPr = OxmlElement("w:tcPr")
            tcW = OxmlElement("w:tcW")
            tcW.set(qn("w:w"), str(sum(self.widths[col:col + spec.span])))
            tcW.set(qn("w:type"), "dxa")
            tcPr.append(tcW)
            if spec.span > 1:
                gs = OxmlElement("w:gridSpan")
                gs.set(qn("w:val"), str(spec.span))
                tcPr.append(gs)
            if spec.fill:
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), spec.fill)
                tcPr.append(shd)
            va = OxmlElement("w:vAlign")
            va.set(qn("w:val"), spec.valign)
            tcPr.append(va)
            tc.append(tcPr)
            tr.append(tc)
            col += spec.span
            cell = _Cell(tc, self.table)
            lines = spec.lines if spec.lines is not None else [spec.text]
            for i, line in enumerate(lines):
                p = cell.add_paragraph()
                para_format(p, align=ALIGN[spec.align])
                set_paragraph_mark_font(p, FONT_TABLE, spec.size)
                if line:
                    add_run(p, line, FONT_TABLE, spec.size, bold=spec.bold)
                if spec.bookmark and i == 0:
                    self._bookmark(p, spec.bookmark)
        self.table._tbl.append(tr)
        return tr

    _next_bookmark_id = 0

    def _bookmark(self, paragraph, name: str) -> None:
        TableBuilder._next_bookmark_id += 1
        bid = str(TableBuilder._next_bookmark_id)
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), bid)
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), bid)
        paragraph._p.append(start)
        paragraph._p.append(end)


def L(text: str, span: int = 1, **kw) -> Cell:
    """Label cell."""
    return Cell(text, span=span, label=True, **kw)


def V(text: str = "", span: int = 1, **kw) -> Cell:
    """Value cell."""
    return Cell(text, span=span, **kw)


def add_plain(doc, text: str, font=FONT_TABLE, size=SIZE_TABLE, align=WD_ALIGN_PARAGRAPH.LEFT,
              before=0.0, after=0.0, bold=False):
    p = doc.add_paragraph()
    para_format(p, align=align, before=before, after=after)
    if text:
        add_run(p, text, font, size, bold)
    return p


# ----------------------------------------------------------------------------- docx templates

# Jinja snippets (each inserted as one run)
J_UNIT_POST = "{{ case.unit }}{% if case.post %}　{{ case.post }}{% endif %}"
J_CONTACTS = "{{ case.activist.contact_1 }}{% if case.activist.contact_2 %}、{{ case.activist.contact_2 }}{% endif %}"


def build_case_file(path: Path) -> None:
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "入党申请人基本情况登记表", after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.4, 4.4, 4.0, 3.8])
    t.row([L("案卷编号"), V("{{ case.id }}"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("姓　　名"), V("{{ case.name }}"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("民　　族"), V("{{ case.ethnicity }}"), L("出生日期"), V("{{ case.birth_date }}")])
    t.row([L("学　　历"), V("{{ case.education }}"), L("申请时年龄"),
           V("{{ case.age }}{% if case.age %}周岁{% endif %}")])
    t.row([L("公民身份号码"), V("{{ case.id_number_masked }}", span=3)])
    t.row([L("工作单位"), V("{{ case.unit }}", span=3)])
    t.row([L("职务/岗位"), V("{{ case.post }}"), L("是否一线"), V("{{ case.frontline }}")])
    t.row([L("联系电话"), V("{{ case.phone }}"), L("申请入党日期"), V("{{ case.apply_date }}")])
    t.row([L("上级党组织"), V("{{ org.name }}", span=3)])
    t.row([Cell("培养发展情况", span=4, fill=SECTION_FILL, bold=True)])
    t.row([L("派人谈话日期"), V("{{ case.talk_date }}"), L("确定积极分子日期"),
           V("{{ case.activist_date }}")])
    t.row([L("备案日期"), V("{{ case.activist_filing_date }}"), L("培养联系人"), V(J_CONTACTS)])
    t.row([L("备　　注"), V("", span=3, align="left", valign="top")], height_cm=3.0)
    add_plain(doc, "登记日期：{{ case.registered_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=12)
    add_footer(doc)
    save_docx(doc, path)


def build_talk(path: Path, pack: dict) -> None:
    fields = {f["key"]: f for f in form_fields(pack, "talk")}
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, pack["forms"]["talk"]["label"], after=6)  # 入党申请人谈话记录
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.4, 4.0, 4.4, 3.8])
    # prefilled information
    t.row([L("案卷编号"), V("{{ case.id }}", bookmark="info_case_id"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("姓　　名"), V("{{ case.name }}", bookmark="info_name"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("出生日期"), V("{{ case.birth_date }}"), L("联系电话"), V("{{ case.phone }}")])
    t.row([L("单位及职务"), V(J_UNIT_POST, span=3)])
    t.row([L("申请入党日期"), V("{{ case.apply_date }}"), L("应谈话日期（截止）"),
           V("{{ doc.due_date }}")])
    t.row([Cell("以下由谈话人填写", span=4, fill=SECTION_FILL, bold=True)])
    # input fields: label cell = exact pack label, value cell empty with a bookmark = field key
    for key in ("talk_date", "talker", "talker_post", "summary"):
        f = fields[key]
        if key == "summary":
            t.row([L(f["label"]), V("", span=3, align="left", valign="top", bookmark=key)],
                  height_cm=8.0)
        else:
            t.row([L(f["label"]), V("", span=3, align="left", bookmark=key)])
    extra = set(fields) - {"talk_date", "talker", "talker_post", "summary"}
    if extra:
        raise SystemExit(f"talk form has fields the template does not place: {sorted(extra)}")
    t.row([L("谈话人签名"), V(""), L("谈话对象签名"), V("")])
    add_plain(doc, "填写说明：请在空白栏内填写，日期请写成 2026-03-05 格式；填好后保存，放回 inbox 文件夹。",
              size=SIZE_NOTE, before=6)
    add_footer(doc)
    save_docx(doc, path)


def build_activist_filing(path: Path) -> None:
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "关于确定入党积极分子的备案报告", upward=True)
    body = r.body
    r.addressee()
    body("{{ case.activist.decision_date }}，{{ branch }}{{ case.branch_body }}"
         "{% if case.committee_note %}{{ case.committee_note }}{% endif %}在{{ case.activist.method }}的基础上，"
         "经研究，决定将{{ case.name }}同志（{{ case.gender }}，{{ case.ethnicity }}，"
         "{{ case.birth_month }}出生，{{ case.education }}学历，" + J_UNIT_POST.replace("　", "")
         + "，{{ case.apply_date }}递交入党申请书）确定为入党积极分子，"
         "并指定" + J_CONTACTS + "同志为其培养联系人。")
    body("{{ case.name }}同志的入党申请书、谈话记录及确定入党积极分子情况表已存档"
         "（案卷编号：{{ case.id }}）。")
    body("特此报告。")
    r.signature()
    r.save(path, save_docx)


def build_contact_register(path: Path) -> None:
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "培养联系人登记表", after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.8, 4.0, 4.0, 3.8])
    t.row([L("案卷编号"), V("{{ case.id }}"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("入党积极分子"), V("{{ case.name }}"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("单位及职务"), V(J_UNIT_POST, span=3)])
    t.row([L("确定积极分子日期"), V("{{ case.activist_date }}"), L("报党委备案日期"),
           V("{{ case.activist_filing_date }}")])
    t.row([Cell("培养联系人", fill=SECTION_FILL, bold=True), Cell("姓　　名", fill=SECTION_FILL, bold=True),
           Cell("本人签名", fill=SECTION_FILL, bold=True), Cell("指定日期", fill=SECTION_FILL, bold=True)])
    t.row([L("联系人一"), V("{{ case.activist.contact_1 }}"), V(""),
           V("{{ case.activist.decision_date }}")], height_cm=1.2)
    t.row([L("联系人二"), V("{{ case.activist.contact_2 }}"), V(""),
           V("{% if case.activist.contact_2 %}{{ case.activist.decision_date }}{% endif %}")],
          height_cm=1.2)
    t.row([L("培养联系人职责"),
           V("向入党积极分子介绍党的基本知识；了解其政治觉悟、道德品质、现实表现和家庭情况等，"
             "做好培养教育工作，引导其端正入党动机；及时向党支部汇报情况；向党支部提出能否将"
             "入党积极分子列为发展对象的意见。（《中国共产党发展党员工作细则》第十条）",
             span=3, align="justify", size=SIZE_NOTE)], height_cm=2.4)
    t.row([L("党支部意见"),
           Cell(span=3, align="left", valign="top", lines=[
               "同意指定上述同志为{{ case.name }}同志的培养联系人。",
               "",
               "",
               "党支部书记（签名）：　　　　　　　　{{ branch }}（盖章）",
               "{{ case.activist.decision_date }}",
           ])], height_cm=4.0)
    add_plain(doc, "登记日期：{{ case.activist.decision_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=12)
    add_footer(doc)
    # right-align the date paragraph inside the opinion cell
    last_tc = t.table._tbl.findall(qn("w:tr"))[-1].findall(qn("w:tc"))[-1]
    last_p = last_tc.findall(qn("w:p"))[-1]
    Paragraph(last_p, t.table).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    Paragraph(last_tc.findall(qn("w:p"))[-2], t.table).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    save_docx(doc, path)


def save_docx(doc, path: Path) -> None:
    buf = io.BytesIO()
    doc.save(buf)
    write_normalized_package(buf.getvalue(), path, drop={"docProps/thumbnail.jpeg"})


# ----------------------------------------------------------------------------- xlsx templates

XL_FONT = "宋体"
XL_SIZE = 12
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")   # light yellow: type here
FILL_LABEL = PatternFill("solid", fgColor="F2F2F2")   # light grey labels
FILL_SECTION = PatternFill("solid", fgColor="D9D9D9")
DATE_MIN = dt.date(1950, 1, 1)
DATE_MIN_SERIAL = (DATE_MIN - dt.date(1899, 12, 30)).days  # Excel serial of 1950-01-01

XL_COLS = {"A": 24.0, "B": 20.0, "C": 16.0, "D": 20.0}  # label | value | label/hint | value
XL_NOTE = "填写说明：黄色格子为填写处；日期格式 2026-03-05；填好后保存，放回 inbox 文件夹。"


class SheetBuilder:
    def __init__(self, wb: Workbook, title: str, sheet_name: str):
        self.wb = wb
        self.ws = wb.active
        self.ws.title = sheet_name
        self.sheet_name = sheet_name
        self.row = 1
        self.names: dict[str, str] = {}
        ws = self.ws
        for col, width in XL_COLS.items():
            ws.column_dimensions[col].width = width
        ws.sheet_view.showGridLines = False
        # title
        ws.merge_cells("A1:D1")
        c = ws["A1"]
        c.value = title
        c.font = Font(name="黑体", size=18)
        c.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[1].height = 42
        self.row = 2
        # print setup: A4 portrait, one page wide
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.7, right=0.7, top=0.75, bottom=0.75,
                                      header=0.3, footer=0.3)
        ws.protection.sheet = False

    # -- cell styling
    def _style(self, cell, kind: str, wrap: bool = False, align: str = "left", size=XL_SIZE,
               bold=False, color=None):
        cell.font = Font(name=XL_FONT, size=size, bold=bold, color=color)
        cell.border = BORDER
        cell.alignment = Alignment(horizontal=align, vertical="center" if kind != "long" else "top",
                                   wrap_text=True if wrap or kind in ("label", "long") else False,
                                   indent=1 if kind in ("info", "long") and align == "left" else 0)
        if kind == "label":
            cell.fill = FILL_LABEL
            cell.protection = Protection(locked=True)
        elif kind in ("input", "long"):
            cell.fill = FILL_INPUT
            cell.protection = Protection(locked=False)
        elif kind == "section":
            cell.fill = FILL_SECTION
            cell.protection = Protection(locked=True)
        else:
            cell.protection = Protection(locked=True)

    def _merge(self, r: int, c1: int, c2: int, kind: str, **kw):
        """Merge columns c1..c2 of row r, and border/style every cell of the range."""
        for c in range(c1, c2 + 1):
            self._style(self.ws.cell(r, c), kind, **kw)
        if c2 > c1:
            self.ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
        return self.ws.cell(r, c1)

    def define(self, name: str, cell) -> None:
        if name in self.names:
            raise ValueError(f"duplicate defined name {name}")
        ref = f"'{self.sheet_name}'!${cell.column_letter}${cell.row}"
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)
        self.names[name] = ref

    # -- rows
    def info_row(self, items: list[tuple[str, str]], height: float = 26) -> None:
        """Prefilled info: [(label, defined name), ...], one or two pairs per row."""
        r = self.row
        if len(items) == 1:
            label, name = items[0]
            self._merge(r, 1, 1, "label", align="center").value = label
            cell = self._merge(r, 2, 4, "info")
            cell.number_format = "@"
            self.define(name, cell)
        else:
            for i, (label, name) in enumerate(items):
                lab = self.ws.cell(r, 1 + 2 * i)
                self._style(lab, "label", align="center")
                lab.value = label
                val = self.ws.cell(r, 2 + 2 * i)
                self._style(val, "info")
                val.number_format = "@"
                self.define(name, val)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def section_row(self, text: str) -> None:
        r = self.row
        cell = self._merge(r, 1, 4, "section", align="center", bold=True)
        cell.value = text
        self.ws.row_dimensions[r].height = 24
        self.row += 1

    def input_row(self, field: dict, hint: str = "", height: float = 28) -> None:
        """Label in A, input cell in B (defined name = field key), hint in C:D.
        Long text fields get B:D merged as one tall wrapping cell."""
        r = self.row
        key, ftype = field["key"], field["type"]
        lab = self.ws.cell(r, 1)
        self._style(lab, "label", align="center")
        lab.value = field["label"]
        long_text = ftype == "text" and int(field.get("max_length", 0)) > 200
        if long_text:
            cell = self._merge(r, 2, 4, "long")
            height = 220
        else:
            cell = self.ws.cell(r, 2)
            self._style(cell, "input", align="center")
            hint_cell = self._merge(r, 3, 4, "hint", size=10, color="595959")
            hint_cell.value = hint
            hint_cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True,
                                            indent=1)
        self.define(key, cell)
        self._validate(cell, field)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def _validate(self, cell, field: dict) -> None:
        ftype = field["type"]
        label = field["label"]
        ref = cell.coordinate
        dv = None
        if ftype == "date":
            cell.number_format = "yyyy-mm-dd"
            dv = DataValidation(type="date", operator="greaterThan",
                                formula1=str(DATE_MIN_SERIAL), allow_blank=True)
            dv.errorTitle = "日期有误"
            dv.error = f"“{label}”请填写 1950-01-01 之后的日期，格式如 2026-03-05。"
            dv.promptTitle = label
            dv.prompt = "请填写日期，格式如 2026-03-05。"
        elif ftype == "choice":
            choices = field["choices"]
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                allow_blank=True, showDropDown=False)
            dv.errorTitle = "请从下拉列表选择"
            dv.error = f"“{label}”只能填写：" + "、".join(choices) + "。"
            dv.promptTitle = label
            dv.prompt = "请点右侧箭头，从下拉列表中选择。"
        elif ftype == "int":
            lo, hi = int(field.get("min", 1)), int(field.get("max", 20))
            cell.number_format = "0"
            dv = DataValidation(type="whole", operator="between", formula1=str(lo),
                                formula2=str(hi), allow_blank=True)
            dv.errorTitle = "数字有误"
            dv.error = f"“{label}”请填写 {lo} 至 {hi} 之间的整数。"
            dv.promptTitle = label
            dv.prompt = f"{lo} 至 {hi} 之间的整数。"
        elif ftype == "text" and field.get("max_length"):
            n = int(field["max_length"])
            cell.number_format = "@"
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(n),
                                allow_blank=True)
            dv.errorTitle = "内容过长"
            dv.error = f"“{label}”最多 {n} 个字。"
        if dv is not None:
            dv.showErrorMessage = True
            dv.showInputMessage = bool(dv.prompt)
            dv.errorStyle = "stop"
            dv.add(ref)
            self.ws.add_data_validation(dv)

    def free_row(self, label: str, text: str = "", height: float = 40) -> None:
        """A non-input row for hand-written signatures etc."""
        r = self.row
        lab = self.ws.cell(r, 1)
        self._style(lab, "label", align="center")
        lab.value = label
        cell = self._merge(r, 2, 4, "info", align="right")
        cell.value = text
        cell.alignment = Alignment(horizontal="right", vertical="bottom")
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def note_row(self, text: str = XL_NOTE) -> None:
        r = self.row + 0
        for c in range(1, 5):
            cell = self.ws.cell(r, c)
            cell.font = Font(name=XL_FONT, size=10)
            cell.protection = Protection(locked=True)
        self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        cell = self.ws.cell(r, 1)
        cell.value = text
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.ws.row_dimensions[r].height = 30
        self.ws.print_area = f"A1:D{r}"
        self.row += 1

    def finish(self, path: Path) -> None:
        wb = self.wb
        p = wb.properties
        p.creator = AUTHOR
        p.lastModifiedBy = AUTHOR
        p.created = FIXED_TIME
        p.modified = FIXED_TIME
        p.title = self.ws["A1"].value
        p.language = "zh-CN"
        buf = io.BytesIO()
        wb.save(buf)
        write_normalized_package(buf.getvalue(), path)


HINTS = {
    "date": "日期，格式如 2026-03-05",
    "choice": "点右侧箭头，从下拉列表选择",
}


def field_hint(field: dict) -> str:
    if field["key"] in ("contact_1", "contact_2"):
        return "须为本支部正式党员" + ("（可不填）" if not field.get("required") else "")
    if field["key"] == "period":
        return "由系统填写，一般无需修改"
    if field.get("prefill"):
        return "已按名册预填，如有变化请改正"
    return HINTS.get(field["type"], "")


def build_activist_xlsx(path: Path, pack: dict) -> None:
    form = pack["forms"]["activist"]
    sb = SheetBuilder(Workbook(), form["label"], "积极分子情况表")
    sb.info_row([("上级党组织", "info_org")])
    sb.info_row([("案卷编号", "info_case_id"), ("所在党支部", "info_branch")])
    sb.info_row([("姓名", "info_name"), ("性别", "info_gender")])
    sb.info_row([("出生日期", "info_birth_date"), ("申请入党日期", "info_apply_date")])
    sb.info_row([("派人谈话日期", "info_talk_date"), ("最早可确定日期", "info_due_date")])
    sb.info_row([("决定机构", "info_committee")])
    sb.section_row("以下由党支部填写")
    for f in form["fields"]:
        sb.input_row(f, field_hint(f))
    sb.free_row("党支部书记签名", "年　　月　　日　", height=48)
    sb.note_row()
    sb.finish(path)


def build_assessment_xlsx(path: Path, pack: dict) -> None:
    form = pack["forms"]["assessment"]
    sb = SheetBuilder(Workbook(), form["label"], "考察登记表")
    sb.info_row([("上级党组织", "info_org")])
    sb.info_row([("案卷编号", "info_case_id"), ("所在党支部", "info_branch")])
    sb.info_row([("姓名", "info_name"), ("性别", "info_gender")])
    sb.info_row([("出生日期", "info_birth_date"), ("申请入党日期", "info_apply_date")])
    sb.info_row([("确定积极分子日期", "info_activist_date"), ("本次考察", "info_period_label")])
    sb.info_row([("应交日期", "info_due_date")])
    sb.section_row("以下由党支部填写")
    for f in form["fields"]:
        sb.input_row(f, field_hint(f))
    sb.free_row("党支部书记签名", "年　　月　　日　", height=48)
    sb.note_row()
    sb.finish(path)


# ----------------------------------------------------------------------------- packaging

CORE_DATE_RE = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(created|modified)>)")
FIXED_W3CDTF = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()


def write_normalized_package(data: bytes, path: Path, drop: set[str] = frozenset()) -> None:
    """Rewrite an OOXML zip with fixed timestamps and dates so repeated builds are byte-identical."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = CORE_DATE_RE.sub(lambda m: m.group(1) + FIXED_W3CDTF + m.group(3), blob)
            if info.filename == "[Content_Types].xml" and drop:
                for name in drop:  # drop an Override for a dropped part, if any
                    blob = re.sub(rb'<Override PartName="/' + re.escape(name.encode())
                                  + rb'"[^>]*/>', b"", blob)
            if info.filename == "_rels/.rels" and drop:
                for name in drop:
                    blob = re.sub(rb'<Relationship [^>]*Target="' + re.escape(name.encode())
                                  + rb'"[^>]*/>', b"", blob)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# ----------------------------------------------------------------------------- docx templates of steps 7–25

J_SPONSORS = ("{{ case.sponsors.sponsor_1 }}{% if case.sponsors.sponsor_2 %}、"
              "{{ case.sponsors.sponsor_2 }}{% endif %}")
J_PERSON = ("{{ case.gender }}，{{ case.ethnicity }}，{{ case.birth_month }}出生，{{ case.education }}学历，"
            + J_UNIT_POST.replace("　", ""))
J_HAND_DATE = "{{ by_hand('date') }}"   # a date only staff know when they fill the paper in


def j_sentence(expr: str) -> str:
    """Free text from a form, closed with 。 unless it already ends with punctuation."""
    return ("{{ " + expr + " }}{% if " + expr + " and " + expr
            + "[-1] not in '。．.！!？?；;' %}。{% endif %}")


class Report:
    """An official-layout report: 黑体 22pt title, 仿宋 16pt body with a 2-character first-line
    indent and fixed 28pt line spacing, right-aligned signature block (as activist_filing.docx)."""

    def __init__(self, title: str, title_after: float = 28.0):
        self.doc = new_document(FONT_BODY, SIZE_BODY)
        add_title(self.doc, title, before=0, after=title_after)

    def body(self, text: str, indent: bool = True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
             right_chars: int = 0, font: str = FONT_BODY):
        p = self.doc.add_paragraph()
        para_format(p, align=align, line_exact=28, first_line_chars=2 if indent else 0,
                    right_indent_chars=right_chars)
        if text:
            add_run(p, text, font, SIZE_BODY)
        return p

    def heading(self, text: str):
        """A first-level heading (一、…): 黑体 16pt, indented like the body."""
        return self.body(text, font=FONT_TITLE)

    def lead(self, heading: str, text: str):
        """A paragraph opening with an inline first-level heading (黑体) followed by body text."""
        p = self.body(heading, font=FONT_TITLE)
        add_run(p, text, FONT_BODY, SIZE_BODY)
        return p

    def tag(self, text: str):
        """A paragraph holding only a docxtpl {%p … %} tag (the paragraph disappears)."""
        return self.body(text, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)

    def subtitle(self, text: str, after: float = 12.0):
        p = self.doc.add_paragraph()
        para_format(p, align=WD_ALIGN_PARAGRAPH.CENTER, after=after)
        add_run(p, text, FONT_BODY, SIZE_BODY)
        return p

    def signature(self, *lines: str, blank_lines: int = 2) -> None:
        """The organisation and the date at the right. A record signed in an organisation's name is sealed there:
        its name is followed by （盖章） — the one seal mark of every record (a 公文's seal goes over its signature
        and date, unmarked, as GB/T 9704 has it)."""
        for _ in range(blank_lines):
            self.body("", indent=False)
        for i, line in enumerate(lines):
            sealed = i == 0 and line.startswith("{{ branch }}") and not line.endswith("（盖章）")
            self.body(line + ("（盖章）" if sealed else ""), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT,
                      right_chars=2)

    def save(self, path: Path, footer: bool = True) -> None:
        if footer:
            add_footer(self.doc)
        save_docx(self.doc, path)


def right_align_last_paragraphs(table_builder: TableBuilder, n: int) -> None:
    """Right-align the last n paragraphs of the last cell of the table (signature lines)."""
    last_tc = table_builder.table._tbl.findall(qn("w:tr"))[-1].findall(qn("w:tc"))[-1]
    for p in last_tc.findall(qn("w:p"))[-n:]:
        Paragraph(p, table_builder.table).alignment = WD_ALIGN_PARAGRAPH.RIGHT


def build_target_filing(path: Path) -> None:
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "关于确定发展对象的备案报告", upward=True)
    r.addressee()
    r.body("{{ case.target.decision_date }}，{{ branch }}{{ case.branch_body }}"
           "{% if case.committee_note %}{{ case.committee_note }}{% endif %}在听取党小组、培养联系人和党员群众意见的"
           "基础上，经研究，决定将入党积极分子{{ case.name }}同志（" + J_PERSON
           + "，{{ case.apply_date }}递交入党申请书，{{ case.activist_date }}被确定为入党积极分子）"
           "确定为发展对象，确定为发展对象时间为{{ case.target_date }}。")
    r.body("该同志自被确定为入党积极分子以来，已经过一年以上的培养教育和考察，党支部每半年进行一次考察，"
           "考察材料齐全。")
    r.body("听取意见情况：" + j_sentence("case.target.opinions_summary"))
    r.body("特此报告。")
    r.signature()
    r.save(path, save_docx)


def build_public_notice(path: Path) -> None:
    """发展对象 / 接收预备党员 / 转正 公示 — one template; the wording comes from doc.text.
    Only what a public notice may show: no ID number, phone, address, family, review or assessment."""
    r = Report("{{ doc.title }}")
    r.body("根据《中国共产党发展党员工作细则》的有关规定，经{{ branch }}研究，{{ case.name }}同志"
           "{{ doc.text.purpose }}，现将有关情况公示如下：")
    doc = r.doc
    p = doc.add_paragraph()
    para_format(p, line_exact=10)   # a little air before the table
    t = TableBuilder(doc, [2.0, 1.3, 3.0, 1.5, 2.3, 5.5])
    t.row([L("姓　名"), L("性别"), L("出生年月"), L("民族"), L("学　历"), L("工作单位及职务")])
    t.row([V("{{ case.name }}"), V("{{ case.gender }}"), V("{{ case.birth_month }}"),
           V("{{ case.ethnicity }}"), V("{{ case.education }}"), V(J_UNIT_POST)], height_cm=1.2)
    t.row([L("{{ doc.text.key_date_label }}", span=3), V("{{ case[doc.text.key_date] }}", span=3)])
    p = doc.add_paragraph()
    para_format(p, line_exact=14)   # a little air after the table
    r.body("公示期为{{ settings.publicity_length }}"
           "{% if settings.publicity_unit == 'working_day' %}个工作日{% else %}天{% endif %}。")
    r.body("公示时间：" + J_HAND_DATE + "至" + J_HAND_DATE + "。")
    r.body("公示期间，党员和群众可通过来信、来电、来访等方式，向{{ org.feedback or org.name }}"
           "反映该同志的有关情况和问题。反映问题应实事求是，以个人名义反映的请提供真实姓名和联系方式，"
           "以单位名义反映的请加盖公章；我们将对反映人的情况严格保密。")
    r.signature("{{ branch }}", J_HAND_DATE, blank_lines=1)
    r.save(path, footer=False)   # posted publicly: no case number in the footer


def build_enquiry_letter(path: Path) -> None:
    r = Report("政治审查函调函")
    r.body("{{ by_hand('line') }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    # left-aligned: the 18-digit number cannot break, and justified lines would be stretched around it
    r.body("{{ case.name }}同志（{{ case.gender }}，{{ case.ethnicity }}，{{ case.birth_month }}出生，"
           "{{ case.education }}学历，现在{{ case.unit }}工作{% if case.post %}（{{ case.post }}）{% endif %}"
           "，公民身份号码{{ case.id_number }}）已被{{ branch }}确定为发展对象。"
           "根据《中国共产党发展党员工作细则》第十六条、第十七条的规定，需对其进行政治审查。",
           align=WD_ALIGN_PARAGRAPH.LEFT)
    r.body("请贵单位协助了解该同志（或其亲属）的有关情况，主要包括：对党的理论和路线、方针、政策的态度；"
           "政治历史和在重大政治斗争中的表现；遵纪守法和遵守社会公德情况；与其关系密切的主要亲属和"
           "社会关系的政治情况等。请将了解到的情况如实写明，加盖公章后函复我们。")
    r.body("请于" + J_HAND_DATE + "前函复为盼。")
    r.body("联系人：{{ by_hand('name') }}　联系电话：{{ by_hand('phone') }}", indent=True)
    r.signature("{{ branch }}", J_HAND_DATE)
    r.save(path)


def build_review_report(path: Path) -> None:
    r = Report("政治审查综合报告")
    r.body("{{ org.name }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    r.body("根据《中国共产党发展党员工作细则》的规定，{{ branch }}对发展对象{{ case.name }}同志"
           "进行了政治审查，现报告如下：")
    r.lead("一、基本情况。", "{{ case.name }}，" + J_PERSON + "。{{ case.apply_date }}递交入党申请书，"
           "{{ case.activist_date }}被确定为入党积极分子，{{ case.target_date }}被确定为发展对象。")
    r.lead("二、审查方式和内容。", "审查方式：" + j_sentence("case.review.methods")
           + "审查内容：对党的理论和路线、方针、政策的态度；政治历史和在重大政治斗争中的表现；"
           "遵纪守法和遵守社会公德情况；主要亲属和社会关系的政治情况。")
    r.lead("三、审查结论。", "经审查，{{ case.name }}同志的政治审查结论为：{{ case.review.conclusion }}。"
           "{% if case.review.conclusion == \"通过\" %}该同志拥护党的路线、方针、政策，"
           "政治历史清楚，遵纪守法，主要亲属和社会关系中未发现影响其入党的问题。"
           "{% else %}有关情况的说明和材料另附。{% endif %}")
    r.body("特此报告。")
    r.signature("{{ branch }}", "{{ case.review.review_date }}", blank_lines=1)
    r.save(path)


def build_prereview_request(path: Path) -> None:
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "关于发展对象的预审请示", upward=True)
    r.addressee()
    r.body("{{ branch }}发展对象{{ case.name }}同志（" + J_PERSON
           + "）于{{ case.apply_date }}递交入党申请书，{{ case.activist_date }}被确定为入党积极分子，"
           "{{ case.target_date }}被确定为发展对象。")
    r.body("党支部确定" + J_SPONSORS + "同志为其入党介绍人。{{ case.training.start }}至"
           "{{ case.training.end }}，该同志参加了发展对象短期集中培训"
           "{% if case.training.hours %}，共{{ case.training.hours }}学时{% endif %}，培训合格"
           "{% if case.training.certificate_no %}（结业证书编号：{{ case.training.certificate_no }}）"
           "{% endif %}。经政治审查，结论为“{{ case.review.conclusion }}”。")
    r.body("{{ case.committee }}于" + J_HAND_DATE + ""
           "对其进行了审查，认为该同志基本具备党员条件。现将有关材料报上，请予预审。")
    r.body("妥否，请批示。")
    r.body("附件：入党申请书、培养教育考察材料、政治审查综合报告、培训结业证明", indent=True)
    r.signature()
    r.save(path, save_docx)


J_SET_VOTE = "{%p set v = case[doc.text.vote] %}"
J_EXCLUDED = ("{% for e in v.tally.excluded_list %}{{ e.name }}（{{ e.reason }}）"
              "{% if not loop.last %}；{% endif %}{% else %}无{% endfor %}")
J_IS_ADMISSION = 'doc.text.vote == "admission_vote"'
J_EXTEND = "v.extend_months is defined and v.extend_months"


def build_meeting_minutes(path: Path) -> None:
    """支部大会会议记录 for admission and 转正 (vote data: case[doc.text.vote]). Counts only."""
    r = Report("支部大会会议记录", title_after=6)
    doc = r.doc
    r.tag(J_SET_VOTE)
    r.subtitle("（{{ doc.text.subject }}）　{{ branch }}")
    t = TableBuilder(doc, [3.4, 4.4, 3.4, 4.4])
    t.row([L("时　　间"), V("{{ v.meeting_date }}"), L("地　　点"), V("{{ v.place }}")])
    t.row([L("主 持 人"), V("{{ v.chair }}"), L("记 录 人"), V("{{ v.recorder }}")])
    t.row([L("党员人数"), V("共{{ v.members_total }}人：正式党员{{ v.members_full }}人"
                             "{% if v.members_discipline %}（其中受留党察看处分{{ v.members_discipline }}人，"
                             "察看期间没有表决权）{% endif %}，"
                             "预备党员{{ v.members_probationary }}人（预备党员没有表决权）",
                             span=3, align="left")])
    t.row([L("应到会"), V("{{ v.tally.due }}人"), L("实到会"), V("{{ v.present_voting }}人")])
    t.row([L("缺　　席"), V("{% if v.tally.due is number and v.present_voting is number %}"
                            "{{ v.tally.due - v.present_voting }}人{% endif %}"),
           L("书面意见"), V("{{ (v.written_yes or 0) + (v.written_no or 0) + (v.written_abstain or 0) }}份")])
    t.row([L("不计入应到会人数及原因", size=SIZE_NOTE), V(J_EXCLUDED, span=3, align="left")])
    add_plain(doc, "注：应到会、实到会均指有表决权的正式党员。", size=SIZE_NOTE, before=3, after=6)
    r.heading("一、议题")
    r.body("{{ doc.text.subject }}：{{ case.name }}同志（{{ case.gender }}，{{ case.birth_month }}出生，"
           + J_UNIT_POST.replace("　", "") + "）。")
    r.heading("二、会议议程")
    r.tag("{%p if " + J_IS_ADMISSION + " %}")
    for item in (
        "1. 主持人宣布会议开始，报告到会人数；",
        "2. 发展对象汇报对党的认识、入党动机、本人履历、家庭和主要社会关系情况，以及需要向党组织说明的问题；",
        "3. 入党介绍人介绍发展对象有关情况，并对其能否入党表明意见；",
        "4. 党支部报告对发展对象的审查情况；",
        "5. 与会党员对发展对象能否入党进行充分讨论；",
        "6. 采取无记名投票方式进行表决，宣读会前书面意见，当场计票并宣布表决结果。",
    ):
        r.body(item)
    r.tag("{%p else %}")
    for item in (
        "1. 主持人宣布会议开始，报告到会人数；",
        "2. 预备党员宣读转正申请，汇报预备期间的思想、学习、工作情况；",
        "3. 入党介绍人介绍其预备期间的表现，并对其能否转正表明意见；",
        "4. 党支部报告对预备党员的教育考察情况和意见；",
        "5. 与会党员对其能否转为正式党员进行充分讨论；",
        "6. 采取无记名投票方式进行表决，宣读会前书面意见，当场计票并宣布表决结果。",
    ):
        r.body(item)
    r.tag("{%p endif %}")
    r.heading("三、讨论发言要点")
    r.body("（记录发展对象或预备党员的汇报、入党介绍人和党支部的意见、与会党员的发言要点，可另附页。）")
    for _ in range(3):
        r.body("", indent=False)
    r.heading("四、表决情况")
    r.body("应到会有表决权的正式党员{{ v.tally.due }}人（正式党员{{ v.members_full }}人，"
           "{% if v.tally.discipline %}受留党察看处分{{ v.tally.discipline }}人，{% endif %}"
           "不计入应到会人数{{ v.tally.excluded }}人），实到会{{ v.present_voting }}人，"
           "{% if v.present_voting is number and v.present_voting * 2 > v.tally.due %}超过应到会人数的半数，"
           "会议有效{% else %}未超过应到会人数的半数{% endif %}。会前书面表示同意{{ v.written_yes or 0 }}人、"
           "不同意{{ v.written_no or 0 }}人、弃权{{ v.written_abstain or 0 }}人。")
    r.body("发出表决票{{ v.ballots_issued }}张，收回{{ v.ballots_returned }}张。计票结果：赞成{{ v.yes }}票，"
           "反对{{ v.no }}票，弃权{{ v.abstain }}票。赞成票与会前书面同意合计{{ v.tally.ayes }}票，"
           "{% if v.tally.passed %}超过{% else %}未超过{% endif %}应到会有表决权正式党员人数的半数"
           "（须至少{{ v.tally.needed }}票）。")
    r.heading("五、表决结果")
    r.body("表决结果：{{ v.outcome }}。"
           "{% if v.outcome in ('通过', '按期转正') %}同意将{{ case.name }}同志{{ doc.text.motion }}。"
           "{% elif v.outcome == '延长预备期' %}同意延长{{ case.name }}同志的预备期"
           "{% if " + J_EXTEND + " %}{{ v.extend_months }}个月{% endif %}。"
           "{% elif v.outcome == '取消预备党员资格' %}同意取消{{ case.name }}同志的预备党员资格。"
           "{% else %}不同意将{{ case.name }}同志{{ doc.text.motion }}。{% endif %}")
    r.body("", indent=False)
    r.body("主持人（签名）：{{ by_hand('name') }}　记录人（签名）：{{ by_hand('name') }}", indent=False,
           align=WD_ALIGN_PARAGRAPH.RIGHT)
    r.save(path)


def build_resolution(path: Path) -> None:
    """支部大会决议: admission (通过 / 不通过) and 转正 (按期转正 / 延长预备期 / 取消预备党员资格)."""
    r = Report("{{ branch }}支部大会决议", title_after=6)
    r.tag(J_SET_VOTE)
    r.subtitle("（{{ doc.text.subject }}）", after=22)
    r.body("{{ v.meeting_date }}，{{ branch }}召开支部大会，讨论{{ case.name }}同志"
           "{% if " + J_IS_ADMISSION + " %}的入党问题{% else %}的转正问题{% endif %}。"
           "应到会有表决权的正式党员{{ v.tally.due }}人，实到会{{ v.present_voting }}人，"
           "符合规定人数。会议采取无记名投票方式表决，赞成{{ v.yes }}票，反对{{ v.no }}票，"
           "弃权{{ v.abstain }}票{% if v.written_yes %}；另有会前书面表示同意{{ v.written_yes }}人{% endif %}。"
           "赞成票与会前书面同意合计{{ v.tally.ayes }}票，"
           "{% if v.tally.passed %}超过{% else %}未超过{% endif %}应到会有表决权正式党员人数的半数。")
    r.tag("{%p if v.outcome == '通过' %}")
    r.body("支部大会认为，{{ case.name }}同志经过党组织的培养教育和考察，已基本具备党员条件。"
           "支部大会决定：接收{{ case.name }}同志为中共预备党员，入党时间为{{ case.admission_meeting_date }}，"
           "预备期一年。报{{ org.name }}审批。")
    r.tag("{%p elif v.outcome == '按期转正' %}")
    r.body("支部大会认为，{{ case.name }}同志在预备期间能够认真履行党员义务，已具备正式党员条件。"
           "支部大会决定：同意{{ case.name }}同志"
           "{% if doc.text.vote == 'conversion_vote_ext' %}转为中共正式党员{% else %}按期转为中共正式党员{% endif %}，"
           "转正时间为{{ case.probation_end }}。报{{ org.name }}审批。")
    r.tag("{%p elif v.outcome == '延长预备期' %}")
    r.body("支部大会认为，{{ case.name }}同志在预备期间尚不完全具备正式党员条件，需要继续进行教育和考察。"
           "支部大会决定：延长{{ case.name }}同志的预备期"
           "{% if " + J_EXTEND + " %}{{ v.extend_months }}个月{% endif %}"
           "，至{{ case.proposed_probation_end }}期满。报{{ org.name }}审批。")
    r.tag("{%p elif v.outcome == '取消预备党员资格' %}")
    r.body("支部大会认为，{{ case.name }}同志在预备期间不履行党员义务，不具备党员条件。"
           "支部大会决定：取消{{ case.name }}同志的预备党员资格。报{{ org.name }}审批。")
    r.tag("{%p else %}")
    r.body("支部大会决定：不同意{% if " + J_IS_ADMISSION + " %}接收{{ case.name }}同志为中共预备党员"
           "{% else %}{{ case.name }}同志转为中共正式党员{% endif %}。党支部将继续对其进行培养教育和考察。")
    r.tag("{%p endif %}")
    r.signature("{{ branch }}", "{{ v.meeting_date }}")
    r.save(path)


def build_approval_request(path: Path) -> None:
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "关于接收预备党员的请示", upward=True)
    r.tag("{%p set v = case.admission_vote %}")
    r.addressee()
    r.body("{{ v.meeting_date }}，{{ branch }}召开支部大会，讨论发展对象{{ case.name }}同志的入党问题。"
           "应到会有表决权的正式党员{{ v.tally.due }}人，实到会{{ v.present_voting }}人。经无记名投票表决，"
           "赞成{{ v.yes }}票，反对{{ v.no }}票，弃权{{ v.abstain }}票"
           "{% if v.written_yes %}，另有会前书面表示同意{{ v.written_yes }}人{% endif %}，"
           "赞成票与会前书面同意合计{{ v.tally.ayes }}票，超过应到会有表决权正式党员人数的半数。"
           "支部大会通过决议，同意接收{{ case.name }}同志为"
           "中共预备党员。")
    r.body("{{ case.name }}同志，" + J_PERSON + "。{{ case.apply_date }}递交入党申请书，"
           "{{ case.activist_date }}被确定为入党积极分子，{{ case.target_date }}被确定为发展对象；"
           "入党介绍人为" + J_SPONSORS + "同志；政治审查结论为“{{ case.review.conclusion }}”；"
           "{{ case.prereview_date }}经{{ org.name }}预审同意。")
    r.body("现将{{ case.name }}同志的入党志愿书"
           "{% if case.prereview.volunteer_book_no %}（编号：{{ case.prereview.volunteer_book_no }}）{% endif %}"
           "及支部大会决议等有关材料报上，请审批。")
    r.body("妥否，请批示。")
    r.signature()
    r.save(path, save_docx)


J_CONVERSION_VOTE = ("{%p set v = case.conversion_vote_ext if case.conversion_vote_ext.meeting_date "
                     "else case.conversion_vote %}")


def build_conversion_request(path: Path) -> None:
    """关于预备党员转正 / 延长预备期 / 取消预备党员资格的请示 (doc.text.outcome); the latest conversion vote."""
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "{{ doc.title }}", upward=True)
    r.tag(J_CONVERSION_VOTE)
    r.addressee()
    r.body("{{ v.meeting_date }}，{{ branch }}召开支部大会，讨论预备党员{{ case.name }}同志的转正问题。"
           "应到会有表决权的正式党员{{ v.tally.due }}人，实到会{{ v.present_voting }}人。经无记名投票表决，"
           "赞成{{ v.yes }}票，反对{{ v.no }}票，弃权{{ v.abstain }}票"
           "{% if v.written_yes %}，另有会前书面表示同意{{ v.written_yes }}人{% endif %}，"
           "赞成票与会前书面同意合计{{ v.tally.ayes }}票，超过应到会有表决权正式党员人数的半数。")
    r.body("{{ case.name }}同志，" + J_PERSON + "。{{ case.join_date }}经支部大会讨论接收为中共预备党员，"
           "{{ case.approval_date }}经{{ org.name }}批准，预备期{% if case.extended_months %}原定{% endif %}"
           "至{{ case.original_probation_end }}期满{% if case.extended_months %}，经批准延长预备期"
           "{{ case.extended_months }}个月，至{{ case.probation_end }}期满{% endif %}；"
           "{{ case.conversion_apply_date }}提出转正申请。")
    r.tag('{%p if doc.text.outcome == "按期转正" %}')
    r.body("支部大会认为，该同志在预备期间能够认真履行党员义务，具备正式党员条件，决定同意"
           "{% if case.extended_months %}其转为中共正式党员{% else %}其按期转为中共正式党员{% endif %}，"
           "转正时间为{{ case.probation_end }}。")
    r.tag('{%p elif doc.text.outcome == "延长预备期" %}')
    r.body("支部大会认为，该同志在预备期间尚不完全具备正式党员条件，需要继续教育和考察，决定延长其预备期"
           "{{ v.extend_months }}个月，至{{ case.proposed_probation_end }}期满。")
    r.tag("{%p else %}")
    r.body("支部大会认为，该同志在预备期间不履行党员义务，不具备党员条件，决定取消其预备党员资格。")
    r.tag("{%p endif %}")
    r.body("现将支部大会决议、{{ case.name }}同志的转正申请书及预备期考察材料报上，请审批。妥否，请批示。")
    r.signature()
    r.save(path, save_docx)


def build_approval_notice(path: Path) -> None:
    """The committee's 批复 on an admission or on the outcome of a conversion vote (doc.text.subject):
    接收预备党员 / 不同意接收预备党员 / 预备党员转正 / 延长预备期 / 取消预备党员资格 / 不同意转正问题决议."""
    r = Gongwen(new_document(FONT_BODY, SIZE_BODY), "{{ doc.title }}", upward=False)
    r.addressee()
    r.tag('{%p if doc.text.subject == "接收预备党员" %}')
    r.body("你支部关于接收{{ case.name }}同志为中共预备党员的请示收悉。经{{ org.name }}"
           "{{ case.admission_approval.approval_date }}研究，同意接收{{ case.name }}同志为中共预备党员，"
           "入党时间为{{ case.join_date }}，预备期一年，至{{ case.probation_end }}期满。")
    r.body("请按照有关规定，及时将其编入党支部和党小组，组织入党宣誓，并对其继续进行教育和考察。")
    r.tag('{%p elif doc.text.subject == "不同意接收预备党员" %}')
    r.body("你支部关于接收{{ case.name }}同志为中共预备党员的请示收悉。经{{ org.name }}"
           "{{ case.admission_approval.approval_date }}研究，不同意接收{{ case.name }}同志为中共预备党员。")
    r.body("请党支部继续对其进行培养教育和考察，具备条件后再按程序提交支部大会讨论。")
    r.tag('{%p elif doc.text.subject == "预备党员转正" %}')
    r.body("你支部关于{{ case.name }}同志转为中共正式党员的请示收悉。经{{ org.name }}"
           "{{ case.conversion_approval.approval_date }}研究，同意{{ case.name }}同志"
           "{% if case.extended_months %}转为{% else %}按期转为{% endif %}中共正式党员，"
           "转正时间为{{ case.full_date }}，党龄自转正之日算起。")
    r.body("请及时将其入党材料整理归档。")
    r.tag('{%p elif doc.text.subject == "延长预备期" %}')
    r.body("你支部关于延长预备党员{{ case.name }}同志预备期的请示收悉。经{{ org.name }}"
           "{{ case.conversion_approval.approval_date }}研究，同意延长{{ case.name }}同志的预备期"
           "{{ case.extended_months }}个月，至{{ case.probation_end }}期满。")
    r.body("请党支部继续对其进行教育和考察，延长期满后及时召开支部大会讨论其能否转为正式党员。")
    r.tag('{%p elif doc.text.subject == "取消预备党员资格" %}')
    r.body("你支部关于取消{{ case.name }}同志预备党员资格的请示收悉。经{{ org.name }}"
           "{{ case.conversion_approval.approval_date }}研究，同意取消{{ case.name }}同志的预备党员资格。")
    r.body("请党支部做好本人的思想工作，并将有关材料整理存档。")
    r.tag("{%p else %}")
    r.body("你支部关于{{ case.name }}同志转正问题的请示收悉。经{{ org.name }}"
           "{{ case.conversion_approval.approval_date }}研究，不同意支部大会关于{{ case.name }}同志"
           "“{{ case.conversion_outcome }}”的决议。")
    r.body("请党支部进一步了解情况，重新召开支部大会讨论，并将结果报{{ org.name }}审批。")
    r.tag("{%p endif %}")
    r.body("此复。")
    r.signature()
    r.save(path, save_docx)


OATH_TEXT = ("我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，执行党的决定，严守党的纪律，"
             "保守党的秘密，对党忠诚，积极工作，为共产主义奋斗终身，随时准备为党和人民牺牲一切，永不叛党。")


def build_oath_record(path: Path) -> None:
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "入党宣誓记录", after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.4, 4.4, 3.4, 4.4])
    t.row([L("案卷编号"), V("{{ case.id }}"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("宣 誓 人"), V("{{ case.name }}"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("入党时间"), V("{{ case.join_date }}"), L("编入党小组"), V("{{ case.oath.group }}")])
    t.row([L("宣誓日期"), V("{{ case.oath.oath_date }}"), L("宣誓地点"), V("{{ case.oath.place }}")])
    t.row([L("主 持 人"), V(""), L("领 誓 人"), V("")])
    t.row([L("参加人员"), V("", span=3, align="left", valign="top")], height_cm=2.0)
    t.row([L("入党誓词"), V(OATH_TEXT, span=3, align="justify")], height_cm=2.6)
    t.row([L("仪式程序"), Cell(span=3, align="left", valign="center", lines=[
        "1. 主持人宣布入党宣誓仪式开始；",
        "2. 奏（唱）《国际歌》；",
        "3. 宣誓人面向党旗，举起右手，由领誓人领读誓词，宣誓人跟读；",
        "4. 宣誓人报出自己的姓名；",
        "5. 新党员代表、老党员代表和党组织负责人讲话；",
        "6. 主持人宣布入党宣誓仪式结束。",
    ])], height_cm=3.6)
    t.row([L("备　　注"), V("", span=3, align="left", valign="top")], height_cm=1.6)
    t.row([L("宣誓人签名"), V(""), L("记录人签名"), V("")], height_cm=1.2)
    add_plain(doc, "记录日期：{{ case.oath.oath_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT,
              before=12)
    add_footer(doc)
    save_docx(doc, path)


J_TRANSFER = 'doc.text.purpose == "随组织关系转出"'


def build_archive_index(path: Path) -> None:
    """发展党员材料归档目录; also 转出材料清单 (doc.text.purpose = "随组织关系转出")."""
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "{{ doc.title }}", after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.4, 4.4, 3.4, 4.4])
    h = 0.7
    t.row([L("姓　　名"), V("{{ case.name }}"), L("所在党支部"), V("{{ case.branch }}")], height_cm=h)
    t.row([L("入党时间"), V("{{ case.join_date }}"), L("转正时间"), V("{{ case.full_date }}")],
          height_cm=h)
    t.row([V("{%tr if " + J_TRANSFER + " %}", span=4)])
    t.row([L("转出日期"), V("{{ case.transfer_out.transfer_date }}"), L("转往党组织"),
           V("{{ case.transfer_out.to_org }}")], height_cm=h)
    t.row([V("{%tr else %}", span=4)])
    t.row([L("归档类别"), V("{{ case.archive.archive_type }}"), L("归档日期"),
           V("{{ case.archive.archive_date }}")], height_cm=h)
    t.row([L("存放地点"), V("{{ case.archive.location }}", span=3)], height_cm=h)
    t.row([V("{%tr endif %}", span=4)])
    p = doc.add_paragraph()
    para_format(p, line_exact=10)   # a little air between the tables
    d = TableBuilder(doc, [1.2, 6.8, 5.2, 1.2, 1.2])
    d.row([L("序号"), L("材料名称"), L("形成时间"), L("页数"), L("备注")], height_cm=0.8)
    d.row([V("{%tr for item in dossier if item.date or not (" + J_TRANSFER + ") %}", span=5)])
    small = dict(size=SIZE_NOTE)   # 五号, as registers are: fifteen rows and the signatures on one page
    d.row([V("{{ item.no }}", **small), V("{{ item.title }}{% if item.core %}★{% endif %}", align="left", **small),
           V("{{ item.date }}", **small), V(""), V("")], height_cm=0.62)
    d.row([V("{%tr endfor %}", span=5)])
    add_plain(doc, "注：标★的为应归入档案的核心材料（入党申请书、培养教育考察材料、政治审查材料、"
              "入党志愿书、转正申请书）。", size=SIZE_NOTE, before=3)
    add_plain(doc, "{%p if " + J_TRANSFER + " %}")
    add_plain(doc, "以上材料随{{ case.name }}同志的组织关系一并转出，转往{{ case.transfer_out.to_org }}。"
                  "请接收党组织核对后签收。", before=6)
    add_plain(doc, "移交人（签名）：{{ by_hand('name') }}　　接收人（签名）：{{ by_hand('name') }}", before=12,
              align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_plain(doc, "{%p else %}")
    add_plain(doc, "归档人（签名）：{{ by_hand('name') }}　　审核人（签名）：{{ by_hand('name') }}", before=12,
              align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_plain(doc, "{%p endif %}")
    add_plain(doc, "{% if " + J_TRANSFER + " %}{{ case.transfer_out.transfer_date }}"
                  "{% else %}{{ case.archive.archive_date }}{% endif %}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=3)
    add_footer(doc)
    save_docx(doc, path)


def build_committee_talk(path: Path, pack: dict) -> None:
    """上级党委派人谈话记录: like talk.docx (bookmarks named after the field keys)."""
    form = pack["forms"]["committee_talk"]
    fields = {f["key"]: f for f in form["fields"]}
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, form["label"], after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.2, 3.8, 4.2, 4.4])
    t.row([L("案卷编号"), V("{{ case.id }}", bookmark="info_case_id"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("姓　　名"), V("{{ case.name }}", bookmark="info_name"), L("性　　别"), V("{{ case.gender }}")])
    t.row([L("出生日期"), V("{{ case.birth_date }}"), L("学　　历"), V("{{ case.education }}")])
    t.row([L("单位及职务"), V(J_UNIT_POST, span=3)])
    t.row([L("入党介绍人"), V(J_SPONSORS), L("支部大会通过日期"), V("{{ case.admission_meeting_date }}")])
    t.row([Cell("以下由上级党委派出的谈话人填写", span=4, fill=SECTION_FILL, bold=True)])
    order = ("talk_date", "talker", "summary")
    for key in order:
        f = fields[key]
        if key == "summary":
            t.row([L(f["label"]), V("", span=3, align="left", valign="top", bookmark=key)],
                  height_cm=9.0)
        else:
            t.row([L(f["label"]), V("", span=3, align="left", bookmark=key)])
    extra = set(fields) - set(order)
    if extra:
        raise SystemExit(f"committee_talk form has fields the template does not place: {sorted(extra)}")
    t.row([L("谈话人签名"), V(""), L("谈话对象签名"), V("")])
    add_plain(doc, "填写说明：谈话主要了解发展对象对党的认识、入党动机和表现，帮助其进一步端正入党动机；"
              "请在空白栏内填写，日期请写成 2026-03-05 格式；填好后保存，放回 inbox 文件夹。",
              size=SIZE_NOTE, before=6)
    add_footer(doc)
    save_docx(doc, path)


# ----------------------------------------------------------------------------- xlsx forms of steps 7–25
#
# Built generically from pack.toml: one workbook per .xlsx template named by a [documents.*] entry
# (and one per form no document collects yet), same layout as activist.xlsx / assessment.xlsx:
# merged title row, prefilled info rows (defined names info_*), a section row, one input row per
# field (workbook-level defined name = field key, data validation, yellow fill), a signature row
# and a note row.  The two vote forms get a grouped layout (see build_vote_xlsx).

SECTION_BRANCH = "以下由党支部填写"
SECTION_COMMITTEE = "以下根据上级党委审批意见填写"
SIGN_BRANCH = "党支部书记签名"
SIGN_CLERK = "经办人签名"
SIGN_DATE = "年　　月　　日　"

BIRTH = ("出生日期", "info_birth_date")
APPLY = ("申请入党日期", "info_apply_date")
DUE = ("应交日期", "info_due_date")
TARGET = ("确定发展对象日期", "info_target_date")
JOIN = ("入党时间", "info_join_date")
PROBATION_END = ("预备期满日期", "info_probation_end")

# Per form: sheet name, title (default: the form label), info rows after 上级党组织 / 案卷编号+所在党支部 /
# 姓名+性别 (a row = 1 or 2 (label, defined name) pairs; long labels go first, the 2nd label column
# is narrower), whether an info_title row goes under the title, the section row and signature label.
FORM_SPECS: dict[str, dict] = {
    "evaluation": dict(info=[[BIRTH, APPLY], [("确定积极分子日期", "info_activist_date"), ("当前阶段", "info_state")]],
                       note="测评规则：每位参加测评的党员和群众发一张测评票；同意、不同意、弃权三项之和须等于收回票数，"
                            "收回票数不超过发出票数；同意票占收回票数达到本党委规定的比例（默认三分之二）为通过。"
                            "表内只填人数和票数，不填谁投了什么票。"),
    "target": dict(info=[[BIRTH, APPLY], [("确定积极分子日期", "info_activist_date"), ("满一年之日", "info_due_date")],
                         [("决定机构", "info_committee")]]),
    "publicity": dict(title="公示情况表", sheet="公示情况表", info_title=True, info=[[TARGET, BIRTH]]),
    "sponsors": dict(info=[[TARGET, BIRTH]]),
    "review": dict(info=[[BIRTH, ("民　　族", "info_ethnicity")], [TARGET, ("学　　历", "info_education")]]),
    "training": dict(info=[[TARGET, BIRTH]]),
    "prereview": dict(info=[[TARGET, BIRTH],
                            [("政治审查日期", "info_review_date"), ("政审结论", "info_review_conclusion")],
                            [("审查机构", "info_committee")]]),
    "admission_vote": dict(info=[[TARGET, BIRTH], [("上级党委预审日期", "info_prereview_date")]]),
    "conversion_vote": dict(info_title=True, info=[[JOIN, BIRTH], [PROBATION_END, DUE]]),
    "admission_approval": dict(info=[[BIRTH, DUE], [("支部大会通过日期", "info_admission_meeting_date")]],
                               section=SECTION_COMMITTEE, sign=SIGN_CLERK),
    "oath": dict(info=[[BIRTH, JOIN], [("上级党委审批日期", "info_approval_date")]]),
    "probation_assessment": dict(info=[[BIRTH, JOIN], [("本次考察", "info_period_label"), DUE]]),
    "conversion_apply": dict(info=[[BIRTH, JOIN], [PROBATION_END, DUE]]),
    "conversion_approval": dict(info=[[BIRTH, JOIN], [("支部大会讨论转正日期", "info_conversion_meeting_date"),
                                                      ("支部大会决议", "info_conversion_outcome")],
                                      [PROBATION_END, DUE]],
                                section=SECTION_COMMITTEE, sign=SIGN_CLERK),
    "archive": dict(info=[[BIRTH, JOIN], [("转正时间", "info_full_date"), DUE]],
                    section="以下由负责归档的党组织填写", sign=SIGN_CLERK),
    "transfer_out": dict(info=[[BIRTH, APPLY], [("当前阶段", "info_state")]]),
    "withdraw": dict(info=[[BIRTH, APPLY], [("当前阶段", "info_state")]]),
}

VOTE_NOTE = ("表决规则：应到会有表决权的正式党员人数 = 正式党员人数 − 受留党察看处分人数 − 不计入应到会人数"
             "（仅限五种情形）；预备党员和察看期间的党员没有表决权；到会有表决权的正式党员须超过应到会人数的半数，会议方可表决；"
             "赞成票加会前书面表示同意的票数须超过应到会人数的半数，方为通过。表内只填人数和票数，不填谁投了什么票。")


def _hint(form_id: str, field: dict, settings: dict) -> str:
    key, ftype = field["key"], field["type"]
    special = {
        ("sponsors", "sponsor_1"): "须为正式党员，且未受留党察看处分",
        ("sponsors", "sponsor_2"): "须为正式党员，且未受留党察看处分",
        ("training", "hours"): (f"整数；集中培训不少于{settings.get('training_min_days', 3)}天"
                                f"或{settings.get('training_min_hours', 24)}学时"),
        ("training", "start"): "日期，格式如 2026-03-05",
        ("prereview", "leaving_soon"): "三个月内将离开工作单位的，一般不办理接收手续",
        ("admission_approval", "filing_date"): "日期，格式如 2026-03-05（可后补）",
        ("archive", "archive_type"): "点右侧箭头，从下拉列表选择",
    }
    hint = special.get((form_id, key))
    if hint is None:
        hint = field_hint(field)
        if not hint and ftype == "int":
            hint = f"整数（{field.get('min', 0)}–{field.get('max', 20)}）"
        if not field.get("required") and "可不填" not in hint:
            hint = (hint + "（可不填）") if hint else "可不填"
    return hint


class FormSheet(SheetBuilder):
    """SheetBuilder with the extra row kinds the forms of steps 7–25 need."""

    def title_row(self, name: str = "info_title") -> None:
        """A merged row right under the title, filled by the engine with the document title."""
        r = self.row
        cell = self._merge(r, 1, 4, "info", align="center")
        cell.font = Font(name=XL_FONT, size=14, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.number_format = "@"
        self.define(name, cell)
        self.ws.row_dimensions[r].height = 28
        self.row += 1

    def wide_input_row(self, field: dict, height: float = 28) -> None:
        """Label in A, one wide input cell B:D (texts longer than a name: place, methods ...)."""
        r = self.row
        lab = self.ws.cell(r, 1)
        self._style(lab, "label", align="center")
        lab.value = field["label"]
        cell = self._merge(r, 2, 4, "input", align="left", wrap=True)
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
        self.define(field["key"], cell)
        self._validate(cell, field)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def long_input_row(self, field: dict, height: float) -> None:
        """Label in A, a tall wrapping input B:D for free text."""
        r = self.row
        lab = self.ws.cell(r, 1)
        self._style(lab, "label", align="center")
        lab.value = field["label"]
        cell = self._merge(r, 2, 4, "long")
        self.define(field["key"], cell)
        self._validate(cell, field)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def pair_input_row(self, left: dict, right: dict | None, hint: str = "",
                       height: float = 28) -> None:
        """Two short inputs on one row: label A, input B, label C, input D (or a hint in C:D)."""
        if hint.startswith(("=", "+", "-", "@")):
            raise ValueError(f"hint would be read as a formula: {hint!r}")
        r = self.row
        for col, field in ((1, left), (3, right)):
            if field is None:
                continue
            lab = self.ws.cell(r, col)
            self._style(lab, "label", align="center")
            lab.value = field["label"]
            cell = self.ws.cell(r, col + 1)
            self._style(cell, "input", align="center")
            self.define(field["key"], cell)
            self._validate(cell, field)
        if right is None:
            hint_cell = self._merge(r, 3, 4, "hint", size=10, color="595959")
            hint_cell.value = hint
            hint_cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True,
                                            indent=1)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def header_row(self, texts: list[tuple[str, int, int]], height: float = 24) -> None:
        """Column headers of a small table: [(text, first col, last col), ...]."""
        r = self.row
        for text, c1, c2 in texts:
            self._merge(r, c1, c2, "section", align="center", bold=True).value = text
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def slot_row(self, label: str, name_field: dict, reason_field: dict, height: float = 26) -> None:
        """One row of the 不计入应到会人数 table: label A, name B, reason drop-down C:D."""
        r = self.row
        lab = self.ws.cell(r, 1)
        self._style(lab, "label", align="center")
        lab.value = label
        cell = self.ws.cell(r, 2)
        self._style(cell, "input", align="center")
        self.define(name_field["key"], cell)
        self._validate(cell, name_field)
        cell = self._merge(r, 3, 4, "input", align="left")
        cell.alignment = Alignment(horizontal="left", vertical="center", indent=1)
        self.define(reason_field["key"], cell)
        self._validate(cell, reason_field)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def hint_row(self, text: str, height: float = 34) -> None:
        """A grey explanatory line across the form (not an input)."""
        r = self.row
        cell = self._merge(r, 1, 4, "hint", size=10, color="595959")
        cell.value = text
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
        self.ws.row_dimensions[r].height = height
        self.row += 1

    def note_block(self, text: str, height: float) -> None:
        self.note_row(text)
        self.ws.row_dimensions[self.row - 1].height = height


def xlsx_templates(pack: dict) -> dict[str, list[str]]:
    """template path -> the forms it collects (in pack order); forms no document collects get
    forms/<form id>.xlsx."""
    out: dict[str, list[str]] = {}
    for d in pack["documents"].values():
        if d["template"].endswith(".xlsx") and d.get("collects"):
            forms = out.setdefault(d["template"], [])
            if d["collects"] not in forms:
                forms.append(d["collects"])
    collected = {d.get("collects") for d in pack["documents"].values()}
    for form_id, form in pack["forms"].items():
        if form.get("kind") == "form" and form_id not in collected:
            out.setdefault(f"forms/{form_id}.xlsx", []).append(form_id)
    return out


def resolved_fields(pack: dict, form_id: str) -> list[dict]:
    """The fields of a form, with ``fields_from`` resolved as engine/pack.py does."""
    form = pack["forms"][form_id]
    source = form.get("fields_from")
    if not source:
        return list(form.get("fields", []))
    own = {f["key"]: f for f in form.get("fields", [])}
    inherited = [own.pop(f["key"], f) for f in resolved_fields(pack, source)]
    return inherited + list(own.values())


def _has_due(pack: dict, template: str) -> bool:
    return any(d["template"] == template and d.get("due") for d in pack["documents"].values())


def _info_rows(sb: FormSheet, spec: dict) -> None:
    sb.info_row([("上级党组织", "info_org")])
    sb.info_row([("案卷编号", "info_case_id"), ("所在党支部", "info_branch")])
    sb.info_row([("姓名", "info_name"), ("性别", "info_gender")])
    for row in spec["info"]:
        sb.info_row(row)


def build_form_xlsx(path: Path, pack: dict, template: str, form_ids: list[str]) -> None:
    form_id = form_ids[0]
    fields = resolved_fields(pack, form_id)
    keys = [f["key"] for f in fields]
    for other in form_ids[1:]:  # a shared workbook: the forms must have the same fields
        if [f["key"] for f in resolved_fields(pack, other)] != keys:
            raise SystemExit(f"{template}: forms {form_ids} do not share the same fields")
    spec_id = Path(template).stem
    spec = FORM_SPECS.get(spec_id) or FORM_SPECS.get(form_id)
    if spec is None:
        raise SystemExit(f"{template}: no layout in FORM_SPECS for {spec_id!r}")
    names = {n for row in spec["info"] for _, n in row}
    if ("info_due_date" in names) != _has_due(pack, template):
        raise SystemExit(f"{template}: 应交日期 row does not match the pack's due dates")
    label = pack["forms"][form_id]["label"]
    title = spec.get("title", label)
    sheet = spec.get("sheet", label)
    if "due_voting" in keys:
        return build_vote_xlsx(path, pack, form_id, fields, spec, title, sheet)
    sb = FormSheet(Workbook(), title, sheet)
    if spec.get("info_title"):
        sb.title_row()
    _info_rows(sb, spec)
    sb.section_row(spec.get("section", SECTION_BRANCH))
    settings = pack.get("settings", {})
    for f in fields:
        n = int(f.get("max_length", 0) or 0)
        if f["type"] == "text" and n > 200:
            sb.long_input_row(f, height=220 if n >= 4000 else 160 if n >= 1000 else 110)
        elif f["type"] == "text" and n > 40:
            sb.wide_input_row(f, height=28 if n <= 60 else 56)
        else:
            sb.input_row(f, _hint(form_id, f, settings))
    sb.free_row(spec.get("sign", SIGN_BRANCH), SIGN_DATE, height=48)
    sb.note_row()
    if spec.get("note"):
        sb.note_block(spec["note"], height=44)
    sb.finish(path)


def build_vote_xlsx(path: Path, pack: dict, form_id: str, fields: list[dict], spec: dict,
                    title: str, sheet: str) -> None:
    """支部大会表决情况表: grouped into 会议情况 / 党员人数 / 不计入应到会人数 / 表决情况."""
    f = {x["key"]: x for x in fields}
    placed: set[str] = set()

    def take(key: str) -> dict | None:
        if key not in f:
            return None
        placed.add(key)
        return f[key]

    sb = FormSheet(Workbook(), title, sheet)
    if spec.get("info_title"):
        sb.title_row()
    _info_rows(sb, spec)

    sb.section_row("一、会议情况（由党支部填写）")
    sb.pair_input_row(take("meeting_date"), take("chair"))
    sb.wide_input_row(take("place"), height=28)
    sb.pair_input_row(take("recorder"), None, hint="主持人、记录人须在会议记录上签名")

    sb.section_row("二、党员人数")
    sb.pair_input_row(take("members_total"), take("members_full"))
    sb.pair_input_row(take("members_probationary"), take("members_discipline"))
    sb.hint_row("党员总数 = 正式党员 + 预备党员；受留党察看处分的党员计入正式党员人数，但察看期间没有表决权；"
                "预备党员没有表决权。各项人数须与党员名册一致。")

    slots = []
    i = 1
    while f"excluded_{i}_name" in f:
        slots.append((take(f"excluded_{i}_name"), take(f"excluded_{i}_reason")))
        i += 1
    sb.section_row(f"三、不计入应到会人数（五种情形，限{len(slots)}人；没有的不填）")
    sb.header_row([("序　　号", 1, 1), ("姓　　名", 2, 2), ("原因（点右侧箭头，从下拉列表选择）", 3, 4)])
    for n, (name_f, reason_f) in enumerate(slots, 1):
        sb.slot_row("一二三四五六七八九十"[n - 1] if n <= 10 else str(n), name_f, reason_f)

    # page 2 starts with 四、表决情况 (the title row repeats on it)
    sb.ws.row_breaks.append(Break(id=sb.row - 1))
    sb.ws.print_title_rows = f"1:{2 if spec.get('info_title') else 1}"
    sb.section_row("四、表决情况")
    tall = 34
    sb.pair_input_row(take("due_voting"), None, hint="等于 正式党员人数 − 受留党察看处分人数 − 不计入应到会人数",
                      height=tall)
    sb.pair_input_row(take("present_voting"), None, hint="须超过应到会人数的半数，会议方可表决",
                      height=tall)
    sb.pair_input_row(take("written_yes"), take("written_no"), height=tall)
    sb.pair_input_row(take("written_abstain"), None,
                      hint="因故不能到会的有表决权党员会前提交的书面意见（没有的不填）", height=tall)
    sb.pair_input_row(take("ballots_issued"), take("ballots_returned"))
    sb.pair_input_row(take("yes"), take("no"))
    sb.pair_input_row(take("abstain"), None, hint="赞成 + 反对 + 弃权 = 收回表决票")
    sb.pair_input_row(take("outcome"), None, hint="点右侧箭头，从下拉列表选择")
    if "extend_months" in f:
        sb.pair_input_row(take("extend_months"), None,
                          hint="仅表决结果为“延长预备期”时填写（6至12个月）")
    left = [k for k in f if k not in placed]
    if left:
        raise SystemExit(f"{form_id}: vote form fields the layout does not place: {left}")
    sb.free_row(SIGN_BRANCH, SIGN_DATE, height=48)
    sb.note_row()
    sb.note_block(VOTE_NOTE, height=58)
    sb.finish(path)


def build_case_record(path: Path) -> None:
    """发展党员全程纪实表: every event of the case, the people its form names, the file and when it was processed
    (责任追究制). Made again whenever the case changes (refresh in the pack)."""
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, "{{ doc.title }}", after=6)
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.0, 4.8, 3.0, 4.8])
    t.row([L("案卷编号"), V("{{ case.id }}"), L("姓　　名"), V("{{ case.name }}")], height_cm=0.7)
    t.row([L("当前阶段"), V("{{ case.state }}", span=3)], height_cm=0.7)
    p = doc.add_paragraph()
    para_format(p, line_exact=10)
    small = dict(size=SIZE_NOTE)
    d = TableBuilder(doc, [0.8, 3.2, 2.2, 2.9, 2.7, 2.1, 1.7])
    d.row([L("序号", **small), L("事项", **small), L("日期", **small), L("经办人员", **small),
           L("来源文件", **small), L("提交人", **small), L("处理时间", **small)], height_cm=0.8)
    d.row([V("{%tr for r in record %}", span=7)])
    d.row([V("{{ r.no }}", **small), V("{{ r.what }}{% if r.imported %}（导入）{% endif %}", align="left", **small),
           V("{{ r.date }}", **small), V("{{ r.people }}", align="left", **small),
           V("{{ r.file }}", align="left", **small), V("{{ r.who }}", align="left", **small),
           V("{{ r.at }}", **small)], height_cm=0.62)
    d.row([V("{%tr endfor %}", span=7)])
    add_plain(doc, "注：本表由 docflow 按案卷的全部记录生成，每办理一步自动更新；来源文件为交来的表格，"
              "原件保存在“已处理”文件夹中；提交人为该文件在共享文件夹中的所有者和文档记录的作者，"
              "“身份未验证”指表格缺少本工作区的签名。", size=SIZE_NOTE, before=3)
    add_plain(doc, "五项制度落实情况", align=WD_ALIGN_PARAGRAPH.CENTER, before=9, after=3, bold=True)
    c = TableBuilder(doc, [1.9, 4.1, 2.2, 7.4])
    c.row([L("制度", **small), L("事项", **small), L("落实情况", **small),
           L("依据（日期、结果、票数、提交人）", **small)], height_cm=0.8)
    c.row([V("{%tr for c in controls %}", span=4)])
    c.row([V("{{ c.control }}", **small), V("{{ c.item }}", align="left", **small),
           V("{% if c.flagged %}★{% endif %}{{ c.status }}", **small), V("{{ c.proof }}", align="left", **small)],
          height_cm=0.62)
    c.row([V("{%tr endfor %}", span=4)])
    add_plain(doc, "注：按案卷的事件记录生成（导入的案卷按台账所记，不作推定）；"
              "★ 表示未开展、未通过、缺少记录或只有导入记录，须说明情况。", size=SIZE_NOTE, before=3)
    add_plain(doc, "党支部书记（签名）：{{ by_hand('name') }}　　组织委员（签名）：{{ by_hand('name') }}", before=12,
              align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_footer(doc)
    save_docx(doc, path)


DOCX_BUILDERS = {
    "docs/target_filing.docx": lambda p, pack: build_target_filing(p),
    "docs/public_notice.docx": lambda p, pack: build_public_notice(p),
    "docs/enquiry_letter.docx": lambda p, pack: build_enquiry_letter(p),
    "docs/review_report.docx": lambda p, pack: build_review_report(p),
    "docs/prereview_request.docx": lambda p, pack: build_prereview_request(p),
    "docs/meeting_minutes.docx": lambda p, pack: build_meeting_minutes(p),
    "docs/resolution.docx": lambda p, pack: build_resolution(p),
    "docs/approval_request.docx": lambda p, pack: build_approval_request(p),
    "forms/committee_talk.docx": build_committee_talk,
    "docs/approval_notice.docx": lambda p, pack: build_approval_notice(p),
    "docs/conversion_request.docx": lambda p, pack: build_conversion_request(p),
    "docs/oath_record.docx": lambda p, pack: build_oath_record(p),
    "docs/archive_index.docx": lambda p, pack: build_archive_index(p),
    "docs/case_record.docx": lambda p, pack: build_case_record(p),
}


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=PACK_DIR,
                    help="pack directory to write docs/ and forms/ into (default: templates/party)")
    args = ap.parse_args(argv)
    out = args.out_dir
    pack = load_pack()
    targets = [
        (out / "docs" / "case_file.docx", lambda p: build_case_file(p)),
        (out / "forms" / "talk.docx", lambda p: build_talk(p, pack)),
        (out / "docs" / "activist_filing.docx", lambda p: build_activist_filing(p)),
        (out / "docs" / "contact_register.docx", lambda p: build_contact_register(p)),
        (out / "forms" / "activist.xlsx", lambda p: build_activist_xlsx(p, pack)),
        (out / "forms" / "assessment.xlsx", lambda p: build_assessment_xlsx(p, pack)),
    ]
    done = {"docs/case_file.docx", "forms/talk.docx", "docs/activist_filing.docx",
            "docs/contact_register.docx", "forms/activist.xlsx", "forms/assessment.xlsx"}
    # steps 7–25: every other template a [documents.*] entry names, in pack order
    for d in pack["documents"].values():
        template = d["template"]
        if template in done or not template.endswith(".docx"):
            continue
        if template not in DOCX_BUILDERS:
            raise SystemExit(f"no builder for {template} (documents entry {d['title']!r})")
        build_docx = DOCX_BUILDERS[template]
        targets.append((out / template, lambda p, b=build_docx: b(p, pack)))
        done.add(template)
    for template, form_ids in xlsx_templates(pack).items():
        if template in done:
            continue
        targets.append((out / template,
                        lambda p, t=template, f=form_ids: build_form_xlsx(p, pack, t, f)))
        done.add(template)
    for path, build in targets:
        TableBuilder._next_bookmark_id = 0
        build(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
