#!/usr/bin/env python3
"""Build the office templates of the 发展党员 (party) workflow pack.

Generates, deterministically (same bytes on every run):

    templates/party/docs/case_file.docx          入党申请人基本情况登记表
    templates/party/forms/talk.docx              入党申请人谈话记录 (fillable: bookmarks = field keys)
    templates/party/docs/activist_filing.docx    关于确定入党积极分子的备案报告
    templates/party/docs/contact_register.docx   培养联系人登记表
    templates/party/forms/activist.xlsx          确定入党积极分子情况表 (fillable: defined names)
    templates/party/forms/assessment.xlsx        入党积极分子考察登记表 (fillable: defined names)

The .docx files are docxtpl (Jinja) templates.  Every Jinja tag is written as ONE run so that
docxtpl never sees a tag split across runs.  Only these context variables are used:
org, branch, doc, case (see tools/sample_context.json).

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

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

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
    return int(round(cm * TWIPS_PER_CM))


# ----------------------------------------------------------------------------- pack.toml

def load_pack() -> dict:
    with open(PACK_DIR / "pack.toml", "rb") as fh:
        return tomllib.load(fh)


def form_fields(pack: dict, form_id: str) -> list[dict]:
    return list(pack["forms"][form_id]["fields"])


# ----------------------------------------------------------------------------- docx helpers

def set_rfonts(rpr, font: str) -> None:
    """Set ascii/hAnsi/eastAsia/cs font of an rPr element (dropping theme fonts)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


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


def add_footer(doc, text: str = FOOTER_TEXT) -> None:
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    para_format(p, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_run(p, text, FONT_TABLE, SIZE_FOOTER)


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
        for gc, w in zip(grid.findall(qn("w:gridCol")), self.widths):
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
    add_plain(doc, "登记日期：{{ doc.issued_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=12)
    add_footer(doc)
    save_docx(doc, path)


def build_talk(path: Path, pack: dict) -> None:
    fields = {f["key"]: f for f in form_fields(pack, "talk")}
    doc = new_document(FONT_TABLE, SIZE_TABLE)
    add_title(doc, pack["forms"]["talk"]["label"], after=6)  # 入党申请人谈话记录
    add_plain(doc, "{{ org.name }}　{{ branch }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    t = TableBuilder(doc, [3.4, 4.0, 4.4, 3.8])
    # prefilled information
    t.row([L("案卷编号"), V("{{ case.id }}"), L("所在党支部"), V("{{ case.branch }}")])
    t.row([L("姓　　名"), V("{{ case.name }}"), L("性　　别"), V("{{ case.gender }}")])
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
    doc = new_document(FONT_BODY, SIZE_BODY)

    def body(text: str, indent: bool = True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, right_chars=0):
        p = doc.add_paragraph()
        para_format(p, align=align, line_exact=28, first_line_chars=2 if indent else 0,
                    right_indent_chars=right_chars)
        if text:
            add_run(p, text, FONT_BODY, SIZE_BODY)
        return p

    add_title(doc, "关于确定入党积极分子的备案报告", before=0, after=28)
    body("{{ org.name }}：", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    body("{{ case.activist.decision_date }}，{{ branch }}委员会在{{ case.activist.method }}的基础上，"
         "经研究，决定将{{ case.name }}同志（{{ case.gender }}，{{ case.ethnicity }}，"
         "{{ case.birth_month }}出生，{{ case.education }}学历，" + J_UNIT_POST.replace("　", "")
         + "，{{ case.apply_date }}递交入党申请书）确定为入党积极分子，"
         "并指定" + J_CONTACTS + "同志为其培养联系人。")
    body("{{ case.name }}同志的入党申请书、谈话记录及确定入党积极分子情况表已存档"
         "（案卷编号：{{ case.id }}）。")
    body("特此报告。")
    body("", indent=False)
    body("", indent=False)
    body("{{ branch }}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=2)
    body("{{ case.activist.filing_date or doc.issued_date }}", indent=False,
         align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=2)
    add_footer(doc)
    save_docx(doc, path)


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
               "党支部书记（签名）：　　　　　　　　（党支部盖章）",
               "{{ doc.issued_date }}",
           ])], height_cm=4.0)
    add_plain(doc, "登记日期：{{ doc.issued_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=12)
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
    return HINTS.get(field["type"], "")


def build_activist_xlsx(path: Path, pack: dict) -> None:
    form = pack["forms"]["activist"]
    sb = SheetBuilder(Workbook(), form["label"], "积极分子情况表")
    sb.info_row([("上级党组织", "info_org")])
    sb.info_row([("案卷编号", "info_case_id"), ("所在党支部", "info_branch")])
    sb.info_row([("姓名", "info_name"), ("性别", "info_gender")])
    sb.info_row([("出生日期", "info_birth_date"), ("申请入党日期", "info_apply_date")])
    sb.info_row([("派人谈话日期", "info_talk_date"), ("应交日期", "info_due_date")])
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
    for path, build in targets:
        TableBuilder._next_bookmark_id = 0
        build(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
