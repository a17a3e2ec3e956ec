"""engine/output/gbt9704.py: a conforming 公文 and record pass; each document broken in one way reports that."""
from __future__ import annotations

import gongwen_docs as g
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

from engine.errors import InputError
from engine.output import gongwen as gw
from engine.output.gbt9704 import Deviation, check_official, check_record, format_deviation


def found(doc, fallbacks: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    return {(d.rule, d.element) for d in check_official(g.to_bytes(doc), fallbacks)}


def only(doc, rule: str, element: str, fallbacks: frozenset[str] = frozenset()) -> Deviation:
    """The document has exactly one deviation, of ``rule`` on ``element``."""
    devs = check_official(g.to_bytes(doc), fallbacks)
    assert [(d.rule, d.element) for d in devs] == [(rule, element)], [format_deviation(d) for d in devs]
    return devs[0]


def style_rpr(doc, style: str):
    return doc.styles[style].element.get_or_add_rPr()


def remove(el) -> None:
    el.getparent().remove(el)


def test_conforming_official_passes():
    assert check_official(g.to_bytes(g.official())) == []


def test_conforming_record_passes():
    assert check_record(g.to_bytes(g.record())) == []


# --- the page ---

def test_page_size():
    doc = g.official()
    doc.sections[0].page_width, doc.sections[0].page_height = Twips(12240), Twips(15840)   # US Letter
    d = only(doc, "页面", "页面设置")
    assert "215.9 mm × 279.4 mm" in d.found and d.where == "第 1 节"


def test_margin():
    doc = g.official()
    doc.sections[0].top_margin = Twips(gw.mm(30))
    assert only(doc, "页边距", "页面设置").found == "上 30.0 mm"


def test_text_block_through_the_gutter():
    doc = g.official()
    doc.sections[0].gutter = Twips(gw.mm(10))
    assert "装订线" in only(doc, "版心", "页面设置").found


def test_grid_line_pitch():
    doc = g.official()
    doc.sections[0]._sectPr.find(qn("w:docGrid")).set(qn("w:linePitch"), "312")
    only(doc, "行距", "页面设置")


def test_grid_type():
    doc = g.official()
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "linesAndChars" if gw.GRID_TYPE != "linesAndChars" else "lines")
    only(doc, "字符网格", "页面设置")


def test_character_spacing_of_the_body():
    """28 characters to the line: the body's character spacing (or charSpace of a character grid)."""
    doc = g.official()
    if gw.GRID_TYPE == "linesAndChars":
        doc.sections[0]._sectPr.find(qn("w:docGrid")).set(qn("w:charSpace"), "0")
        only(doc, "字符网格", "页面设置")
    else:
        remove(style_rpr(doc, "GwBody").find(qn("w:spacing")))
        assert found(doc) == {("字符网格", "正文")}


# --- elements ---

def test_body_font():
    doc = g.official()
    g.set_fonts(style_rpr(doc, "GwBody"), "宋体")
    assert found(doc) == {("字体", "正文")}


def test_theme_font_is_not_a_font():
    doc = g.official()
    remove(style_rpr(doc, "GwTitle").find(qn("w:rFonts")))    # the docDefaults' theme font applies
    assert "字体未明确指定" in only(doc, "字体", "标题").found


def test_title_size():
    doc = g.official()
    doc.styles["GwTitle"].font.size = Pt(20)
    d = only(doc, "字号", "标题")
    assert (d.found, d.expected) == ("20 磅", "22 磅（二号）")


def test_mark_colour_black():
    doc = g.official()
    remove(style_rpr(doc, "GwMark").find(qn("w:color")))
    d = only(doc, "颜色", "发文机关标志")
    assert (d.found, d.expected) == ("000000 黑色", "FF0000 红色")


def test_bold_title():
    doc = g.official()
    g.paragraph(doc, "GwTitle").runs[0].bold = True
    assert only(doc, "字体", "标题").found == "加粗"


def test_alignment():
    doc = g.official()
    g.paragraph(doc, "GwDate").alignment = WD_ALIGN_PARAGRAPH.CENTER
    d = only(doc, "对齐", "成文日期")
    assert (d.found, d.expected) == ("居中", "右对齐")


