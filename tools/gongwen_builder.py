"""The 公文 profile for the template builders: a document laid out by GB/T 9704-2012 from the numbers in
engine/output/gongwen.py — red issuing-organ mark 35 mm below the text block's top, 发文字号 two lines under it
(upward documents: left, with 签发人 on the right), the red separator line with its star 4 mm below, the title in
小标宋 two lines under the line, 主送机关, the body on a 22 × 28 grid, the signature and 成文日期 three lines
under the body, the 版记 anchored to the foot of the page, and "— N —" page numbers at the outside bottom (odd
pages right, even pages left).

Every element is a paragraph style (GwMark, GwNumber, …) that carries its font, size, colour and spacing; runs
carry no fonts of their own, so ``docflow lint`` (engine/output/gbt9704.py) measures exactly what prints.
Context: ``official`` (engine/output/official.py) besides the usual org, branch, doc, case.

Only tables and paragraph properties are used (no text boxes or frames); the 版记 is a table anchored to the
bottom margin (w:tblpPr), which Word, WPS and LibreOffice all support.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.output import gongwen as gw

CHAR = gw.BODY_PT * 20          # one character of the body (twips)
STAR_PT = 12                    # the star


def _el(tag: str, **attrs: str) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
             "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
             "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def rpr_put(rpr, el) -> None:
    """Put ``el`` into a run's properties in the schema's order (Word refuses elements out of order)."""
    name = el.tag.split("}")[1]
    old = rpr.find(qn(f"w:{name}"))
    if old is not None:
        rpr.remove(old)
    rank = RPR_ORDER.index(name)
    for i, child in enumerate(rpr):
        other = child.tag.split("}")[1]
        if other in RPR_ORDER and RPR_ORDER.index(other) > rank:
            rpr.insert(i, el)
            return
    rpr.append(el)


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


def add_styles(doc) -> None:
    """One paragraph style per element of the profile (the ids the checker looks for)."""
    for e in gw.ELEMENTS.values():
        st = doc.styles.add_style(e.style, WD_STYLE_TYPE.PARAGRAPH)
        st.element.set(qn("w:styleId"), e.style)
        st.base_style = doc.styles["Normal"]
        st.quick_style = False
        st.font.size = Pt(e.size)
        st.font.bold = e.bold
        if e.color != gw.BLACK:
            st.font.color.rgb = RGBColor.from_string(e.color)
        set_rfonts(st.element.get_or_add_rPr(), e.font)
        if e.size == gw.BODY_PT:    # 28 characters to the line
            rpr_put(st.element.get_or_add_rPr(), _el("w:spacing", val=str(gw.CHAR_SPACING)))
        pf = st.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        pf.widow_control = True
        pf.keep_with_next = e.style in ("GwH1", "GwH2")   # a heading never ends a page
        ppr = st.element.get_or_add_pPr()
        if e.exact_line:
            sp = ppr.find(qn("w:spacing"))
            sp.set(qn("w:line"), str(gw.LINE_PITCH))
            sp.set(qn("w:lineRule"), "exact")
        if e.align:
            ppr.append(_el("w:jc", val=e.align))
        if e.style == "GwBody":
            ppr.append(_el("w:ind", firstLineChars="200", firstLine=str(2 * CHAR)))


def page_setup(doc) -> None:
    sec = doc.sections[0]
    sect = sec._sectPr
    sec.page_width, sec.page_height = gw.PAGE_W * 635, gw.PAGE_H * 635   # EMU per twip
    sec.top_margin, sec.bottom_margin = gw.MARGIN_TOP * 635, gw.MARGIN_BOTTOM * 635
    sec.left_margin, sec.right_margin = gw.MARGIN_LEFT * 635, gw.MARGIN_RIGHT * 635
    sec.header_distance, sec.footer_distance = gw.HEADER_DISTANCE * 635, gw.FOOTER_DISTANCE * 635
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), gw.GRID_TYPE)
    grid.set(qn("w:linePitch"), str(gw.LINE_PITCH))
    if grid.get(qn("w:charSpace")) is not None:
        del grid.attrib[qn("w:charSpace")]


def _page_field(p) -> None:
    fld = _el("w:fldSimple", instr=" PAGE ")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    p._p.append(fld)


def page_numbers(doc) -> None:
    """— N —, 4号宋体: odd pages at the right with one character's space, even pages at the left."""
    doc.settings.odd_and_even_pages_header_footer = True
    sec = doc.sections[0]
    for footer, align, side in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = doc.styles["GwPageNumber"]
        p.alignment = align
        ind = p._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn(f"w:{side}Chars"), "100")
        ind.set(qn(f"w:{side}"), str(14 * 20))
        p.add_run(gw.PAGE_NUMBER_DASH + " ")
        _page_field(p)
        p.add_run(" " + gw.PAGE_NUMBER_DASH)


