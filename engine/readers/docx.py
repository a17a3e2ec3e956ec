"""Read a .docx form: values by bookmark (kept by every office program), by content-control tag
(Word, WPS), or by the label/value table (the last resort, when the marks are gone)."""
from __future__ import annotations

import re

from lxml import etree

from ..pack import FormDef
from ..validate import RawValue
from .office import parse_xml
from .safety import Package

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_w = lambda tag: f"{{{W}}}{tag}"  # noqa: E731
_LABEL_JUNK = re.compile(r"[\s:：*＊()（）]")


def body(pkg: Package) -> etree._Element:
    return parse_xml(pkg.parts["word/document.xml"])


def paragraph_text(p: etree._Element) -> str:
    out = []
    for el in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
        out.append(el.text or "" if el.tag == _w("t") else (" " if el.tag == _w("tab") else "\n"))
    return "".join(out)


def block_text(el: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in el.iter(_w("p"))).strip()


def norm_label(text: str) -> str:
    return _LABEL_JUNK.sub("", text)


def read_form(root: etree._Element, form: FormDef) -> dict[str, RawValue]:
    raw: dict[str, RawValue] = {}
    marks = _bookmarks(root)
    tags = _content_controls(root)
    table: dict[str, str] | None = None   # the last resort, parsed only when a mark is missing
    for f in form.fields:
        if f.key in marks:
            raw[f.key] = RawValue(marks[f.key], f"Word 表格“{f.label}”一栏")
        elif f.key in tags:
            raw[f.key] = RawValue(tags[f.key], f"Word 表格“{f.label}”一栏（填写框）")
        elif norm_label(f.label) in (table := table if table is not None else label_table(root)):
            raw[f.key] = RawValue(table[norm_label(f.label)], f"Word 表格“{f.label}”一栏（按栏目名找到）")
    return raw


def _bookmarks(root: etree._Element) -> dict[str, str]:
    out = {}
    for bm in root.iter(_w("bookmarkStart")):
        name = bm.get(_w("name"), "")
        cell = next((a for a in bm.iterancestors(_w("tc"))), None)
        if cell is not None:
            out[name] = block_text(cell)
    return out


def _content_controls(root: etree._Element) -> dict[str, str]:
    out = {}
    for sdt in root.iter(_w("sdt")):
        tag = sdt.find(f"{_w('sdtPr')}/{_w('tag')}")
        content = sdt.find(_w("sdtContent"))
        placeholder = sdt.find(f"{_w('sdtPr')}/{_w('showingPlcHdr')}") is not None
        if tag is not None and tag.get(_w("val")) and content is not None:
            out[tag.get(_w("val"))] = "" if placeholder else block_text(content)
    return out


def label_table(root: etree._Element) -> dict[str, str]:
    """Every table cell's text keyed by the (normalised) text of the cell to its left."""
    out: dict[str, str] = {}
    for row in root.iter(_w("tr")):
        cells = [block_text(c) for c in row.iterchildren(_w("tc"))]
        for left, right in zip(cells, cells[1:]):
            key = norm_label(left)
            if key and key not in out:
                out[key] = right
    return out


def leading_text(root: etree._Element, paragraphs: int = 8) -> list[str]:
    """The first non-empty paragraphs (the title of the form is among them)."""
    out = []
    for p in root.iter(_w("p")):
        text = paragraph_text(p).strip()
        if text:
            out.append(norm_label(text))
        if len(out) >= paragraphs:
            break
    return out