def test_line_spacing():
    doc = g.official()
    g.paragraph(doc, "GwAddressee").paragraph_format.line_spacing = 1.5
    d = only(doc, "行距", "主送机关")
    assert d.found == "1.5 倍行距" and d.expected.startswith("固定值")


def test_run_level_font_override():
    doc = g.official()
    run = g.paragraph(doc, "GwBody").add_run("另起一句。")
    g.set_fonts(run._r.get_or_add_rPr(), "微软雅黑")
    d = only(doc, "字体", "正文")
    assert d.found == "微软雅黑" and "另起一句" in d.where


def test_inline_heading_only_at_the_start_of_a_paragraph():
    doc = g.official()     # the conforming one opens a body paragraph with （一） in 楷体
    run = g.paragraph(doc, "GwBody").add_run("（二）")
    g.set_fonts(run._r.get_or_add_rPr(), gw.KAITI)
    assert only(doc, "字体", "正文").found == gw.KAITI


@pytest.mark.parametrize(("text", "ok"), [("张堃", True), ("张三", False)])
def test_fallback_font_only_for_characters_outside_gb2312(text, ok):
    doc = g.official()
    run = g.paragraph(doc, "GwBody").add_run(text)
    g.set_fonts(run._r.get_or_add_rPr(), "宋体")
    if ok:
        assert check_official(g.to_bytes(doc), frozenset({"宋体"})) == []
        assert found(doc) == {("字体", "正文")}            # not without the fallback
    else:
        assert only(doc, "字体", "正文", frozenset({"宋体"})).found == "宋体"


def test_missing_element():
    doc = g.official()
    remove(g.paragraph(doc, "GwDate")._p)
    d = only(doc, "缺少要素", "成文日期")
    assert "GwDate" in d.expected


# --- 版头 ---

def test_mark_position():
    doc = g.official()
    g.paragraph(doc, "GwMark").paragraph_format.space_before = Twips(gw.mm(20))
    assert only(doc, "位置", "发文机关标志").found.startswith("上边缘距版心上边缘 20.0 mm")


def test_mark_not_first():
    doc = g.official()
    g.paragraph(doc, "GwMark")._p.addprevious(g.el("<w:p><w:r><w:t>001</w:t></w:r></w:p>"))
    only(doc, "位置", "发文机关标志")


def test_separator_colour():
    doc = g.official()
    sep = g.table(doc, gw.SEPARATOR)
    sep.addnext(parse_xml(g.separator_xml(line=gw.BLACK)))
    remove(sep)
    d = only(doc, "颜色", "版头分隔线")
    assert d.found == "000000 黑色"


def test_separator_without_star():
    doc = g.official()
    sep = g.table(doc, gw.SEPARATOR)
    sep.addnext(parse_xml(g.separator_xml(star=None)))
    remove(sep)
    assert only(doc, "分隔线", "版头分隔线").found == "没有五角星"


def test_black_star():
    doc = g.official()
    sep = g.table(doc, gw.SEPARATOR)
    sep.addnext(parse_xml(g.separator_xml(star=gw.BLACK)))
    remove(sep)
    assert gw.STAR in only(doc, "颜色", "版头分隔线").found


def test_separator_distance_below_the_number():
    doc = g.official()
    g.paragraph(doc, "GwNumber").paragraph_format.space_after = Twips(gw.mm(10))
    only(doc, "位置", "版头分隔线")


def test_missing_separator():
    doc = g.official()
    remove(g.table(doc, gw.SEPARATOR))
    only(doc, "分隔线", "版头分隔线")


def test_title_before_the_separator():
    doc = g.official()
    g.paragraph(doc, "GwNumber")._p.addprevious(g.paragraph(doc, "GwTitle")._p)
    assert ("位置", "标题") in found(doc)


# --- 版记 ---

def test_colophon_not_at_the_foot():
    doc = g.official()
    remove(g.table(doc, gw.COLOPHON_RULE).find(qn("w:tblPr")).find(qn("w:tblpPr")))
    assert only(doc, "位置", "版记").found == "嵌入正文，未固定"


