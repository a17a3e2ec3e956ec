"""Rare characters print: runs holding characters their font lacks are set in a font that has them.

The fonts of the 公文 standard — 仿宋_GB2312, 楷体_GB2312, 方正小标宋简体 — hold only GB2312's 6,763 characters, so
names like 王堃, 张喆, 李昇 print with a box on many office machines; CJK Extension B characters (𠮷, U+20BB7) are
outside GBK as well. ``cover_docx`` splits such runs and sets the rare characters in the first font of a
:class:`FontPlan` that covers them (仿宋_GB2312 → 仿宋, anything beyond GBK → SimSun-ExtB), keeping every other
run property (size, bold, colour …).

A font's coverage is a named character set, decided by Python's codecs and code point ranges:

    gb2312    GB2312 (plus U+00B7 · and U+2014 —, where Windows and Python map two GB2312 codes differently)
    gbk       GBK (a superset of gb2312)
    gb18030   everything GB 18030 encodes, i.e. all of Unicode
    ext-b     CJK Unified Ideographs Extension B–F (U+20000–U+2EBEF) only

ASCII and blank or invisible characters (spaces of every width, zero-width and format characters) count as covered
by every font. A font the plan does not name is taken to cover gbk. The run's East Asian font is what is looked at
(w:rFonts/@w:eastAsia of the run, its character style, its paragraph style, the default paragraph style, the
document defaults); a theme font (w:eastAsiaTheme) is not looked up in the theme and goes by the name
``+minorEastAsia`` (or ``+majorEastAsia`` …), which a plan may name like any font.

The common case — a document all of whose text is GB2312 — is decided by one decode and one encode of the part,
and the input object is returned as it is.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from lxml import etree

from ..errors import ConfigError
from ..read.office import SAFE_PARSER
from .zippkg import Member, deflate, read_members, write_zip

__all__ = ["CHARSETS", "DEFAULT_PLAN", "FontPlan", "cover_docx", "cover_xml", "covers", "font_for", "uncovered"]

CHARSETS = ("gb2312", "gbk", "gb18030", "ext-b")
_DEFAULT_CHARSET = "gbk"                   # a font the plan does not name
_EXT_FIRST, _EXT_LAST = 0x20000, 0x2EBEF   # CJK Unified Ideographs Extension B .. F
# GB2312 A1A4 and A1AA: Python's codec maps them to U+30FB ・ and U+2015 ―, Windows (CP936, and the fonts) to
# U+00B7 · and U+2014 — (the 破折号 "——" of every other document); both count as GB2312.
_GB2312_ALSO = frozenset("\u00b7\u2014")
_BLANK = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf"))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
_R, _T, _RPR, _RFONTS, _P = _W + "r", _W + "t", _W + "rPr", _W + "rFonts", _W + "p"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARTS = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_STYLES = "word/styles.xml"


def _blank(ch: str) -> bool:
    return unicodedata.category(ch) in _BLANK


def _codec(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _in_gb2312(ch: str) -> bool:
    return ch in _GB2312_ALSO or _codec(ch, "gb2312")


def _in_gbk(ch: str) -> bool:
    return _in_gb2312(ch) or _codec(ch, "gbk")


def _in_ext(ch: str) -> bool:
    return _EXT_FIRST <= ord(ch) <= _EXT_LAST


_TESTS = {"gb2312": _in_gb2312, "gbk": _in_gbk, "gb18030": lambda ch: True, "ext-b": _in_ext}
_known: dict[tuple[str, str], bool] = {}    # (charset, character) → covered; bounded by the characters seen


def covers(charset: str, ch: str) -> bool:
    """Whether a font covering ``charset`` has a glyph for the character ``ch``."""
    if ch < "\x80":
        return True
    key = (charset, ch)
    hit = _known.get(key)
    if hit is None:
        hit = _known[key] = _blank(ch) or _TESTS[charset](ch)
    return hit


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class FontPlan:
    """Which characters each font has, and where to turn for the ones it lacks.

    ``coverage``: font name → charset name (one of :data:`CHARSETS`); a font not named covers gbk.
    ``fallback``: font name → the fonts to try, in order, for a character it lacks.
    ``general``: the fonts tried after a font's own fallbacks (for every font).
    """

    coverage: Mapping[str, str] = field(default_factory=dict)
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    general: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for font, charset in self.coverage.items():
            if charset not in CHARSETS:
                raise ConfigError(f"字体“{font}”的字符集“{charset}”无效，应为 {'、'.join(CHARSETS)} 之一",
                                  place="docflow.toml [fonts]", code="bad_charset")
        object.__setattr__(self, "coverage", _frozen(self.coverage))
        object.__setattr__(self, "fallback", _frozen({k: tuple(v) for k, v in self.fallback.items()}))
        object.__setattr__(self, "general", tuple(self.general))

    def charset(self, font: str) -> str:
        return self.coverage.get(font, _DEFAULT_CHARSET)

    def fallback_fonts(self) -> frozenset[str]:
        """Every font a run may be switched to (what ``docflow lint`` accepts on a rare character)."""
        return frozenset(f for chain in self.fallback.values() for f in chain) | frozenset(self.general)

    def candidates(self, font: str) -> tuple[str, ...]:
        """The fonts tried, in order, for a character ``font`` lacks (``font`` itself left out, each once)."""
        chain = self._chains.get(font)
        if chain is None:
            chain = self._chains[font] = tuple(dict.fromkeys(
                f for f in (*self.fallback.get(font, ()), *self.general) if f != font))
        return chain

    @cached_property
    def _chains(self) -> dict[str, tuple[str, ...]]:
        return {}

    @cached_property
    def narrow(self) -> tuple[bytes, ...]:
        """The UTF-8 names of the fonts covering less than GB2312 (a run set in one may need help even when
        all the text is GB2312, so their mention turns the fast path off)."""
        return tuple(font.encode() for font, charset in self.coverage.items() if charset == "ext-b")

    @classmethod
    def from_settings(cls, table: Mapping[str, Any] | None, base: FontPlan | None = None) -> FontPlan:
        """The plan of a docflow.toml ``[fonts]`` table merged over ``base`` (the defaults)::

            [fonts]
            coverage = { "方正仿宋_GBK" = "gbk", "华文中宋" = "gb2312" }    # added to / replacing the defaults
            fallback = { "仿宋_GB2312" = ["方正仿宋_GBK", "仿宋"] }          # per font, replacing its defaults
            general = ["宋体", "SimSun-ExtB"]                                # replacing the defaults
        """
        base = DEFAULT_PLAN if base is None else base
        if not table:
            return base
        where = "docflow.toml [fonts]"
        if not isinstance(table, Mapping):
            raise ConfigError("[fonts] 应为一个表", place=where, code="bad_fonts")
        unknown = sorted(set(table) - {"coverage", "fallback", "general"})
        if unknown:
            raise ConfigError(f"不认识的设置项：{'、'.join(unknown)}（可用：coverage、fallback、general）",
                              place=where, code="bad_fonts")
        coverage = dict(base.coverage)
        for font, charset in _table(table.get("coverage", {}), "coverage").items():
            name = str(charset).strip().lower() if isinstance(charset, str) else charset
            if name not in CHARSETS:
                raise ConfigError(f"coverage 中字体“{font}”的字符集“{charset}”无效，应为 {'、'.join(CHARSETS)} 之一",
                                  place=where, code="bad_charset")
            coverage[font] = name
        fallback = dict(base.fallback)
        for font, chain in _table(table.get("fallback", {}), "fallback").items():
            fallback[font] = _fonts(chain, f"fallback 中字体“{font}”")
        general = _fonts(table["general"], "general") if "general" in table else base.general
        return cls(coverage, fallback, general)


def _table(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} 应为一个表，如 {key} = {{ \"仿宋_GB2312\" = ... }}", place="docflow.toml [fonts]",
                          code="bad_fonts")
    out = {}
    for font, item in value.items():
        if not isinstance(font, str) or not font.strip():
            raise ConfigError(f"{key} 中有空的字体名称", place="docflow.toml [fonts]", code="bad_fonts")
        out[font.strip()] = item
    return out


def _fonts(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(f, str) and f.strip() for f in value):
        raise ConfigError(f"{what} 应为字体名称的列表，如 [\"仿宋\", \"宋体\"]", place="docflow.toml [fonts]",
                          code="bad_fonts")
    return tuple(f.strip() for f in value)


DEFAULT_PLAN = FontPlan(
    coverage={
        "仿宋_GB2312": "gb2312", "楷体_GB2312": "gb2312", "方正小标宋简体": "gb2312",
        # the same fonts under their English family names (how some machines store them in w:rFonts)
        "FangSong_GB2312": "gb2312", "KaiTi_GB2312": "gb2312", "FZXiaoBiaoSong-B05S": "gb2312",
        "仿宋": "gbk", "宋体": "gbk", "黑体": "gbk", "楷体": "gbk", "新宋体": "gbk", "微软雅黑": "gbk",
        "方正小标宋_GBK": "gbk",
        "SimSun-ExtB": "ext-b",
        "宋体-方正超大字符集": "gb18030",
    },
    fallback={
        "仿宋_GB2312": ("仿宋",), "楷体_GB2312": ("楷体",), "方正小标宋简体": ("方正小标宋_GBK", "宋体"),
        "FangSong_GB2312": ("仿宋",), "KaiTi_GB2312": ("楷体",), "FZXiaoBiaoSong-B05S": ("方正小标宋_GBK", "宋体"),
    },
    general=("宋体", "SimSun-ExtB"),
)


def font_for(plan: FontPlan, font: str | None, ch: str) -> str | None:
    """The font to set ``ch`` in: ``font`` itself if it covers ``ch``, else the first of its fallbacks and then
    the plan's general fonts that does, else None (nothing configured has it). ``font`` None: only the general
    fonts are tried."""
    if font is not None and covers(plan.charset(font), ch):
        return font
    for other in plan.candidates(font) if font is not None else plan.general:
        if covers(plan.charset(other), ch):
            return other
    return None


def uncovered(plan: FontPlan, text: str, font: str | None = None) -> list[str]:
    """The characters of ``text`` that neither ``font`` nor any font it falls back to covers (in order, each once)
    — what prints as a box whatever :func:`cover_docx` does. ``font`` None: the general fonts only."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch >= "\x80" and ch not in seen and font_for(plan, font, ch) is None:
            seen[ch] = None
    return list(seen)


