"""Documents for tests/test_gbt9704.py, built with python-docx + lxml by the conventions of the 公文 profile
(engine/output/gongwen.py): ``official()`` a conforming 公文, ``record()`` a conforming record (登记表). Each is a
python-docx Document, so a test can break exactly one rule before ``to_bytes``."""
from __future__ import annotations

import io
import re

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor, Twips

from engine.output import gongwen as gw

CHAR = gw.BODY_PT * 20
W = nsdecls("w")


def to_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def el(xml: str):
    """One WordprocessingML element from its XML (the w: prefix declared)."""
    name = re.match(r"<([\w:]+)", xml).group(1)
    return parse_xml(xml.replace(f"<{name}", f"<{name} {W}", 1))


def set_fonts(rpr, font: str) -> None:
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = el("<w:rFonts/>")
        rpr.insert(0, rf)
    for a in ("ascii", "hAnsi", "eastAsia", "cs"):
        rf.set(qn(f"w:{a}"), font)


def add_styles(doc) -> None:
    """One paragraph style per element; those at 三号 with the character spacing that makes 28 to the line."""
    for e in gw.ELEMENTS.values():
        st = doc.styles.add_style(e.style, WD_STYLE_TYPE.PARAGRAPH)
        st.element.set(qn("w:styleId"), e.style)
        st.base_style = doc.styles["Normal"]
        st.font.size = Pt(e.size)
        if e.color != gw.BLACK:
            st.font.color.rgb = RGBColor.from_string(e.color)
        set_fonts(st.element.get_or_add_rPr(), e.font)
        if e.size == gw.BODY_PT:
            st.element.get_or_add_rPr().find(qn("w:sz")).addprevious(el(f'<w:spacing w:val="{gw.CHAR_SPACING}"/>'))
        pf = st.paragraph_format
        pf.space_before, pf.space_after = Pt(0), Pt(0)
        if e.exact_line:
            sp = st.element.get_or_add_pPr().find(qn("w:spacing"))
            sp.set(qn("w:line"), str(gw.LINE_PITCH))
            sp.set(qn("w:lineRule"), "exact")
        if e.align:
            st.element.get_or_add_pPr().append(el(f'<w:jc w:val="{e.align}"/>'))


def page_setup(sec) -> None:
    sec.page_width, sec.page_height = Twips(gw.PAGE_W), Twips(gw.PAGE_H)
    sec.top_margin, sec.bottom_margin = Twips(gw.MARGIN_TOP), Twips(gw.MARGIN_BOTTOM)
    sec.left_margin, sec.right_margin = Twips(gw.MARGIN_LEFT), Twips(gw.MARGIN_RIGHT)
    sec.footer_distance = Twips(gw.FOOTER_DISTANCE)
    grid = sec._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), gw.GRID_TYPE)
    grid.set(qn("w:linePitch"), str(gw.LINE_PITCH))


def _cell(width: int, content: str, borders: str = "") -> str:
    tc_borders = f"<w:tcBorders>{borders}</w:tcBorders>" if borders else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{tc_borders}<w:vAlign w:val="center"/></w:tcPr>'
            f"{content or '<w:p/>'}</w:tc>")


def separator_xml(line: str = gw.RED, star: str | None = gw.RED) -> str:
    """The red line with the star: one row, the side cells' bottom border the line, the star between."""
    side = (gw.TEXT_W - 2 * CHAR) // 2
    widths = [side, 2 * CHAR, gw.TEXT_W - side - 2 * CHAR]
    bottom = f'<w:bottom w:val="single" w:sz="12" w:space="0" w:color="{line}"/>'
    star_p = ("" if star is None else
              f'<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:before="0" w:after="0" w:line="280" '
              f'w:lineRule="exact"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="{gw.SONGTI}"/>'
              f'<w:color w:val="{star}"/><w:sz w:val="28"/></w:rPr><w:t>{gw.STAR}</w:t></w:r></w:p>')
    grid = "".join(f'<w:gridCol w:w="{x}"/>' for x in widths)
    return (f'<w:tbl {W}><w:tblPr><w:tblW w:w="{gw.TEXT_W}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblLayout w:type="fixed"/><w:tblCaption w:val="{gw.SEPARATOR}"/></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid><w:tr><w:trPr><w:trHeight w:val="120" w:hRule="exact"/></w:trPr>'
            + _cell(widths[0], "", bottom) + _cell(widths[1], star_p) + _cell(widths[2], "", bottom)
            + "</w:tr></w:tbl>")


