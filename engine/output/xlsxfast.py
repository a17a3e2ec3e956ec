"""Excel forms compiled once, filled by writing only the cells that change.

``compile_xlsx`` analyses a form template once: its defined names → cells (as the engine's reader resolves them,
merged cells included), and for each sheet holding named cells the sheet XML cut at those cells. ``render`` writes
each value given for a named cell as that cell (an inline string, or a number), keeps the cell's style, adds the
custom document properties, and copies every other member — shared strings, styles, data validations, print
setup, protection, defined names — as its compressed bytes (engine.output.zippkg). A cell value or a template the
fast path does not cover goes through openpyxl (engine.output.xlsxforms.fill_form), the reason kept in
``fallback``."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from ..errors import TemplateError
from ..read.office import SAFE_PARSER, custom_properties_xml
from ..read.xlsx import named_cells
from .docxfast import DECLARATION, _custom_property_parts, _part_name, _relationships, assemble
from .xlsxforms import fill_form, load_template
from .zippkg import Member, read_members

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_SHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_SLOT = re.compile(r"<\?docflow-cell ([A-Z]{1,3}[0-9]{1,7})\?>")
_MAX_TEXT = 32767                                   # what a cell holds (openpyxl truncates to it too)


@dataclass
class _Sheet:
    chunks: list[str]                               # the sheet XML around its slots (len = slots + 1)
    slots: list[tuple[str, str, str]]               # (coordinate, style attribute, the cell's original XML)


@dataclass
class CompiledXlsx:
    """An Excel form template, compiled. ``render(values, properties)`` → the bytes of an .xlsx package."""

    data: bytes
    fallback: str = ""
    members: list[Member] = field(default_factory=list)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)   # defined name → (sheet part, coordinate)
    sheets: dict[str, _Sheet] = field(default_factory=dict)
    base_properties: dict[str, str] = field(default_factory=dict)     # the template's own custom properties
    content_types: Member | None = None
    package_rels: Member | None = None

    def render(self, values: dict[str, Any], properties: dict[str, str] | None = None) -> bytes:
        if self.fallback:
            return fill_form(self.data, values, properties)
        cells: dict[tuple[str, str], str] = {}
        for name, value in values.items():
            if name not in self.names or value in (None, ""):
                continue
            if not _fast_value(value):
                return fill_form(self.data, values, properties)
            part, coord = self.names[name]
            cells[(part, coord)] = value
        rendered = {part: self._sheet(part, sheet, cells) for part, sheet in self.sheets.items()
                    if any(key[0] == part for key in cells)}
        custom = None
        if properties is not None:
            merged = {**self.base_properties, **{k: v or "-" for k, v in properties.items()}}
            custom = custom_properties_xml(merged)
        return assemble(self.members, rendered, custom, self.content_types, self.package_rels)

    @staticmethod
    def _sheet(part: str, sheet: _Sheet, cells: dict[tuple[str, str], Any]) -> bytes:
        pieces = [sheet.chunks[0]]
        for (coord, style, original), chunk in zip(sheet.slots, sheet.chunks[1:], strict=True):
            value = cells.get((part, coord))
            pieces.append(original if value is None else _cell_xml(coord, style, value))
            pieces.append(chunk)
        return "".join(pieces).encode("utf-8")


def _fast_value(value: Any) -> bool:
    if isinstance(value, str):
        return not ILLEGAL_CHARACTERS_RE.search(value)
    return isinstance(value, (int, float)) and not isinstance(value, (dt.date, dt.time))


def _cell_xml(coord: str, style: str, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return (f'<c r="{coord}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value[:_MAX_TEXT])}</t></is>'
                "</c>")
    if isinstance(value, bool):
        return f'<c r="{coord}"{s} t="b"><v>{int(value)}</v></c>'
    return f'<c r="{coord}"{s}><v>{value!r}</v></c>'


# ---------------------------------------------------------------- compiling
def compile_xlsx(data: bytes) -> CompiledXlsx:
    """Compile an Excel form template (raises TemplateError for a template that is not a usable .xlsx)."""
    members = read_members(data)
    by_name = {m.name: m for m in members}
    compiled = CompiledXlsx(data, members=members)
    try:
        wb = load_template(data)
    except Exception as exc:   # openpyxl raises many kinds for a broken workbook
        raise TemplateError(f"模板不是有效的 Excel 文件：{exc}") from None
    compiled.base_properties = {p.name: str(p.value) for p in wb.custom_doc_props}
    try:
        parts = _sheet_parts(by_name)
        wanted: dict[str, set[str]] = {}
        for name, (ws, cell) in named_cells(wb).items():
            part = parts.get(ws.title)
            if part is None:
                compiled.fallback = f"找不到工作表“{ws.title}”的文件"
                return compiled
            compiled.names[name] = (part, cell.coordinate)
            wanted.setdefault(part, set()).add(cell.coordinate)
        for part, coords in wanted.items():
            sheet, reason = _cut_sheet(by_name[part].data(), coords)
            if reason:
                compiled.fallback = reason
                return compiled
            assert sheet is not None
            compiled.sheets[part] = sheet
        compiled.content_types, compiled.package_rels = _custom_property_parts(by_name)
    except (etree.XMLSyntaxError, KeyError) as exc:
        raise TemplateError(f"模板中的 XML 无法解析：{exc}") from None
    return compiled


def _sheet_parts(by_name: dict[str, Member]) -> dict[str, str]:
    """Sheet title → its zip member."""
    workbook = next(name for kind, name in _relationships("", by_name) if kind == REL_DOCUMENT)
    targets = {rid: name for rid, name in _relationship_ids(workbook, by_name)}
    root = etree.fromstring(by_name[workbook].data(), SAFE_PARSER)
    out = {}
    for sheet in root.iter(f"{{{NS_MAIN}}}sheet"):
        rid = sheet.get(f"{{{NS_DOC_R}}}id", "")
        if rid in targets:
            out[sheet.get("name", "")] = targets[rid]
    return out


def _relationship_ids(part: str, by_name: dict[str, Member]) -> list[tuple[str, str]]:
    folder, _, file = part.rpartition("/")
    rels = by_name[f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"]
    return [(rel.get("Id", ""), _part_name(part, rel.get("Target", "")))
            for rel in etree.fromstring(rels.data(), SAFE_PARSER)
            if rel.get("Type") == REL_SHEET and not rel.get("TargetMode")]


def _cut_sheet(xml: bytes, coords: set[str]) -> tuple[_Sheet | None, str]:
    """The sheet XML with a slot at each of ``coords`` (cells made where the sheet has none)."""
    root = etree.fromstring(xml, SAFE_PARSER)
    if root.nsmap.get(None) != NS_MAIN:
        return None, "工作表的 XML 没有使用默认命名空间"
    data = root.find(f"{{{NS_MAIN}}}sheetData")
    if data is None:
        return None, "工作表缺少 sheetData"
    rows = {}
    for row in data.iterfind(f"{{{NS_MAIN}}}row"):
        if not row.get("r"):
            return None, "工作表的行没有行号"
        rows[int(row.get("r"))] = row
    cells = {}
    for coord in sorted(coords, key=_order):   # first every cell, in row and column order ...
        col, n = coordinate_from_string(coord)
        row = rows.get(n)
        if row is None:
            row = etree.Element(f"{{{NS_MAIN}}}row", r=str(n))
            after = [r for r in sorted(rows) if r < n]
            if after:
                rows[after[-1]].addnext(row)
            else:
                data.insert(0, row)
            rows[n] = row
        cell = _cell(row, coord, col)
        if cell is None:
            return None, f"单元格 {coord} 所在的行中有没有编号的单元格"
        if cell.find(f"{{{NS_MAIN}}}f") is not None:
            return None, f"命名单元格 {coord} 中有公式"
        cells[coord] = cell
    originals: dict[str, tuple[str, str]] = {}
    for coord, cell in cells.items():          # ... then each replaced by its slot
        originals[coord] = (cell.get("s", ""), etree.tostring(cell, encoding="unicode"))
        cell.getparent().replace(cell, etree.ProcessingInstruction("docflow-cell", coord))
    text = DECLARATION + etree.tostring(root, encoding="unicode")
    pieces = _SLOT.split(text)
    chunks, found = pieces[0::2], pieces[1::2]
    return _Sheet(chunks, [(c, *originals[c]) for c in found]), ""


def _order(coord: str) -> tuple[int, int]:
    col, n = coordinate_from_string(coord)
    return n, column_index_from_string(col)


def _cell(row: Any, coord: str, col: str) -> Any:
    """The <c> of ``coord`` in ``row``, made (in column order) when absent; None when a cell has no reference."""
    index = column_index_from_string(col)
    before = None
    for c in row.iterfind(f"{{{NS_MAIN}}}c"):
        ref = c.get("r")
        if not ref:
            return None
        if ref == coord:
            return c
        if column_index_from_string(coordinate_from_string(ref)[0]) < index:
            before = c
    cell = etree.Element(f"{{{NS_MAIN}}}c", r=coord)
    if before is None:
        row.insert(0, cell)
    else:
        before.addnext(cell)
    return cell

