"""Measure a rendered .docx against the profiles of engine/output/gongwen.py.

``check_official`` holds a 公文 to GB/T 9704-2012 as the template builder lays it out (tools/gongwen_builder.py):
the A4 page, margins, 版心 and line grid of every section; each element's font, size, colour, bold, character
spacing, alignment and exact line spacing, the element found by its paragraph style (Gw…) and its run properties
taken as Word takes them (run over character style over paragraph style, along w:basedOn, over docDefaults); the
版头 (the mark first and 35 mm down, the 发文字号, the red separator table with its red star, the title after it);
the 版记 table at the end, anchored to the foot of the page; the "— N —" page numbers of the odd and even footers.
``check_record`` holds a record or register to A4 and "第 N 页 共 M 页" in the footer of every section.

It reads the XML, it does not lay the document out: table styles' run properties and numbering are not followed,
and the distance from the 发文字号 to the separator line is measured as the number paragraph's space after.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from ..outcomes import Code
from ..read.office import SAFE_PARSER
from . import gongwen as gw
from .gongwen import MM, Element, mm

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
PART_CAP = 32 * 1024 * 1024     # one part of a rendered document is a few hundred KB
_SKIP = {f"{{{W}}}{t}" for t in ("p", "del", "moveFrom", "txbxContent")}
_NO_LINE = {None, "nil", "none"}
_UNITS = {"": 1.0, "mm": MM, "cm": 10 * MM, "in": 1440.0, "pt": 20.0, "pc": 240.0, "pi": 240.0}
_SIZE_NAMES = {42: "初号", 26: "一号", 22: "二号", 16: "三号", 15: "小三", 14: "四号", 12: "小四", 10.5: "五号"}
_ALIGN = {"left": "左对齐", "right": "右对齐", "center": "居中", "both": "两端对齐", "distribute": "分散对齐"}
_BOLD = {True: "加粗", False: "不加粗"}
_INLINE_HEADINGS = {"GwBody": (gw.HEITI, gw.KAITI)}   # 7.3.3: a body paragraph may open with 一、 or （一）
_MARK, _SEP, _COLO, _PAGE, _SETUP = "发文机关标志", "版头分隔线", "版记", "页码", "页面设置"
_PAGE_TEXT = f"{gw.PAGE_NUMBER_DASH} {{PAGE}} {gw.PAGE_NUMBER_DASH}"
_RECORD_TEXT = "第{PAGE}页共{NUMPAGES}页"
Chain = list[etree._Element]


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Deviation:
    rule: str        # 页面 页边距 版心 行距 字符网格 字体 字号 颜色 对齐 位置 缺少要素 分隔线 版记 页码
    element: str     # the element's name in GB/T 9704 (发文机关标志, 正文, …) or 页面设置
    found: str
    expected: str
    where: str


def format_deviation(d: Deviation) -> str:
    where = f"（{d.where}）" if d.where else ""
    return f"【{d.rule}】{d.element}{where}：实际为 {d.found}，应为 {d.expected}"


# --- the package ----------------------------------------------------------------------------------------------

class _Docx:
    """The parts the checks read: the main document, its styles, settings and footers."""

    def __init__(self, data: bytes) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            rels = self.xml("_rels/.rels")
            main = next((r.get("Target", "").lstrip("/") for r in (rels if rels is not None else ())
                         if r.get("Type") == _REL_DOC), "word/document.xml")
            document = self.xml(main)
            folder = posixpath.dirname(main)
            self.styles = _Styles(self.xml(posixpath.join(folder, "styles.xml")))
            self.settings = self.xml(posixpath.join(folder, "settings.xml"))
            rels = self.xml(posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels"))
        except (zipfile.BadZipFile, EOFError, ValueError, OSError, etree.XMLSyntaxError) as exc:
            raise InputError(f"文档已损坏，无法检查格式（{type(exc).__name__}）", code=Code.CORRUPT_ZIP) from None
        body = document.find(w("body")) if document is not None else None
        if body is None:
            raise InputError("这不是 Word 文档（没有正文部分）", code=Code.CORRUPT_ZIP)
        self.body = body
        self._rels = {r.get("Id", ""): posixpath.normpath(posixpath.join(folder, r.get("Target", "")))
                      for r in (rels if rels is not None else ()) if not r.get("TargetMode")}

    def xml(self, name: str) -> etree._Element | None:
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            return None
        if info.file_size > PART_CAP:
            raise InputError(f"文档部件 {name} 过大，疑似压缩炸弹", code=Code.ZIP_BOMB)
        with self._zip.open(info) as fh:
            blob = fh.read(info.file_size + 1)
        if len(blob) > info.file_size:
            raise ValueError("member larger than declared")
        return etree.fromstring(blob, SAFE_PARSER)

    def part(self, rid: str) -> tuple[str, etree._Element | None]:
        name = self._rels.get(rid, "")
        return name, (self.xml(name) if name else None)

    def sections(self) -> list[etree._Element]:
        return [s for s in self.body.iter(w("sectPr")) if s.getparent().tag != w("sectPrChange")]

    def setting(self, tag: str) -> bool:
        el = self.settings.find(w(tag)) if self.settings is not None else None
        return el is not None and _on(el.get(w("val")))


class _Styles:
    """Style inheritance: the property elements that apply to a paragraph or a run, nearest first."""

    def __init__(self, root: etree._Element | None) -> None:
        styles = root.findall(w("style")) if root is not None else []
        self.by_id = {s.get(w("styleId")): s for s in styles}
        self.default = next((s.get(w("styleId")) for s in styles
                             if s.get(w("type")) == "paragraph" and s.get(w("default")) in ("1", "true", "on")), None)
        defaults = root.find(w("docDefaults")) if root is not None else None
        self.rpr_default = defaults.findall(f"{w('rPrDefault')}/{w('rPr')}") if defaults is not None else []
        self.ppr_default = defaults.findall(f"{w('pPrDefault')}/{w('pPr')}") if defaults is not None else []

    def chain(self, sid: str | None, child: str) -> Chain:
        out: Chain = []
        seen: set[str] = set()
        while sid and sid not in seen and sid in self.by_id:
            seen.add(sid)
            out += self.by_id[sid].findall(w(child))
            based = self.by_id[sid].find(w("basedOn"))
            sid = based.get(w("val")) if based is not None else None
        return out

    def style_id(self, p: etree._Element) -> str | None:
        ps = p.find(f"{w('pPr')}/{w('pStyle')}")
        return ps.get(w("val")) if ps is not None else self.default

    def ppr(self, p: etree._Element) -> Chain:
        return p.findall(w("pPr")) + self.chain(self.style_id(p), "pPr") + self.ppr_default

    def rpr(self, p: etree._Element, r: etree._Element) -> Chain:
        own = r.findall(w("rPr"))
        rstyle = own[0].find(w("rStyle")) if own else None
        char = self.chain(rstyle.get(w("val")), "rPr") if rstyle is not None else []
        return own + char + self.chain(self.style_id(p), "rPr") + self.rpr_default


# --- small readers ----------------------------------------------------------------------------------------------

def _on(v: str | None) -> bool:
    return v is None or v.lower() in ("1", "true", "on")


def _num(v: str | None) -> float | None:
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*", v or "")
    return float(m.group(1)) * _UNITS[m.group(2)] if m and m.group(2) in _UNITS else None


def _attr(chain: Chain, tag: str, *attrs: str) -> str | None:
    """The nearest value of the first of ``attrs`` on ``tag`` along ``chain``."""
    for el in chain:
        child = el.find(w(tag))
        for a in attrs if child is not None else ():
            if child.get(w(a)) is not None:
                return child.get(w(a))
    return None


def _font(chain: Chain) -> tuple[str | None, bool]:
    """The effective East Asian font, and whether it is a theme's (a theme attribute wins at its level)."""
    for rf in (el.find(w("rFonts")) for el in chain):
        if rf is not None and rf.get(w("eastAsiaTheme")):
            return rf.get(w("eastAsiaTheme")), True
        if rf is not None and rf.get(w("eastAsia")):
            return rf.get(w("eastAsia")), False
    return None, False