def _table(doc, widths: list[int], caption: str, borders: dict[str, tuple[str, int]] | None = None):
    t = doc.add_table(rows=0, cols=len(widths))
    tbl = t._tbl
    tblPr = tbl.tblPr
    for child in list(tblPr):
        tblPr.remove(child)
    tblPr.append(_el("w:tblW", w=str(sum(widths)), type="dxa"))
    tblPr.append(_el("w:jc", val="center"))
    b = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        color, size = (borders or {}).get(side, ("auto", 0))
        b.append(_el(f"w:{side}", val="single" if size else "nil", sz=str(size), space="0", color=color)
                 if size else _el(f"w:{side}", val="nil"))
    tblPr.append(b)
    tblPr.append(_el("w:tblLayout", type="fixed"))
    mar = _el("w:tblCellMar")
    for side in ("left", "right"):
        mar.append(_el(f"w:{side}", w="0", type="dxa"))
    tblPr.append(mar)
    tblPr.append(_el("w:tblCaption", val=caption))
    for gc, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        gc.set(qn("w:w"), str(w))
    return t


def _row(t, height: int, rule: str = "exact"):
    tr = OxmlElement("w:tr")
    trPr = OxmlElement("w:trPr")
    trPr.append(OxmlElement("w:cantSplit"))
    trPr.append(_el("w:trHeight", val=str(height), hRule=rule))
    tr.append(trPr)
    t._tbl.append(tr)
    return tr


def _cell(tr, width: int, *, bottom: tuple[str, int] | None = None, valign: str = "center",
          vmerge: str | None = None):
    tc = OxmlElement("w:tc")
    tcPr = OxmlElement("w:tcPr")
    tcPr.append(_el("w:tcW", w=str(width), type="dxa"))
    if vmerge is not None:
        tcPr.append(_el("w:vMerge", **({"val": vmerge} if vmerge else {})))
    if bottom:
        borders = _el("w:tcBorders")
        borders.append(_el("w:bottom", val="single", sz=str(bottom[1]), space="0", color=bottom[0]))
        tcPr.append(borders)
    tcPr.append(_el("w:vAlign", val=valign))
    tc.append(tcPr)
    p = OxmlElement("w:p")
    tc.append(p)
    tr.append(tc)
    return p


def _tiny(p, pt: float = 1) -> None:
    """An empty paragraph that takes (almost) no room."""
    ppr = _el("w:pPr")
    ppr.append(_el("w:spacing", before="0", after="0", line=str(int(pt * 20)), lineRule="exact"))
    rpr = _el("w:rPr")
    rpr.append(_el("w:sz", val=str(int(pt * 2))))
    ppr.append(rpr)
    p.insert(0, ppr)


