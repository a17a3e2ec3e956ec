"""Report workbooks: a title and a note above a header row, one row per item — frozen header, filters, column
widths that fit the content, real Excel dates, percentages as numbers, A4 (landscape when wide) with the header
repeated on every page, Chinese sheet names. Text from staff is always stored as text (a value beginning with
= + - @ is never a formula)."""
from __future__ import annotations

import io
import unicodedata
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
TITLE_FONT = "黑体"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
HEADER_ROW = 3
LANDSCAPE_WIDTH = 100          # wider than this (in Excel's column units) prints landscape


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"         # text | int | date | pct | num | mark (a short value, centred: 是, 男)
    max_width: float = 30
    min_width: float = 6


@dataclass
class Table:
    name: str                  # the sheet's name (Chinese, ≤ 31 characters)
    title: str
    note: str
    cols: list[Col]
    rows: list[list[Any]] = field(default_factory=list)
    bold: set[int] = field(default_factory=set)                        # rows (0-based) shown as totals
    links: dict[tuple[int, int], str] = field(default_factory=dict)    # (row, col) -> "'sheet'!A5"

    def first_row(self) -> int:
        """The worksheet row of the first data row."""
        return HEADER_ROW + 1


def text_width(value: Any) -> float:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    if isinstance(value, float):
        return 7
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _header_width(c: Col) -> float:
    """A header may wrap onto two lines (the header row is high enough) when its column holds short values."""
    w = text_width(c.header) + 2
    return w if c.kind in ("text", "mark") or w <= 12 else max(w / 2 + 3, 8)


def number_format(value: Any, kind: str) -> str:
    if isinstance(value, date):
        return DATE_FORMAT
    if kind == "pct" and isinstance(value, (int, float)):
        return PERCENT_FORMAT
    return "General"


def put(ws: Worksheet, row: int, col: int, value: Any, kind: str = "text", styled: bool = True) -> Any:
    """A cell with ``value``; with ``styled``, its number format (a date's, a share's) too."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, datetime):
        value = value.date()
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"         # staff text is text, never a formula (=, +, -, @)
    elif styled and number_format(value, kind) != "General":
        cell.number_format = number_format(value, kind)
    return cell


def write_table(wb: Workbook, t: Table) -> Worksheet:
    ws = wb.create_sheet(t.name[:31])
    n = len(t.cols)
    last = get_column_letter(n)
    put(ws, 1, 1, t.title).font = Font(name=TITLE_FONT, size=15, bold=True)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    put(ws, 2, 1, t.note).font = Font(name=FONT, size=9, color="404040")
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    widths = [max(c.min_width, _header_width(c)) for c in t.cols]
    for j, c in enumerate(t.cols, 1):
        cell = put(ws, HEADER_ROW, j, c.header)
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.fill = HEAD_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    styles: dict[tuple[Any, ...], Any] = {}      # a cell's look -> its style, made once (setting fonts is slow)
    for i, row in enumerate(t.rows):
        r = HEADER_ROW + 1 + i
        bold = i in t.bold
        for j, (c, value) in enumerate(zip(t.cols, row, strict=True), 1):
            link = (i, j - 1) in t.links
            cell = put(ws, r, j, value, c.kind, styled=False)
            numeric = c.kind in ("int", "pct", "num") or isinstance(value, (int, float))
            centred = numeric or c.kind in ("date", "mark")
            look = (bold, link, centred, c.kind == "text", number_format(cell.value, c.kind))
            if look in styles:
                cell._style = copy(styles[look])
            else:
                cell.font = Font(name=FONT, size=11, bold=bold, color="0563C1" if link else None,
                                 underline="single" if link else None)
                cell.border = BORDER
                cell.alignment = Alignment(horizontal="center" if centred else "left", vertical="center",
                                           wrap_text=c.kind == "text")
                if bold:
                    cell.fill = TOTAL_FILL
                if look[-1] != "General":
                    cell.number_format = look[-1]
                styles[look] = copy(cell._style)
            if link:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=t.links[(i, j - 1)])
            widths[j - 1] = max(widths[j - 1], min(text_width(value) + 2, c.max_width))
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w, t.cols[j - 1].min_width), t.cols[j - 1].max_width)
    ws.row_dimensions[HEADER_ROW].height = 32
    total = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, n + 1))
    ws.row_dimensions[2].height = 13 * max(1, -(-int(text_width(t.note) * 0.85) // max(int(total), 1)))
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(t.rows), 1)}"
    print_setup(ws, sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, n + 1)))
    return ws


def print_setup(ws: Worksheet, width: float) -> None:
    """A4, landscape when wide, fitted to the page width, the header row repeated, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > LANDSCAPE_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def bar_chart(title: str, data: Worksheet, cats: tuple[int, int, int], series: list[tuple[int, int, int]],
              y_title: str, percent: bool = False, horizontal: bool = False, labels: bool = False) -> BarChart:
    """A clustered bar chart: ``cats`` and each series are (column, first row, last row) of ``data``, the series'
    first row holding its name."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 9, 17
    for col, first, last in series:
        chart.add_data(Reference(data, min_col=col, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(data, min_col=cats[0], min_row=cats[1], max_row=cats[2]))
    if percent:
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
    else:
        chart.y_axis.majorUnit = 1
        chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False      # openpyxl 3.1 hides the axes unless told
    chart.y_axis.delete = False
    if labels:
        chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                         showPercent=False, showLeaderLines=False)
    chart.legend.position = "b"
    return chart


def chart_sheet(wb: Workbook, name: str, title: str, charts: list[BarChart]) -> Worksheet:
    ws = wb.create_sheet(name)
    put(ws, 1, 1, title).font = Font(name=TITLE_FONT, size=15, bold=True)
    for i, chart in enumerate(charts):
        ws.add_chart(chart, f"A{3 + i * 20}")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    return ws


def workbook(tables: list[Table], title: str) -> Workbook:
    wb = Workbook()
    default = wb.active
    for t in tables:
        write_table(wb, t)
    if default is not None:
        wb.remove(default)
    wb.properties.title = title
    wb.properties.creator = "docflow"
    return wb


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
