"""The 公文 profile: GB/T 9704-2012 (党政机关公文格式) as numbers, shared by the template builder
(tools/build_party_templates.py) and the checker (engine/output/gbt9704.py).

A document of this profile marks each element with a paragraph style whose id is in ``ELEMENTS`` (Gw…); the
checker finds the elements by those styles, so a document built any other way is measured the same way.
Records and registers (minutes, 登记表, 考察表) are the other profile: they keep their table layouts and carry
"第 N 页 共 M 页" at the foot.

Lengths are in twentieths of a point (twips, Word's unit): 1 mm = 56.69 twips.
"""
from __future__ import annotations

from dataclasses import dataclass

MM = 1440 / 25.4            # twips per millimetre


def mm(value: float) -> int:
    return round(value * MM)


PROFILE_OFFICIAL = "official"   # 公文 (GB/T 9704)
PROFILE_RECORD = "record"       # records and registers: table layouts, "第 N 页 共 M 页"
PROFILES = (PROFILE_OFFICIAL, PROFILE_RECORD)

# --- page (GB/T 9704 5.2): A4; top 37 mm, left 28 mm; text block 156 mm × 225 mm
PAGE_W, PAGE_H = mm(210), mm(297)
MARGIN_TOP, MARGIN_LEFT = mm(37), mm(28)
TEXT_W, TEXT_H = mm(156), mm(225)
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - TEXT_W          # 26 mm
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TEXT_H          # 35 mm
FOOTER_DISTANCE = mm(22)   # the page number line about 7 mm below the text block (7.5: 一字线上距版心下边缘约 7 mm)
HEADER_DISTANCE = mm(15)

# --- character grid (5.2.3): 22 lines of 28 characters of 3号 (16 pt). The lines are a line grid
# (w:docGrid type "lines", every element's line spacing exactly the pitch); the 28 characters come from the
# body's character spacing (w:spacing in the run properties, −0.2 pt: 28 × 15.8 pt = 156 mm). A character grid
# (type "linesAndChars" with w:charSpace) is not used: LibreOffice lays it out at twice the width Word does.
LINES, CHARS = 22, 28
LINE_PITCH = TEXT_H // LINES                         # twips per line (≈ 28.95 pt)
BODY_PT = 16
GRID_TYPE = "lines"
CHAR_SPACING = round(TEXT_W / CHARS - BODY_PT * 20)  # twentieths of a point added to each character (−4)
CHAR_SPACE = round((TEXT_W / CHARS / 20 - BODY_PT) * 4096)   # the same as Word's w:charSpace (1/4096 pt)

RED = "FF0000"
BLACK = "000000"

# --- fonts (Word / WPS names on Chinese Windows)
XBS = "方正小标宋简体"        # 小标宋: the issuing-organ mark and the title
FANGSONG = "仿宋_GB2312"      # body
HEITI = "黑体"                # first-level headings
KAITI = "楷体_GB2312"         # second-level headings
SONGTI = "宋体"               # page numbers


@dataclass(frozen=True)
class Element:
    style: str            # the paragraph style id that marks it
    name: str             # its name in GB/T 9704
    font: str
    size: float           # points
    color: str = BLACK
    align: str = ""       # "center", "right", "left", "both" ("" = not checked)
    bold: bool = False
    exact_line: bool = True   # line spacing exactly the grid's pitch (the mark and the title are not on it)


ELEMENTS: dict[str, Element] = {e.style: e for e in (
    Element("GwMark", "发文机关标志", XBS, 42, RED, "center", exact_line=False),
    Element("GwNumber", "发文字号", FANGSONG, BODY_PT, align=""),
    Element("GwTitle", "标题", XBS, 22, align="center", exact_line=False),
    Element("GwAddressee", "主送机关", FANGSONG, BODY_PT, align="left"),
    Element("GwBody", "正文", FANGSONG, BODY_PT, align="both"),
    Element("GwH1", "一级标题", HEITI, BODY_PT, align="both"),
    Element("GwH2", "二级标题", KAITI, BODY_PT, align="both"),
    Element("GwAttachment", "附件说明", FANGSONG, BODY_PT, align="left"),
    Element("GwSignature", "发文机关署名", FANGSONG, BODY_PT, align="right"),
    Element("GwDate", "成文日期", FANGSONG, BODY_PT, align="right"),
    Element("GwNote", "附注", FANGSONG, BODY_PT, align="left"),
    Element("GwColophon", "版记", FANGSONG, 14, align=""),
    Element("GwPageNumber", "页码", SONGTI, 14, align=""),
)}

# Elements every 公文 of the profile has (a 批复 has no 附件说明; a plan may have no 主送机关).
REQUIRED = ("GwMark", "GwNumber", "GwTitle", "GwBody", "GwSignature", "GwDate", "GwColophon", "GwPageNumber")

MARK_TOP = mm(35)          # 7.2.2: the mark's top edge 35 mm below the text block's top
SEPARATOR_BELOW = mm(4)    # 7.2.5: the red line 4 mm under the document number
# …measured from the number's characters, which end about 0.65 mm above their paragraph's foot (measured in the
# PDFs LibreOffice makes: a 3号 line on the 28.95 pt grid): the line is this far below the paragraph
SEPARATOR_FROM_FOOT = SEPARATOR_BELOW - mm(0.65)
SEPARATOR = "GwSeparator"  # the table caption (w:tblCaption) of the separator line with its star
STAR = "★"                 # party organs: a star in the middle of the separator line
PAGE_NUMBER_DASH = "—"     # 7.5: "— 1 —", one-em dashes either side
COLOPHON_RULE = "GwColophon"
# The 版记 table is anchored to the foot of the page. LibreOffice (the PDFs) lets a table float only when it is
# narrower than the text block (by ≥ 270 twips, found by trial; as wide, it is laid out inline after the body),
# so its lines are 5 mm short of the text block's 156 mm: 2.5 mm in from each side.
COLOPHON_W = TEXT_W - mm(5)
