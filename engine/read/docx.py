"""Read a .docx form: values by bookmark (kept by every office program), by content-control tag
(Word, WPS), or by the label/value table (the last resort, when the marks are gone)."""
from __future__ import annotations

import re
from itertools import pairwise

from lxml import etree

from ..outcomes import RawValue
from ..pack.model import FormDef
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


class Doc:
    """A parsed Word document and what the readers ask of it, each computed once: bookmarks, content controls
    and — only when a mark is missing — the label/value table."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._marks: dict[str, str] | None = None
        self._tags: dict[str, str] | None = None
        self._table: dict[str, str] | None = None

    @property
    def marks(self) -> dict[str, str]:
        if self._marks is None:
            self._marks = _bookmarks(self.root)
        return self._marks

    @property
    def tags(self) -> dict[str, str]:
        if self._tags is None:
            self._tags = _content_controls(self.root)
        return self._tags

    @property
    def table(self) -> dict[str, str]:
        if self._table is None:
            self._table = label_table(self.root)
        return self._table

    def value(self, key: str, label: str) -> str:
        """A marked value (bookmark, content control), else the cell beside its label."""
        if key in self.marks:
            return self.marks[key]
        if key in self.tags:
            return self.tags[key]
        return self.table.get(norm_label(label), "")


def read_form(doc: Doc, form: FormDef) -> dict[str, RawValue]:
    raw: dict[str, RawValue] = {}
    for f in form.fields:
        if f.key in doc.marks:
            raw[f.key] = RawValue(doc.marks[f.key], f"Word 表格“{f.label}”一栏")
        elif f.key in doc.tags:
            raw[f.key] = RawValue(doc.tags[f.key], f"Word 表格“{f.label}”一栏（填写框）")
        elif norm_label(f.label) in doc.table:   # the last resort, parsed only when a mark is missing
            raw[f.key] = RawValue(doc.table[norm_label(f.label)], f"Word 表格“{f.label}”一栏（按栏目名找到）")
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
        for left, right in pairwise(cells):
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


def tables_book(root: etree._Element, max_rows: int = 6000):
    """The document's tables as a workbook of values (one sheet per table, each cell's text at its grid place;
    a cell spanning columns fills the first, a vertically merged one is empty below its first), with the
    paragraphs before each table as rows above it — so a roster kept as a Word table (the standard 备案表) is
    read by the same header logic as a sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    body_el = root.find(_w("body"))
    if body_el is None:
        return wb
    above: list[str] = []
    for el in body_el.iterchildren():
        if el.tag == _w("p"):
            text = paragraph_text(el).strip()
            if text:
                above = (above + [text])[-3:]
            continue
        if el.tag != _w("tbl"):
            continue
        ws = wb.create_sheet(f"表格{len(wb.sheetnames) + 1}")
        for text in above:
            ws.append([text])
        above = []
        for r, tr in enumerate(el.iterchildren(_w("tr"))):
            if r >= max_rows:
                break
            row: list[str | None] = []
            for tc in tr.iterchildren(_w("tc")):
                pr = tc.find(_w("tcPr"))
                span = pr.find(_w("gridSpan")) if pr is not None else None
                vmerge = pr.find(_w("vMerge")) if pr is not None else None
                n = int(span.get(_w("val"), "1")) if span is not None and (span.get(_w("val")) or "").isdigit() else 1
                continued = vmerge is not None and vmerge.get(_w("val")) in (None, "continue")
                text = "" if continued else block_text(tc)
                row += [text or None] + [None] * (max(n, 1) - 1)
            ws.append(row)
    return wb
