"""The report workbooks without charts, written straight as SpreadsheetML (as the ledger is, engine.output.sheets):
the same look as ``sheets.workbook`` + openpyxl gives — the title and note rows merged above a bordered header,
宋体 cells centred or left and wrapped by kind, totals bold on grey, links blue and underlined, real dates and
percentages, frozen header, filters, A4 (landscape when wide) fitted to the page width with the header row
repeated and page numbers — in a fraction of the time for the named lists behind the figures (tens of thousands
of rows at a county's size). Deterministic: no timestamps. A report with charts goes through openpyxl."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from openpyxl.utils import get_column_letter

from ..output.sheets import MAIN_NS, REL_NS, date_cell, number_cell, package, quote_sheet, text_cell
from .sheets import HEADER_ROW, LANDSCAPE_WIDTH, Table, _header_width, text_width

_BORDER = ('<border><left style="thin"><color rgb="FF808080"/></left><right style="thin"><color rgb="FF808080"/>'
           '</right><top style="thin"><color rgb="FF808080"/></top><bottom style="thin"><color rgb="FF808080"/>'
           "</bottom><diagonal/></border>")
# fonts: 0 plain 11, 1 title 黑体 15 bold, 2 note 9 grey, 3 bold 11, 4 link 11, 5 bold link 11
_FONTS = ['<font><sz val="11"/><name val="宋体"/></font>', '<font><b/><sz val="15"/><name val="黑体"/></font>',
          '<font><sz val="9"/><color rgb="00404040"/><name val="宋体"/></font>',
          '<font><b/><sz val="11"/><name val="宋体"/></font>',
          '<font><u/><sz val="11"/><color rgb="000563C1"/><name val="宋体"/></font>',
          '<font><b/><u/><sz val="11"/><color rgb="000563C1"/><name val="宋体"/></font>']
_FMT = {"General": 0, "yyyy-mm-dd": 164, "0.0%": 165}


class _Styles:
    """The cell formats a workbook uses, each made once, in the order first asked for."""

    def __init__(self) -> None:
        self.xfs: list[str] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        self.index: dict[tuple[Any, ...], int] = {}

    def get(self, font: int, fill: int, border: int, fmt: str, horizontal: str, wrap: bool) -> int:
        key = (font, fill, border, fmt, horizontal, wrap)
        if key not in self.index:
            wrap_attr = ' wrapText="1"' if wrap else ""
            self.xfs.append(f'<xf numFmtId="{_FMT[fmt]}" fontId="{font}" fillId="{fill}" borderId="{border}" '
                            f'xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" '
                            f'applyAlignment="1"><alignment horizontal="{horizontal}" vertical="center"'
                            f"{wrap_attr}/></xf>")
            self.index[key] = len(self.xfs) - 1
        return self.index[key]

    def xml(self) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
                '<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>'
                f'<fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>'
                '<fills count="4"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
                '<fill><patternFill patternType="solid"><fgColor rgb="00D9E1F2"/></patternFill></fill>'
                '<fill><patternFill patternType="solid"><fgColor rgb="00F2F2F2"/></patternFill></fill></fills>'
                f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>{_BORDER}</borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(self.xfs)}">{"".join(self.xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>").encode()


def _cell(value: Any, kind: str, style: int) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if value is None:
        return f'<c s="{style}"/>'
    if isinstance(value, str):
        return text_cell(value, style)        # "" as an empty cell (what openpyxl writes of it)
    if isinstance(value, date):
        return date_cell(value, style)
    if isinstance(value, bool):
        return f'<c s="{style}" t="b"><v>{int(value)}</v></c>'
    return number_cell(value, style)


def _fmt(value: Any, kind: str) -> str:
    if isinstance(value, (date, datetime)):
        return "yyyy-mm-dd"
    if kind == "pct" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "0.0%"
    return "General"


def _sheet(t: Table, styles: _Styles) -> tuple[list[bytes], str]:
    """The sheet's XML in parts, and its print titles (a defined name of the workbook)."""
    n = len(t.cols)
    last = get_column_letter(n)
    widths = [max(c.min_width, _header_width(c)) for c in t.cols]
    head_style = styles.get(3, 2, 1, "General", "center", True)
    rows = []
    for i, row in enumerate(t.rows):
        bold = i in t.bold
        cells = []
        for j, (c, value) in enumerate(zip(t.cols, row, strict=True)):
            link = (i, j) in t.links
            numeric = c.kind in ("int", "pct", "num") or isinstance(value, (int, float))
            centred = numeric or c.kind in ("date", "mark")
            font = (5 if bold else 4) if link else (3 if bold else 0)
            style = styles.get(font, 3 if bold else 0, 1, _fmt(value, c.kind), "center" if centred else "left",
                               c.kind == "text")
            cells.append(_cell(value, c.kind, style))
            widths[j] = max(widths[j], min(text_width(value) + 2, c.max_width))
        rows.append(f'<row r="{HEADER_ROW + 1 + i}">{"".join(cells)}</row>'.encode())
    widths = [min(max(w, c.min_width), c.max_width) for w, c in zip(widths, t.cols, strict=True)]
    total = sum(widths)
    note_height = 13 * max(1, -(-int(text_width(t.note) * 0.85) // max(int(total), 1)))
    title = styles.get(1, 0, 0, "General", "center", False)
    note = styles.get(2, 0, 0, "General", "left", True)
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, w in enumerate(widths, 1))
    end = HEADER_ROW + max(len(t.rows), 1)
    links = "".join(f'<hyperlink ref="{get_column_letter(j + 1)}{HEADER_ROW + 1 + i}" location={quoteattr(loc)}/>'
                    for (i, j), loc in sorted(t.links.items()))
    landscape = "landscape" if total > LANDSCAPE_WIDTH else "portrait"
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{last}{end}"/><sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{HEADER_ROW}" topLeftCell="A{HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="A{HEADER_ROW + 1}" sqref="A{HEADER_ROW + 1}"/></sheetView>'
            f'</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
            f'<row r="1" ht="30" customHeight="1">{text_cell(t.title, title)}</row>'
            f'<row r="2" ht="{note_height}" customHeight="1">{text_cell(t.note, note)}</row>'
            f'<row r="{HEADER_ROW}" ht="32" customHeight="1">'
            + "".join(text_cell(c.header, head_style) for c in t.cols) + "</row>")
    tail = ("</sheetData>"
            f'<autoFilter ref="A{HEADER_ROW}:{last}{end}"/>'
            f'<mergeCells count="2"><mergeCell ref="A1:{last}1"/><mergeCell ref="A2:{last}2"/></mergeCells>'
            + (f"<hyperlinks>{links}</hyperlinks>" if links else "")
            + '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            f'<pageSetup paperSize="9" orientation="{landscape}" fitToWidth="1" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C&amp;9第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter>'
            "</worksheet>")
    name = quote_sheet(t.name[:31])
    return [head.encode(), *rows, tail.encode()], f"{name}!${HEADER_ROW}:${HEADER_ROW}"


def workbook_bytes(tables: Sequence[Table], title: str) -> bytes:
    """A report's workbook of ``tables`` (each a sheet, in order) as .xlsx bytes."""
    styles = _Styles()
    sheets = [_sheet(t, styles) for t in tables]
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{quote_sheet(t.name[:31])}'
        f"!$A${HEADER_ROW}:${get_column_letter(len(t.cols))}${HEADER_ROW + max(len(t.rows), 1)}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{titles}</definedName>'
        for i, (t, (_, titles)) in enumerate(zip(tables, sheets, strict=True)))
    return package([t.name[:31] for t in tables], names, styles.xml(), [parts for parts, _ in sheets],
                   sum(len(t.rows) for t in tables), title)