def _bold(chain: Chain) -> bool:
    return next((_on(b.get(w("val"))) for b in (el.find(w("b")) for el in chain) if b is not None), False)


def _color(v: str | None) -> str:
    return gw.BLACK if v is None or v.lower() == "auto" else v.upper()


def _cname(c: str) -> str:
    return {gw.RED: f"{gw.RED} 红色", gw.BLACK: f"{gw.BLACK} 黑色"}.get(c, c)


def _align(chain: Chain) -> str:
    jc = _attr(chain, "jc", "val") or "left"
    return {"start": "left", "end": "right"}.get(jc, jc)


def _runs(p: etree._Element) -> Iterator[etree._Element]:
    """The runs of ``p`` itself (not a text box's inside it, not deleted text)."""
    for r in p.iter(w("r")):
        a = r.getparent()
        while a is not None and a is not p and a.tag not in _SKIP:
            a = a.getparent()
        if a is p:
            yield r


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(w("t")))


def _blocks(body: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of the body in order (through content controls)."""
    for el in body:
        if el.tag in (w("p"), w("tbl")):
            yield el
        elif el.tag in (w("sdt"), w("sdtContent"), w("customXml")):
            yield from _blocks(el)


def _caption(tbl: etree._Element) -> str | None:
    cap = tbl.find(f"{w('tblPr')}/{w('tblCaption')}")
    return cap.get(w("val")) if cap is not None else None


def _near(value: float | None, target: float, tolerance: float) -> bool:
    return value is not None and abs(value - target) <= tolerance


def _mm(twips: float) -> str:
    return f"{twips / MM:.1f} mm"


def _pt(size: float) -> str:
    return f"{size:g} 磅" + (f"（{_SIZE_NAMES[size]}）" if size in _SIZE_NAMES else "")


# --- elements -----------------------------------------------------------------------------------------------

def _bad_font(e: Element, font: str | None, themed: bool, text: str, leading: bool,
              fallbacks: frozenset[str]) -> str | None:
    """What is wrong with the run's font (None: nothing)."""
    if themed or font is None:
        return "字体未明确指定" + (f"（主题字体 {font}）" if themed else "")
    if font == e.font or (leading and font in _INLINE_HEADINGS.get(e.style, ())):
        return None
    if font in fallbacks and text.encode("gb2312", "ignore").decode("gb2312") != text:
        return None     # the renderer's font for a character outside GB 2312 (生僻字)
    return font


def _check_runs(styles: _Styles, p: etree._Element, e: Element, where: str,
                fallbacks: frozenset[str]) -> list[Deviation]:
    found: dict[str, Deviation] = {}          # one finding per property and paragraph (its first run's)
    leading = True
    for r in _runs(p):
        text = _text(r)
        if not text.strip():
            continue
        chain = styles.rpr(p, r)
        font, themed = _font(chain)
        bad_font = _bad_font(e, font, themed, text, leading, fallbacks)
        leading = leading and font in _INLINE_HEADINGS.get(e.style, ())
        size = (_num(_attr(chain, "sz", "val")) or 20) / 2
        color = _color(_attr(chain, "color", "val"))
        spacing = _num(_attr(chain, "spacing", "val")) or 0
        wide = gw.GRID_TYPE == "lines" and e.size == gw.BODY_PT and not _near(spacing, gw.CHAR_SPACING, 1)
        checks = (("字体", bad_font is not None, bad_font or "", e.font),
                  ("字号", size != e.size, _pt(size), _pt(e.size)),
                  ("颜色", color != e.color, _cname(color), _cname(e.color)),
                  ("加粗", _bold(chain) != e.bold, _BOLD[not e.bold], _BOLD[e.bold]),
                  ("字符网格", wide, f"字符间距 {spacing / 20:g} 磅",
                   f"字符间距 {gw.CHAR_SPACING / 20:g} 磅（每行 {gw.CHARS} 字）"))
        at = f"{where}，文字“{text.strip()[:8]}”"
        for key, bad, got, want in checks:
            if bad and key not in found:
                found[key] = Deviation("字体" if key == "加粗" else key, e.name, got, want, at)
    return list(found.values())


def _line(chain: Chain) -> str:
    line, rule = _num(_attr(chain, "spacing", "line")), _attr(chain, "spacing", "lineRule") or "auto"
    if line is None:
        return "单倍行距"
    return f"{line / 240:g} 倍行距" if rule == "auto" else \
        f"{'固定值' if rule == 'exact' else '最小值'} {line / 20:.2f} 磅"


def _check_paragraph(styles: _Styles, p: etree._Element, e: Element, where: str,
                     fallbacks: frozenset[str] = frozenset()) -> list[Deviation]:
    out = _check_runs(styles, p, e, where, fallbacks)
    chain = styles.ppr(p)
    if e.align and _text(p).strip() and _align(chain) != e.align:
        out.append(Deviation("对齐", e.name, _ALIGN.get(_align(chain), _align(chain)), _ALIGN[e.align], where))
    exact = f"固定值 {gw.LINE_PITCH / 20:.2f} 磅"
    if e.exact_line and _line(chain) != exact:
        out.append(Deviation("行距", e.name, _line(chain), exact, where))
    return out


def _spacing(chain: Chain, side: str) -> float:
    """Space before/after in twips (…Lines, hundredths of a grid line, win over twips as in Word)."""
    lines = _num(_attr(chain, "spacing", f"{side}Lines"))
    return lines * gw.LINE_PITCH / 100 if lines else _num(_attr(chain, "spacing", side)) or 0


# --- the page -------------------------------------------------------------------------------------------------

def _page_size(sect: etree._Element, where: str, landscape_ok: bool) -> list[Deviation]:
    sz = sect.find(w("pgSz"))
    width, height = (None, None) if sz is None else (_num(sz.get(w("w"))), _num(sz.get(w("h"))))
    sizes = [(gw.PAGE_W, gw.PAGE_H)] + ([(gw.PAGE_H, gw.PAGE_W)] if landscape_ok else [])
    if any(_near(width, a, mm(0.5)) and _near(height, b, mm(0.5)) for a, b in sizes):
        return []
    return [Deviation("页面", _SETUP, f"{_mm(width or 0)} × {_mm(height or 0)}",
                      "A4（210 mm × 297 mm）" + ("" if landscape_ok else "纵向"), where)]


def _page(sect: etree._Element, where: str) -> list[Deviation]:
    out = _page_size(sect, where, landscape_ok=False)
    mar = sect.find(w("pgMar"))
    get = {k: abs(_num(mar.get(w(k))) or 0) if mar is not None else 0.0
           for k in ("top", "bottom", "left", "right", "gutter")}
    for side, name, want in (("top", "上", gw.MARGIN_TOP), ("bottom", "下", gw.MARGIN_BOTTOM),
                             ("left", "左", gw.MARGIN_LEFT), ("right", "右", gw.MARGIN_RIGHT)):
        if not _near(get[side], want, mm(0.5)):
            out.append(Deviation("页边距", _SETUP, f"{name} {_mm(get[side])}", f"{name} {_mm(want)}", where))
    text_w = gw.PAGE_W - get["left"] - get["right"] - get["gutter"]
    text_h = gw.PAGE_H - get["top"] - get["bottom"]
    # with the page and the margins right, the text block is wrong only through the gutter or added-up errors
    if not out and not (_near(text_w, gw.TEXT_W, mm(0.5)) and _near(text_h, gw.TEXT_H, mm(0.5))):
        gutter = f"（装订线 {_mm(get['gutter'])}）" if get["gutter"] else ""
        out.append(Deviation("版心", _SETUP, f"{_mm(text_w)} × {_mm(text_h)}{gutter}",
                             f"{_mm(gw.TEXT_W)} × {_mm(gw.TEXT_H)}", where))
    return out + _grid(sect, where)


def _grid(sect: etree._Element, where: str) -> list[Deviation]:
    grid = sect.find(w("docGrid"))
    kind, pitch, space = (None, None, None) if grid is None else \
        (grid.get(w("type")), _num(grid.get(w("linePitch"))), _num(grid.get(w("charSpace"))))
    out = []
    if kind != gw.GRID_TYPE:
        out.append(Deviation("字符网格", _SETUP, f"网格类型 {kind or '无网格'}",
                             f"网格类型 {gw.GRID_TYPE}（每页 {gw.LINES} 行，每行 {gw.CHARS} 字）", where))
    if not _near(pitch, gw.LINE_PITCH, 2):
        out.append(Deviation("行距", _SETUP, f"网格行距 {(pitch or 0) / 20:.2f} 磅",
                             f"{gw.LINE_PITCH / 20:.2f} 磅（每页 {gw.LINES} 行）", where))
    if gw.GRID_TYPE == "linesAndChars" == kind and not _near(space, gw.CHAR_SPACE, 60):
        out.append(Deviation("字符网格", _SETUP, f"charSpace={space}", f"charSpace={gw.CHAR_SPACE}", where))
    return out


# --- footers --------------------------------------------------------------------------------------------------

def _field_text(p: etree._Element) -> str:
    """The paragraph's text with each field as {NAME} (PAGE, NUMPAGES, …) in place of its result."""
    out: list[str] = []
    stack: list[list[str]] = []          # the open complex fields' instructions
    skip: set[etree._Element] = set()
    for el in p.iter():
        if el.tag == w("fldSimple"):
            out.append(_field_name(el.get(w("instr"), "")))
            skip.update(el.iter(w("t")))
        elif el.tag == w("fldChar") and el.get(w("fldCharType")) == "begin":
            stack.append([])
        elif el.tag == w("fldChar") and el.get(w("fldCharType")) == "end" and stack:
            instr = "".join(stack.pop())
            out += [] if stack else [_field_name(instr)]
        elif el.tag == w("instrText") and stack:
            stack[-1].append(el.text or "")
        elif el.tag == w("t") and el not in skip and not stack:
            out.append(el.text or "")
    return "".join(out)


def _field_name(instr: str) -> str:
    return "{" + (instr.split() or [""])[0].upper() + "}"


Footer = tuple[str, str, etree._Element | None]     # (where, kind, the footer part)


def _footers(doc: _Docx, kinds: Callable[[etree._Element], tuple[str, ...]]) -> Iterator[Footer]:
    """The footers of each kind a section needs; a section without a reference of its own inherits the
    previous section's (and is not checked again); a kind no section so far has comes with None."""
    current: dict[str, str] = {}
    labels = {"default": "页脚", "even": "偶数页页脚", "first": "首页页脚"}
    for i, sect in enumerate(doc.sections(), start=1):
        own = {ref.get(w("type"), "default"): ref.get(f"{{{R}}}id", "") for ref in sect.findall(w("footerReference"))}
        current.update(own)
        for kind in kinds(sect):
            if kind in own or kind not in current:
                name, root = doc.part(current[kind]) if kind in current else ("", None)
                label = f"第 {i} 节{labels[kind]}" + (f"（{posixpath.basename(name)}）" if name else "")
                yield label, kind, root


def _check_page_footer(doc: _Docx, footer: etree._Element, kind: str, where: str) -> list[Deviation]:
    paras = [p for p in footer.iter(w("p")) if doc.styles.style_id(p) == "GwPageNumber"]
    p = next((q for q in paras if "{PAGE}" in _field_text(q)), paras[0] if paras else None)
    if p is None:
        return [Deviation("页码", _PAGE, "页脚中没有页码段落（样式 GwPageNumber）", "“— 1 —”", where)]
    text, out = _field_text(p), []
    if any("{NUMPAGES}" in _field_text(q) for q in footer.iter(w("p"))):
        out.append(Deviation("页码", _PAGE, "含总页数（NUMPAGES）", "公文页码不含总页数：“— 1 —”", where))
    elif "{PAGE}" not in text:
        out.append(Deviation("页码", _PAGE, "没有页码域（PAGE）", "“— 1 —”", where))
    elif text.strip() != _PAGE_TEXT:
        out.append(Deviation("页码", _PAGE, f"“{text.replace('{PAGE}', '1')}”",
                             f"“{_PAGE_TEXT.replace('{PAGE}', '1')}”（一字线，数字左右各空一格）", where))
    chain = doc.styles.ppr(p)
    side, other, name = ("right", "end", "右") if kind == "default" else ("left", "start", "左")
    if _align(chain) != side:
        out.append(Deviation("对齐", _PAGE, _ALIGN.get(_align(chain), _align(chain)), _ALIGN[side], where))
    chars = _num(_attr(chain, "ind", f"{side}Chars", f"{other}Chars"))
    indent = _num(_attr(chain, "ind", side, other))
    if not (chars == 100 or (chars is None and _near(indent, 280, 60))):
        found = f"{chars / 100:g} 字符" if chars is not None else _mm(indent or 0)
        out.append(Deviation("位置", _PAGE, f"{name}缩进 {found}", f"{name}缩进 1 字符", where))
    return out + _check_paragraph(doc.styles, p, gw.ELEMENTS["GwPageNumber"], where)


def _official_footers(doc: _Docx) -> list[Deviation]:
    out = []
    if not doc.setting("evenAndOddHeaders"):
        out.append(Deviation("页码", _PAGE, "未设置奇偶页不同", "奇偶页不同（单页码居右、双页码居左）", "文档设置"))
    for where, kind, root in _footers(doc, lambda _: ("default", "even")):
        where = where.replace("节页脚", "节奇数页页脚")
        out += [Deviation("页码", _PAGE, "没有页脚", "“— 1 —”", where)] if root is None else \
            _check_page_footer(doc, root, kind, where)
    return out


# --- 版头 and 版记 --------------------------------------------------------------------------------------------

def _borders(tbl: etree._Element) -> Chain:
    """Every line drawn in the table: its, its cells' and its paragraphs' borders that are not nil."""
    return [b for tag in ("tblBorders", "tcBorders", "pBdr") for group in tbl.iter(w(tag)) for b in group
            if b.get(w("val")) not in _NO_LINE]


def _line_offset(tbl: etree._Element) -> float:
    """How far below the separator table's top its line prints: 0 when the line is the table's top border, else
    the heights of the rows down to the first whose cells have a bottom border (the line runs there)."""
    top = tbl.find(f"{w('tblPr')}/{w('tblBorders')}/{w('top')}")
    if top is not None and top.get(w("val")) not in (None, "nil", "none"):
        return 0
    ruled = tbl.find(f"{w('tr')}/{w('tc')}/{w('p')}/{w('pPr')}/{w('pBdr')}/{w('bottom')}")
    if ruled is not None:       # a paragraph's bottom border in the first row: the line is that paragraph's foot
        line = ruled.getparent().getparent().find(w("spacing"))
        return (_num(line.get(w("line"))) or 0) if line is not None and line.get(w("lineRule")) == "exact" else 0
    offset = 0.0
    for tr in tbl.iterfind(w("tr")):
        height = tr.find(f"{w('trPr')}/{w('trHeight')}")
        offset += (_num(height.get(w("val"))) or 0) if height is not None else 0
        bottoms = tr.findall(f"{w('tc')}/{w('tcPr')}/{w('tcBorders')}/{w('bottom')}")
        if any(b.get(w("val")) not in (None, "nil", "none") for b in bottoms):
            return offset
    return 0


def _width(tbl: etree._Element) -> float:
    return sum(_num(c.get(w("w"))) or 0 for c in tbl.iterfind(f"{w('tblGrid')}/{w('gridCol')}"))


def _check_separator(doc: _Docx, sep: etree._Element) -> list[Deviation]:
    lines, out = _borders(sep), []
    if not lines:
        out.append(Deviation("分隔线", _SEP, "没有线条", "红色横线", "版头"))
    if bad := sorted({_color(b.get(w("color"))) for b in lines} - {gw.RED}):
        out.append(Deviation("颜色", _SEP, "、".join(map(_cname, bad)), _cname(gw.RED), "版头"))
    star = next(((p, r) for p in sep.iter(w("p")) for r in _runs(p) if gw.STAR in _text(r)), None)
    if star is None:
        out.append(Deviation("分隔线", _SEP, "没有五角星", f"分隔线中间一颗红色{gw.STAR}", "版头"))
    elif (color := _color(_attr(doc.styles.rpr(*star), "color", "val"))) != gw.RED:
        out.append(Deviation("颜色", _SEP, f"{gw.STAR} {_cname(color)}", _cname(gw.RED), "版头"))
    if not _near(_width(sep), gw.TEXT_W, mm(1)):
        out.append(Deviation("分隔线", _SEP, f"宽 {_mm(_width(sep))}", f"与版心等宽 {_mm(gw.TEXT_W)}", "版头"))
    return out


def _check_head(doc: _Docx, blocks: Chain) -> list[Deviation]:
    """The mark first and 35 mm down, the number after it, the separator right after, the title after that."""
    first = {s: next((i for i, b in enumerate(blocks) if b.tag == w("p") and doc.styles.style_id(b) == s), None)
             for s in ("GwMark", "GwNumber", "GwTitle")}
    sep = next((i for i, b in enumerate(blocks) if b.tag == w("tbl") and _caption(b) == gw.SEPARATOR), None)
    mark, num, title, out = first["GwMark"], first["GwNumber"], first["GwTitle"], []
    if mark is not None:
        if mark:
            out.append(Deviation("位置", _MARK, f"正文第 {mark + 1} 块", "版头第一段", "版头"))
        if not _near(before := _spacing(doc.styles.ppr(blocks[mark]), "before"), gw.MARK_TOP, mm(1)):
            out.append(Deviation("位置", _MARK, f"上边缘距版心上边缘 {_mm(before)}（段前）", _mm(gw.MARK_TOP), "版头"))
    if num is not None and mark is not None and num < mark:
        out.append(Deviation("位置", "发文字号", "在发文机关标志之前", "发文机关标志之下", "版头"))
    if sep is None:
        return out + [Deviation("分隔线", _SEP, "没有分隔线", f"发文字号下的红色分隔线（表格标题 {gw.SEPARATOR}）",
                                "版头")]
    if num is not None and num + 1 != sep:
        out.append(Deviation("位置", _SEP, "不紧接在发文字号之后", "发文字号之下", "版头"))
    below = _spacing(doc.styles.ppr(blocks[num]), "after") + _line_offset(blocks[sep]) if num is not None else None
    if num is not None and not _near(below, gw.SEPARATOR_FROM_FOOT, mm(1)):
        out.append(Deviation("位置", _SEP, f"距发文字号段落下沿 {_mm(below or 0)}",
                             f"{_mm(gw.SEPARATOR_FROM_FOOT)}（距发文字号文字 {_mm(gw.SEPARATOR_BELOW)}）", "版头"))
    if title is not None and title < sep:
        out.append(Deviation("位置", "标题", "在分隔线之前", "分隔线之下", "版头"))
    return out + _check_separator(doc, blocks[sep])


def _edge(tbl: etree._Element, row: etree._Element | None, side: str) -> list[etree._Element | None]:
    """The border on ``side`` of each cell of ``row``: the cell's own, else the table's."""
    table = tbl.find(f"{w('tblPr')}/{w('tblBorders')}/{w(side)}")
    cells = [c.find(f"{w('tcPr')}/{w('tcBorders')}/{w(side)}") for c in row.iter(w("tc"))] if row is not None else []
    return [c if c is not None else table for c in cells] or [None]


def _colophon_lines(tbl: etree._Element) -> list[Deviation]:
    rows, out = tbl.findall(w("tr")), []
    for label, row, side in (("首行上边线", rows[0] if rows else None, "top"),
                             ("末行下边线", rows[-1] if rows else None, "bottom")):
        lines = [b for b in _edge(tbl, row, side) if b is not None and b.get(w("val")) not in _NO_LINE]
        if len(lines) < len(_edge(tbl, row, side)):
            out.append(Deviation("版记", _COLO, f"没有{label}", f"{label}（黑色，不细于 0.35 mm）", "文末"))
            continue
        if colors := sorted({_color(b.get(w("color"))) for b in lines} - {gw.BLACK}):
            out.append(Deviation("颜色", _COLO, f"{label} {'、'.join(colors)}", _cname(gw.BLACK), "文末"))
        if (thin := min(_num(b.get(w("sz"))) or 0 for b in lines)) < 8:
            out.append(Deviation("版记", _COLO, f"{label}粗 {thin / 8:g} 磅", "不细于 1 磅（0.35 mm）", "文末"))
    return out


def _check_colophon(doc: _Docx, blocks: Chain) -> list[Deviation]:
    """The last table captioned GwColophon: nothing but empty paragraphs after it, anchored to the foot of the
    page, GwColophon paragraphs, the width of the text block, black lines at its top and bottom."""
    at = [i for i, b in enumerate(blocks) if b.tag == w("tbl") and _caption(b) == gw.COLOPHON_RULE]
    if not at:
        return [Deviation("缺少要素", _COLO, "没有版记", f"文末的版记表格（表格标题 {gw.COLOPHON_RULE}）", "文末")]
    tbl, out = blocks[at[-1]], []
    if any(b.tag == w("tbl") or _text(b).strip() for b in blocks[at[-1] + 1:]):
        out.append(Deviation("位置", _COLO, "版记之后还有内容", "版记在公文最后", "文末"))
    pos = tbl.find(f"{w('tblPr')}/{w('tblpPr')}")
    anchor = None if pos is None else (pos.get(w("vertAnchor")), pos.get(w("tblpYSpec")))
    if anchor is None or anchor[0] not in ("margin", "page") or anchor[1] != "bottom":
        found = "嵌入正文，未固定" if anchor is None else f"垂直定位 {anchor[0]}/{anchor[1]}"
        out.append(Deviation("位置", _COLO, found, "固定在页面底端（表格定位：相对页边距，底端）", "文末"))
    other = next((s for p in tbl.iter(w("p")) if _text(p).strip()
                  and (s := doc.styles.style_id(p)) != "GwColophon"), "GwColophon")
    if other != "GwColophon":
        out.append(Deviation("版记", _COLO, f"段落样式 {other}", "GwColophon", "文末"))
    if not _near(_width(tbl), gw.COLOPHON_W, mm(1)):
        out.append(Deviation("版记", _COLO, f"宽 {_mm(_width(tbl))}", f"{_mm(gw.COLOPHON_W)}", "文末"))
    return out + _colophon_lines(tbl)


# --- the checks -------------------------------------------------------------------------------------------------

def check_official(data: bytes, fallbacks: frozenset[str] = frozenset()) -> list[Deviation]:
    """Every way the 公文 ``data`` (.docx bytes) departs from the profile; ``fallbacks``: fonts the renderer may
    put on runs holding characters outside GB 2312 (生僻字)."""
    doc = _Docx(data)
    out: list[Deviation] = []
    for i, sect in enumerate(doc.sections(), start=1):
        out += _page(sect, f"第 {i} 节")
    present = set()
    for n, p in enumerate(doc.body.iter(w("p")), start=1):
        present.add(sid := doc.styles.style_id(p))
        if (e := gw.ELEMENTS.get(sid or "")) is not None:
            snippet = _text(p).strip()
            where = f"第 {n} 段“{snippet[:12]}{'…' if len(snippet) > 12 else ''}”"
            out += _check_paragraph(doc.styles, p, e, where, fallbacks)
    blocks = list(_blocks(doc.body))
    colophon = _check_colophon(doc, blocks)
    missing = {"GwPageNumber"} | ({"GwColophon"} if colophon and colophon[0].rule == "缺少要素" else set())
    out += [Deviation("缺少要素", gw.ELEMENTS[sid].name, "没有", f"至少一段（段落样式 {sid}）", "正文")
            for sid in gw.REQUIRED if sid not in present and sid not in missing]
    out += _check_head(doc, blocks) + colophon + _official_footers(doc)
    return list(dict.fromkeys(out))


def check_record(data: bytes) -> list[Deviation]:
    """A record or register: A4 (either way round) and "第 N 页 共 M 页" at the foot of every page."""
    doc = _Docx(data)
    out: list[Deviation] = []
    for i, sect in enumerate(doc.sections(), start=1):
        out += _page_size(sect, f"第 {i} 节", landscape_ok=True)
    even = doc.setting("evenAndOddHeaders")

    def kinds(sect: etree._Element) -> tuple[str, ...]:
        title = sect.find(w("titlePg"))
        return ("default",) + (("even",) if even else ()) + \
            (("first",) if title is not None and _on(title.get(w("val"))) else ())

    for where, _kind, root in _footers(doc, kinds):
        texts = [re.sub(r"\s", "", _field_text(p)) for p in root.iter(w("p"))] if root is not None else []
        if not any(_RECORD_TEXT in t for t in texts):
            out.append(Deviation("页码", _PAGE, "没有页脚" if root is None else f"“{''.join(texts) or '空'}”",
                                 "“第 N 页 共 M 页”（PAGE 与 NUMPAGES 域）", where))
    return out