def separator(doc) -> None:
    """The red line under the document number, the full width of the text block, with a red star in its middle
    (party organs). Two rows of exact height: the first ends where the line runs (4 mm under the number's
    characters) — the side cells' bottom borders are the line —, the second as high again; the star's cell spans
    both, so the star is centred on the line. (Measured in LibreOffice's PDFs: a star in a cell shorter than
    about 1.5 times its size is clipped; paragraph borders in cells are not drawn; floating shapes are avoided.)"""
    star_w = 2 * CHAR
    side = (gw.TEXT_W - star_w) // 2
    widths = [side, star_w, gw.TEXT_W - side - star_w]
    t = _table(doc, widths, gw.SEPARATOR)
    half = gw.SEPARATOR_FROM_FOOT
    top = _row(t, half, "exact")
    _tiny(_cell(top, widths[0], bottom=(gw.RED, 12)))
    p = _cell(top, star_w, valign="center", vmerge="restart")
    ppr = _el("w:pPr")
    ppr.append(_el("w:spacing", before="0", after="0", line=str(2 * half), lineRule="exact"))
    ppr.append(_el("w:jc", val="center"))
    p.append(ppr)
    r = OxmlElement("w:r")
    rpr = _el("w:rPr")
    set_rfonts(rpr, gw.SONGTI)
    rpr.append(_el("w:color", val=gw.RED))
    rpr.append(_el("w:sz", val=str(STAR_PT * 2)))
    r.append(rpr)
    tx = OxmlElement("w:t")
    tx.text = gw.STAR
    r.append(tx)
    p.append(r)
    _tiny(_cell(top, widths[2], bottom=(gw.RED, 12)))
    under = _row(t, half, "exact")
    _tiny(_cell(under, widths[0]))
    _tiny(_cell(under, star_w, vmerge=""))
    _tiny(_cell(under, widths[2]))


def colophon(doc, rows: list[tuple[str, str]]) -> None:
    """版记: rows of (left, right) text between a thick first and last line and thin lines between, anchored to
    the foot of the last page (w:tblpPr: vertical anchor the margin, position bottom). A row whose left text is
    a Jinja ``{%tr … %}`` tag row is kept as it is (docxtpl removes it)."""
    t = _table(doc, [gw.COLOPHON_W], gw.COLOPHON_RULE,
               {"top": (gw.BLACK, 8), "bottom": (gw.BLACK, 8), "insideH": (gw.BLACK, 4)})
    tblPr = t._tbl.tblPr
    tblPr.insert(0, _el("w:tblpPr", leftFromText="0", rightFromText="0", vertAnchor="margin",
                        horzAnchor="margin", tblpXSpec="center", tblpYSpec="bottom"))
    for left, right in rows:
        tr = _row(t, gw.LINE_PITCH, "atLeast")
        p = _cell(tr, gw.COLOPHON_W)
        ppr = _el("w:pPr")
        ppr.append(_el("w:pStyle", val="GwColophon"))
        if right:
            tabs = _el("w:tabs")
            tabs.append(_el("w:tab", val="right", pos=str(gw.COLOPHON_W - 14 * 20)))
            ppr.append(tabs)
        ppr.append(_el("w:ind", left=str(14 * 20), right=str(14 * 20)))
        p.append(ppr)
        for i, text in enumerate([left, right] if right else [left]):
            if i:
                r = OxmlElement("w:r")
                r.append(OxmlElement("w:tab"))
                p.append(r)
            r = OxmlElement("w:r")
            tx = OxmlElement("w:t")
            tx.text = text
            tx.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(tx)
            p.append(r)