# ---- the fast path -------------------------------------------------------------------------------------------

def _all_gb2312(text: str) -> bool:
    """Whether every character of ``text`` is one every gb2312 font has. One strict encode in the common case;
    a character the codec refuses but the fonts have (— ·, blanks) is dropped everywhere at once and the encode
    goes on from where it stopped (text before the first refusal holds none of it), so a document full of
    "——" costs one more pass per such character, not one per occurrence."""
    for ch in _GB2312_ALSO:                # the usual ones dropped up front (str.replace of one character: fast)
        if ch in text:
            text = text.replace(ch, "")
    while True:
        try:
            text.encode("gb2312")
        except UnicodeEncodeError as exc:
            ch = text[exc.start]
            if not (ch in _GB2312_ALSO or _blank(ch)):
                return False
            text = text[exc.start:].replace(ch, "")
        else:
            return True


def _plain(xml: bytes, styles_xml: bytes | None, plan: FontPlan) -> bool:
    """Whether nothing in the part can need another font: its text is all GB2312 (which every font has but the
    narrow ones, which are not mentioned) and holds no character references."""
    if b"#" in xml and b"&#" in xml:       # (a one-byte search first: memchr, far faster than the two-byte one)
        return False
    if not xml.isascii():
        try:
            text = xml.decode("utf-8")
        except UnicodeDecodeError:         # not UTF-8 (a UTF-16 part): let the parser decide
            return False
        if not _all_gb2312(text):
            return False
    return not any(name in xml or (styles_xml is not None and name in styles_xml) for name in plan.narrow)