def test_content_after_the_colophon():
    doc = g.official()
    doc.add_paragraph("附件", style="GwBody")
    assert only(doc, "位置", "版记").found == "版记之后还有内容"


def test_colophon_thin_line():
    doc = g.official()
    top = g.table(doc, gw.COLOPHON_RULE).find(qn("w:tblPr")).find(qn("w:tblBorders")).find(qn("w:top"))
    top.set(qn("w:sz"), "4")
    assert "首行上边线" in only(doc, "版记", "版记").found


def test_missing_colophon():
    doc = g.official()
    remove(g.table(doc, gw.COLOPHON_RULE))
    only(doc, "缺少要素", "版记")


# --- page numbers ---

def footer_paragraph(doc, even: bool = False):
    sec = doc.sections[0]
    return (sec.even_page_footer if even else sec.footer).paragraphs[0]


def test_page_number_without_dashes():
    doc = g.official()
    p = footer_paragraph(doc)
    for r in p.runs:
        r.text = ""
    d = only(doc, "页码", "页码")
    assert (d.found, d.expected.split("（")[0]) == ("“1”", "“— 1 —”")
    assert "奇数页" in d.where


def test_page_number_with_numpages():
    doc = g.official()
    p = footer_paragraph(doc, even=True)
    p.add_run(" 共 ")
    g.page_field(p, " NUMPAGES ")
    p.add_run(" 页")
    d = only(doc, "页码", "页码")
    assert "NUMPAGES" in d.found and "偶数页" in d.where


def test_missing_even_footer():
    doc = g.official()
    doc.sections[0].even_page_footer.is_linked_to_previous = True
    d = only(doc, "页码", "页码")
    assert d.found == "没有页脚" and "偶数页" in d.where


def test_odd_and_even_not_set():
    doc = g.official()
    doc.settings.odd_and_even_pages_header_footer = False
    assert only(doc, "页码", "页码").found == "未设置奇偶页不同"


def test_even_page_number_on_the_right():
    doc = g.official()
    footer_paragraph(doc, even=True).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d = only(doc, "对齐", "页码")
    assert d.expected == "左对齐"


def test_page_number_indent():
    doc = g.official()
    ind = footer_paragraph(doc)._p.pPr.find(qn("w:ind"))
    del ind.attrib[qn("w:rightChars")]
    ind.set(qn("w:right"), "0")
    only(doc, "位置", "页码")


def test_page_number_font():
    doc = g.official()
    g.set_fonts(style_rpr(doc, "GwPageNumber"), gw.FANGSONG)
    assert found(doc) == {("字体", "页码")}


# --- records, the API ---

def test_record_without_numpages():
    doc = g.record()
    p = doc.sections[0].footer.paragraphs[0]
    for child in list(p._p)[p._p.index(p.runs[1]._r) + 1:]:    # drop everything after "第 {PAGE}"
        p._p.remove(child)
    devs = check_record(g.to_bytes(doc))
    assert [(d.rule, d.element) for d in devs] == [("页码", "页码")]
    assert "NUMPAGES" not in devs[0].found and devs[0].found.startswith("“第")


def test_record_landscape_a4_passes_letter_does_not():
    doc = g.record()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Twips(gw.PAGE_H), Twips(gw.PAGE_W)
    assert check_record(g.to_bytes(doc)) == []
    sec.page_width, sec.page_height = Twips(12240), Twips(15840)
    assert [d.rule for d in check_record(g.to_bytes(doc))] == ["页面"]


def test_record_without_footer():
    doc = g.record()
    doc.sections[0].footer.is_linked_to_previous = True
    assert [d.found for d in check_record(g.to_bytes(doc))] == ["没有页脚"]


def test_format_deviation():
    d = Deviation("颜色", "发文机关标志", "000000 黑色", "FF0000 红色", "第 1 段“中共某某”")
    assert format_deviation(d) == "【颜色】发文机关标志（第 1 段“中共某某”）：实际为 000000 黑色，应为 FF0000 红色"


def test_not_a_docx():
    with pytest.raises(InputError):
        check_official(b"PK\x03\x04 not really a zip")
