"""A small streaming .xlsx writer for the lists docflow keeps (the ledger, the due list): rows are XML fragments made
once (a case's ledger row is made when the case changes and kept in the store), so writing 100,000 rows is joining
strings and compressing them. Every sheet: a title row, a header row frozen under it, filters, column widths,
real Excel dates with a date format, A4 landscape with the header rows repeated on every printed page.

Cells carry no references (``r``): a row fragment is the same wherever it lands; Excel, LibreOffice and openpyxl
place cells by position. Text is always an inline string, so staff values beginning with = + - @ stay text."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from .zippkg import Member, deflate, deflate_parts, write_zip

# style indices of STYLES (cellXfs order)
PLAIN, HEAD, DATE, TITLE, RED, AMBER, RED_DATE, AMBER_DATE, NUMBER, TITLE_LEFT = range(10)
_EPOCH = date(1899, 12, 30)

_STYLES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="3"><font><sz val="10.5"/><name val="宋体"/><charset val="134"/></font>
<font><b/><sz val="10.5"/><name val="黑体"/><charset val="134"/></font>
<font><b/><sz val="16"/><name val="黑体"/><charset val="134"/></font></fonts>
<fills count="5"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/></patternFill></fill></fills>
<borders count="2"><border/><border><left style="thin"><color rgb="FF808080"/></left><right style="thin">
<color rgb="FF808080"/></right><top style="thin"><color rgb="FF808080"/></top><bottom style="thin">
<color rgb="FF808080"/></bottom></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
{XFS}
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
<dxfs count="1"><dxf><font><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/>
</patternFill></fill></dxf></dxfs>
</styleSheet>"""
_CENTER = '<alignment horizontal="center" vertical="center"/>'
_WRAP = '<alignment vertical="center" wrapText="1"/>'
# (number format, font, fill, border, alignment) of each style index above
_XF = [(0, 0, 0, 1, _WRAP), (0, 1, 2, 1, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
       (164, 0, 0, 1, _CENTER), (0, 2, 0, 0, _CENTER), (0, 0, 3, 1, _WRAP), (0, 0, 4, 1, _WRAP),
       (164, 0, 3, 1, _CENTER), (164, 0, 4, 1, _CENTER), (0, 0, 0, 1, _CENTER),
       (0, 2, 0, 0, '<alignment horizontal="left" vertical="center"/>')]
_XFS = f'<cellXfs count="{len(_XF)}">' + "".join(
    f'<xf numFmtId="{n}" fontId="{fo}" fillId="{fi}" borderId="{b}" applyNumberFormat="1" applyFont="1" '
    f'applyFill="1" applyBorder="1" applyAlignment="1">{a}</xf>' for n, fo, fi, b, a in _XF) + "</cellXfs>"
STYLES = _STYLES_XML.replace("{XFS}", _XFS).replace("\n<", "<").encode()


def text_cell(value: Any, style: int | str = PLAIN) -> str:
    """A text cell (an inline string: never a formula, whatever it begins with)."""
    if value is None or value == "":
        return f'<c s="{style}"/>'
    text = value if type(value) is str and len(value) <= 32767 else str(value)[:32767]
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    return f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def date_cell(value: Any, style: int | str = DATE) -> str:
    """A real Excel date (a serial number with a date format); text that is not a date stays text."""
    if isinstance(value, str) and len(value) >= 7:
        try:
            value = date.fromisoformat(value if len(value) == 10 else value[:7] + "-01")
        except ValueError:
            return text_cell(value, style)
    if isinstance(value, date):
        return f'<c s="{style}"><v>{(value - _EPOCH).days}</v></c>'
    return text_cell(value, style)


def number_cell(value: Any, style: int = NUMBER) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c s="{style}"><v>{value}</v></c>'
    return text_cell(value, style)


def row(cells: Iterable[str], height: float | None = None) -> str:
    h = f' ht="{height}" customHeight="1"' if height else ""
    return f"<row{h}>{''.join(cells)}</row>"


@dataclass
class Sheet:
    name: str                          # ≤ 31 characters, no []:*?/\
    title: str
    headers: Sequence[str]
    widths: Sequence[float]
    rows: Sequence[bytes]              # row fragments (see ``row``), UTF-8
    overdue_column: int = 0            # 1-based: a date column whose past dates mark the row red (conditional)
    fit_width: bool = True             # print on one page's width; else across pages, ``repeat_columns`` repeated
    repeat_columns: int = 0

    def parts(self, batch: int = 2000) -> Iterator[bytes]:
        """The sheet's XML in pieces: its head, its rows a batch at a time, its tail."""
        head, tail = self.xml().encode().split(b"<!--rows-->")
        yield head
        for i in range(0, len(self.rows), batch):
            yield b"".join(self.rows[i:i + batch])
        yield tail

    def xml(self) -> str:
        """The sheet's XML with a marker where the rows go."""
        n = len(self.headers)
        last = get_column_letter(n)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, start=1))
        title = TITLE if self.fit_width else TITLE_LEFT     # a sheet pages wide: the title where page 1 shows it
        head = row([text_cell(self.title, title)] + [f'<c s="{title}"/>'] * (n - 1), 30) + \
            row([text_cell(h, HEAD) for h in self.headers], 30)
        end = 2 + max(len(self.rows), 1)
        cf = ""
        if self.overdue_column:
            col = get_column_letter(self.overdue_column)
            cf = (f'<conditionalFormatting sqref="A3:{last}{end}"><cfRule type="expression" dxfId="0" priority="1">'
                  f'<formula>AND(${col}3&lt;&gt;"",${col}3&lt;TODAY())</formula></cfRule></conditionalFormatting>')
        setup = ('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>' if self.fit_width
                 else '<pageSetup paperSize="9" orientation="landscape"/>')
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheetPr><pageSetUpPr fitToPage="{int(self.fit_width)}"/></sheetPr>'
                f'<dimension ref="A1:{last}{end}"/>'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" '
                'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                f'<cols>{cols}</cols><sheetData>{head}<!--rows--></sheetData>'
                f'<autoFilter ref="A2:{last}{end}"/><mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>'
                f'{cf}<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                f"{setup}"
                '<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>'
                "</worksheet>")


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx package of ``sheets`` (deterministic: the same rows give the same bytes)."""
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{quote_sheet(s.name)}!$A$2:${get_column_letter(len(s.headers))}${2 + max(len(s.rows), 1)}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{_titles(s)}</definedName>'
        for i, s in enumerate(sheets))
    return package([s.name for s in sheets], names, STYLES, [s.parts() for s in sheets],
                   sum(len(s.rows) for s in sheets))


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def package(names: Sequence[str], defined_names: str, styles: bytes, parts: Sequence[Iterable[bytes]],
            rows: int = 0, title: str | None = None) -> bytes:
    """An .xlsx package of worksheets (``parts``: each sheet's XML in pieces, in the order of ``names``), its
    styles and defined names, and with ``title`` the core properties (title, creator docflow; no timestamps,
    so the package stays deterministic). With many ``rows`` the sheets are compressed at once (zlib runs outside
    the GIL)."""
    n = len(names)
    listed = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                     for i, name in enumerate(names, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, n + 1))
    rels += f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
                        for i in range(1, n + 1))
    root_rels = f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    if title is not None:
        overrides += ('<Override PartName="/docProps/core.xml" '
                      'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>')
        root_rels += (f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" '
                      'Target="docProps/core.xml"/>')
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    members: list[Member] = [
        deflate("[Content_Types].xml", (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{overrides}</Types>').encode()),
        deflate("_rels/.rels", f'{head}<Relationships xmlns="{_PKG_REL}">{root_rels}</Relationships>'.encode()),
    ]
    if title is not None:
        members.append(deflate("docProps/core.xml", (
            f'{head}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>docflow</dc:creator></cp:coreProperties>").encode()))
    members += [
        deflate("xl/workbook.xml", (
            f'{head}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{listed}</sheets><definedNames>{defined_names}</definedNames></workbook>").encode()),
        deflate("xl/_rels/workbook.xml.rels",
                f'{head}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'.encode()),
        deflate("xl/styles.xml", styles),
    ]
    jobs = [(f"xl/worksheets/sheet{i}.xml", sheet) for i, sheet in enumerate(parts, start=1)]
    if rows < 5000:
        members += [deflate_parts(name, sheet) for name, sheet in jobs]
    else:
        with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            members += list(pool.map(lambda job: deflate_parts(*job), jobs))
    return write_zip(members)


def _titles(s: Sheet) -> str:
    """The rows (and columns) printed again on every page."""
    rows = f"{quote_sheet(s.name)}!$1:$2"
    if not s.repeat_columns:
        return rows
    return f"{quote_sheet(s.name)}!$A:${get_column_letter(s.repeat_columns)},{rows}"


def quote_sheet(name: str) -> str:
    return "'" + escape(name.replace("'", "''")) + "'"


def sheet_name(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique among ``taken``."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'") or "Sheet"
    name, k = clean[:31], 2
    while name in taken:
        suffix = f"({k})"
        name, k = clean[:31 - len(suffix)] + suffix, k + 1
    taken.add(name)
    return name