class Gongwen:
    """A 公文 template: ``Gongwen(new_document(...), title, upward=...)`` then addressee/body/heading/…, then
    ``signature()`` and ``save()``. ``new_document`` and ``save_docx`` are the builder's own (passed in, so this
    module stays free of the builder's constants)."""

    def __init__(self, doc, title: str, *, upward: bool = False) -> None:
        self.doc = doc
        add_styles(doc)
        page_setup(doc)
        mark = self.para("GwMark", "{{ official.mark }}")
        mark.paragraph_format.space_before = Pt(gw.MARK_TOP / 20)
        rpr_put(mark.runs[0]._element.get_or_add_rPr(), _el("w:w", val="80"))   # a long name stays on one line
        if upward:   # 上行文: the number at the left (one character in), 签发人 at the right, on one line
            num = self.para("GwNumber", "{{ official.number }}")
            num.add_run("\t签发人：{% if official.signer %}{{ official.signer }}{% else %}"
                        "{{ by_hand('name') }}{% endif %}")
            ppr = num._p.get_or_add_pPr()
            tabs = _el("w:tabs")
            tabs.append(_el("w:tab", val="right", pos=str(gw.TEXT_W - CHAR)))
            ppr.append(tabs)
            ppr.append(_el("w:ind", left=str(CHAR)))
            num.alignment = WD_ALIGN_PARAGRAPH.LEFT
        else:
            num = self.para("GwNumber", "{{ official.number }}")
            num.alignment = WD_ALIGN_PARAGRAPH.CENTER
        num.paragraph_format.space_before = Pt(2 * gw.LINE_PITCH / 20)
        num.paragraph_format.space_after = Pt(0)   # the separator's row is 4 mm high: its foot is the line
        separator(doc)
        t = self.para("GwTitle", title)
        t.paragraph_format.space_before = Pt(2 * gw.LINE_PITCH / 20)
        t.paragraph_format.space_after = Pt(gw.LINE_PITCH / 20)

    def para(self, style: str, text: str = ""):
        p = self.doc.add_paragraph(style=self.doc.styles[style])
        if text:
            p.add_run(text)
        return p

    def addressee(self, text: str = "{{ official.to }}："):
        return self.para("GwAddressee", text)

    def body(self, text: str = "", indent: bool = True, **_: object):
        p = self.para("GwBody", text)
        if not indent:
            p.paragraph_format.first_line_indent = Pt(0)
            p._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
        return p

    def heading(self, text: str):
        return self.para("GwH1", text)

    def lead(self, heading: str, text: str):
        """A paragraph opening with an inline first-level heading (黑体)."""
        p = self.body(heading)
        set_rfonts(p.runs[0]._element.get_or_add_rPr(), gw.HEITI)
        p.add_run(text)
        return p

    def attachment(self, text: str):
        p = self.para("GwAttachment", text)
        p._p.get_or_add_pPr().get_or_add_ind().set(qn("w:left"), str(2 * CHAR))
        return p

    def tag(self, text: str):
        """A paragraph holding only a docxtpl {%p … %} tag (it disappears when rendered)."""
        p = self.doc.add_paragraph()
        p.add_run(text)
        return p

    def signature(self, date: str = "{% if official.date %}{{ official.date }}{% else %}"
                  "{{ by_hand('date') }}{% endif %}") -> None:
        """发文机关署名 over 成文日期 (右空四字), three lines under the body; the seal goes over both. The body's
        last paragraph is kept with them (7.3.5.4: the signature never stands on a page of its own)."""
        last = next((p for p in reversed(self.doc.paragraphs) if "{%" not in p.text), None)
        if last is not None:
            last.paragraph_format.keep_with_next = True
        s = self.para("GwSignature", "{{ official.issuer }}")
        s.paragraph_format.keep_with_next = True
        s.paragraph_format.space_before = Pt(3 * gw.LINE_PITCH / 20)
        s._p.get_or_add_pPr().get_or_add_ind().set(qn("w:right"), str(2 * CHAR))
        d = self.para("GwDate", date)
        d._p.get_or_add_pPr().get_or_add_ind().set(qn("w:right"), str(4 * CHAR))

    def save(self, path: Path, save_docx) -> None:
        colophon(self.doc, [("{%tr if official.copy_to %}", ""),
                            ("抄送：{{ official.copy_to }}。", ""),
                            ("{%tr endif %}", ""),
                            ("{{ official.printer }}",
                             "{% if official.printed %}{{ official.printed }}{% else %}{{ by_hand('date') }}"
                             "{% endif %}印发")])
        end = self.doc.add_paragraph()      # the body ends with a paragraph (the table's anchor)
        _tiny(end._p)
        page_numbers(self.doc)
        save_docx(self.doc, path)