def colophon_xml(rows: list[str], anchored: bool = True) -> str:
    pos = ('<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:vertAnchor="margin" w:horzAnchor="margin" '
           'w:tblpXSpec="center" w:tblpYSpec="bottom"/>') if anchored else ""
    line = '<w:{0} w:val="single" w:sz="{1}" w:space="0" w:color="000000"/>'
    borders = line.format("top", 8) + line.format("bottom", 8) + line.format("insideH", 4)
    body = "".join(f'<w:tr><w:trPr><w:trHeight w:val="{gw.LINE_PITCH}" w:hRule="atLeast"/></w:trPr>'
                   + _cell(gw.COLOPHON_W, f'<w:p><w:pPr><w:pStyle w:val="GwColophon"/><w:ind w:left="280" '
                                      f'w:right="280"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>')
                   + "</w:tr>" for text in rows)
    return (f'<w:tbl {W}><w:tblPr>{pos}<w:tblW w:w="{gw.COLOPHON_W}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            f'<w:tblCaption w:val="{gw.COLOPHON_RULE}"/></w:tblPr><w:tblGrid><w:gridCol w:w="{gw.COLOPHON_W}"/>'
            f"</w:tblGrid>{body}</w:tbl>")


def page_field(p, instr: str = " PAGE ") -> None:
    p._p.append(parse_xml(f'<w:fldSimple {W} w:instr="{instr}"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))


def page_number(p, side: str, before: str = gw.PAGE_NUMBER_DASH + " ", after: str = " " + gw.PAGE_NUMBER_DASH):
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    ind = p._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn(f"w:{side}Chars"), "100")
    ind.set(qn(f"w:{side}"), "280")
    p.add_run(before)
    page_field(p)
    p.add_run(after)


def page_numbers(doc) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["GwPageNumber"]
        page_number(p, side)


def official(body: str = "现将有关事项通知如下。") -> docx.document.Document:
    """A conforming 公文: 版头 with separator and star, title, 主送机关, body with a heading, signature, date,
    the 版记 at the foot of the page, odd and even page numbers, the 22 × 28 grid."""
    doc = docx.Document()
    add_styles(doc)
    page_setup(doc.sections[0])
    body_el = doc.element.body
    for p in list(body_el.iterchildren(qn("w:p"))):
        body_el.remove(p)
    mark = doc.add_paragraph("中共某某学区委员会文件", style="GwMark")
    mark.paragraph_format.space_before = Twips(gw.MARK_TOP)
    num = doc.add_paragraph("某党〔2026〕5号", style="GwNumber")
    num.alignment = WD_ALIGN_PARAGRAPH.CENTER
    num.paragraph_format.space_before = Twips(2 * gw.LINE_PITCH)
    num.paragraph_format.space_after = Twips(gw.SEPARATOR_FROM_FOOT - 120)   # the line: the 120-twip row's foot
    doc.element.body.sectPr.addprevious(parse_xml(separator_xml()))
    title = doc.add_paragraph("关于召开组织生活会的通知", style="GwTitle")
    title.paragraph_format.space_before = Twips(2 * gw.LINE_PITCH)
    doc.add_paragraph("各党支部：", style="GwAddressee")
    doc.add_paragraph(body, style="GwBody")
    doc.add_paragraph("一、会议时间", style="GwH1")
    lead = doc.add_paragraph(style="GwBody")
    set_fonts(lead.add_run("（一）")._r.get_or_add_rPr(), gw.KAITI)
    lead.add_run("2026年12月5日上午9时。")
    doc.add_paragraph("中共某某学区委员会", style="GwSignature")
    doc.add_paragraph("2026年11月28日", style="GwDate")
    rows = ["抄送：某某。", "中共某某学区委员会办公室　2026年11月28日印发"]
    doc.element.body.sectPr.addprevious(parse_xml(colophon_xml(rows)))
    doc.add_paragraph()   # empty paragraphs may follow the 版记 (LibreOffice drops a floating table that ends the body)
    page_numbers(doc)
    return doc


def record() -> docx.document.Document:
    """A conforming record: A4, a table, "第 N 页 共 M 页" (complex fields) in the footer."""
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Twips(gw.PAGE_W), Twips(gw.PAGE_H)
    doc.add_paragraph("入党积极分子登记表")
    doc.add_table(rows=2, cols=3).cell(0, 0).text = "姓名"
    footer = sec.footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("第 ")
    complex_field(p, "PAGE")
    p.add_run(" 页 共 ")
    complex_field(p, "NUMPAGES")
    p.add_run(" 页")
    return doc


def complex_field(p, name: str) -> None:
    for xml in ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
                f'<w:r><w:instrText xml:space="preserve"> {name} </w:instrText></w:r>',
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', "<w:r><w:t>1</w:t></w:r>",
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>'):
        p._p.append(el(xml))


def paragraph(doc, style: str):
    """The first paragraph of the body with ``style``."""
    return next(p for p in doc.paragraphs if p.style is not None and p.style.style_id == style)


def table(doc, caption: str):
    return next(t for t in doc.element.body.iter(qn("w:tbl"))
                if t.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}").get(qn("w:val")) == caption)