# ---- styles --------------------------------------------------------------------------------------------------

def _east_asian(rpr: etree._Element | None) -> str | None:
    """The East Asian font an rPr sets, if any (a theme font as ``+minorEastAsia`` …)."""
    if rpr is None:
        return None
    fonts = rpr.find(_RFONTS)
    if fonts is None:
        return None
    theme = fonts.get(_W + "eastAsiaTheme")
    if theme:
        return "+" + theme
    return fonts.get(_W + "eastAsia") or None


class _Styles:
    """The East Asian font of each style of styles.xml, following w:basedOn."""

    def __init__(self, styles_xml: bytes | None) -> None:
        self.own: dict[str, str | None] = {}
        self.based: dict[str, str] = {}
        self.default_paragraph: str | None = None
        self.doc_default: str | None = None
        self._resolved: dict[str, str | None] = {}
        if not styles_xml:
            return
        try:
            root = etree.fromstring(styles_xml, SAFE_PARSER)
        except etree.XMLSyntaxError:
            return
        self.doc_default = _east_asian(root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr"))
        for style in root.iterchildren(_W + "style"):
            sid = style.get(_W + "styleId")
            if not sid:
                continue
            self.own[sid] = _east_asian(style.find(_RPR))
            based = style.find(_W + "basedOn")
            if based is not None and based.get(_W + "val"):
                self.based[sid] = based.get(_W + "val", "")
            if (style.get(_W + "type") == "paragraph" and style.get(_W + "default") in ("1", "true", "on")
                    and self.default_paragraph is None):
                self.default_paragraph = sid

    def font(self, sid: str) -> str | None:
        """The East Asian font style ``sid`` sets or inherits (None: it sets none)."""
        if sid in self._resolved:
            return self._resolved[sid]
        seen = set()
        cur: str | None = sid
        found = None
        while cur is not None and cur not in seen:
            seen.add(cur)
            found = self.own.get(cur)
            if found:
                break
            cur = self.based.get(cur)
        self._resolved[sid] = found
        return found

    def paragraph(self, sid: str | None) -> str | None:
        if sid is None or sid not in self.own:     # no style, or one styles.xml lacks: the default style
            sid = self.default_paragraph
        return self.font(sid) if sid is not None else None


def _style_id(pr: etree._Element | None, tag: str) -> str | None:
    if pr is None:
        return None
    el = pr.find(_W + tag)
    return el.get(_W + "val") if el is not None else None


# ---- splitting runs ------------------------------------------------------------------------------------------

def _text_element(like: etree._Element, text: str) -> etree._Element:
    t = like.makeelement(_T, like.attrib)
    t.text = text
    if text != text.strip(" \t\n\r"):
        t.set(_XML_SPACE, "preserve")
    return t


def _set_fonts(rpr: etree._Element, font: str) -> None:
    fonts = rpr.find(_RFONTS)
    if fonts is None:
        fonts = rpr.makeelement(_RFONTS, {})
        style = rpr.find(_W + "rStyle")       # w:rStyle comes first in an rPr, w:rFonts right after
        rpr.insert(rpr.index(style) + 1 if style is not None else 0, fonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme"):   # a theme font would win over the font named
        fonts.attrib.pop(_W + theme, None)
    for slot in ("eastAsia", "ascii", "hAnsi"):
        fonts.set(_W + slot, font)
    fonts.set(_W + "hint", "eastAsia")


class _Splitter:
    def __init__(self, plan: FontPlan, styles: _Styles) -> None:
        self.plan = plan
        self.styles = styles
        self.keys: dict[tuple[str, str], str | None] = {}

    def key(self, font: str, ch: str) -> str | None:
        """The font ``ch`` must move to, or None if it stays (``font`` has it, or nothing configured does)."""
        if ch < "\x80":
            return None
        k = (font, ch)
        if k not in self.keys:
            target = font_for(self.plan, font, ch)
            self.keys[k] = None if target is None or target == font else target
        return self.keys[k]

    def pieces(self, font: str, text: str) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        start, current = 0, self.key(font, text[0]) if text else None
        for i in range(1, len(text)):
            k = self.key(font, text[i])
            if k != current:
                out.append((current, text[start:i]))
                start, current = i, k
        if text:
            out.append((current, text[start:]))
        return out

    def effective(self, run: etree._Element, rpr: etree._Element | None) -> str:
        font = _east_asian(rpr)
        if font:
            return font
        sid = _style_id(rpr, "rStyle")
        if sid is not None:
            font = self.styles.font(sid)
            if font:
                return font
        para = next(run.iterancestors(_P), None)
        font = self.styles.paragraph(_style_id(para.find(_W + "pPr") if para is not None else None, "pStyle"))
        return font or self.styles.doc_default or ""

    def split(self, run: etree._Element) -> bool:
        """Split ``run`` where its characters need another font; whether it changed."""
        rpr = run.find(_RPR)
        texts = [child for child in run if child.tag == _T and child.text]
        if not texts:
            return False
        whole = "".join(child.text or "" for child in texts)
        if whole.isascii():
            return False
        font = self.effective(run, rpr)
        if self.plan.charset(font) != "ext-b" and _all_gb2312(whole):    # what every other font has
            return False
        cut = {child: self.pieces(font, child.text or "") for child in texts}
        if all(k is None for pieces in cut.values() for k, _ in pieces):
            return False
        # (font, element) in order; what is not text goes with the text before it (or, at the start, after it)
        items: list[tuple[str | None, etree._Element]] = []
        pending: list[etree._Element] = []
        current: str | None = None
        started = False
        for child in run:
            if child is rpr:
                continue
            pieces = cut.get(child)
            if pieces is None:
                if started:
                    items.append((current, child))
                else:
                    pending.append(child)
                continue
            if len(pieces) == 1:
                new = [(pieces[0][0], child)]
            else:
                new = [(k, _text_element(child, text)) for k, text in pieces]
            if not started:
                started, current = True, new[0][0]
                items.extend((current, el) for el in pending)
                pending = []
            items.extend(new)
            current = new[-1][0]
        groups: list[tuple[str | None, list[etree._Element]]] = []
        for k, el in items:
            if groups and groups[-1][0] == k:
                groups[-1][1].append(el)
            else:
                groups.append((k, [el]))
        parent = run.getparent()
        if parent is None:
            return False
        at = parent.index(run)
        tail = run.tail
        parent.remove(run)
        made = None
        for offset, (k, elements) in enumerate(groups):
            made = run.makeelement(run.tag, run.attrib)
            if rpr is not None or k is not None:
                props = deepcopy(rpr) if rpr is not None else made.makeelement(_RPR, {})
                props.tail = None
                if k is not None:
                    _set_fonts(props, k)
                made.append(props)
            for el in elements:
                made.append(el)
            parent.insert(at + offset, made)
        if made is not None:
            made.tail = tail
        return True


def _cover(xml: bytes, styles: _Styles, plan: FontPlan) -> bytes:
    try:
        root = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return xml                         # not ours to repair: leave the part as it is
    splitter = _Splitter(plan, styles)
    changed = False
    for run in list(root.iter(_R)):
        changed = splitter.split(run) or changed
    if not changed:
        return xml
    tree = root.getroottree()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)


def cover_xml(xml: bytes, styles_xml: bytes | None, plan: FontPlan = DEFAULT_PLAN) -> bytes:
    """A WordprocessingML part (document.xml, header*.xml, footer*.xml) with every run whose East Asian font
    lacks some of its characters split, and those characters set in :func:`font_for`'s font (w:rFonts eastAsia,
    ascii, hAnsi and hint="eastAsia"; every other run property kept). ``xml`` itself when nothing changes."""
    if _plain(xml, styles_xml, plan):
        return xml
    return _cover(xml, _Styles(styles_xml), plan)


# ---- the package ---------------------------------------------------------------------------------------------

def cover_docx(data: bytes, plan: FontPlan = DEFAULT_PLAN) -> bytes:
    """A .docx with :func:`cover_xml` applied to its document, headers and footers (and foot/endnotes). ``data``
    itself when nothing changes; otherwise the same members in the same order, the untouched ones copied as
    their stored bytes, each with its compression method as in ``data`` (written as every rendered package is,
    by engine.output.zippkg: fixed dates, so the same input gives the same bytes)."""
    members = read_members(data)
    by_name = {m.name: m for m in members}
    styles_member = by_name.get(_STYLES)
    styles_xml = styles_member.data() if styles_member is not None else None
    styles: _Styles | None = None
    replaced: dict[str, Member] = {}
    for m in members:
        if not _PARTS.fullmatch(m.name):
            continue
        xml = m.data()
        if _plain(xml, styles_xml, plan):
            continue
        if styles is None:
            styles = _Styles(styles_xml)
        new = _cover(xml, styles, plan)
        if new is not xml:
            replaced[m.name] = deflate(m.name, new) if m.method == zipfile.ZIP_DEFLATED else Member(
                m.name, zipfile.ZIP_STORED, new, zlib.crc32(new), len(new))
    if not replaced:
        return data
    return write_zip(replaced.get(m.name, m) for m in members)
