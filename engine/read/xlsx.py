"""Read .xlsx files: issued forms by defined names (or by label when the names are gone), and
staff-made rosters by their Chinese column headers (with synonyms, title rows, merged headers,
blank and hidden rows)."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import InputError
from ..outcomes import Code, RawValue
from ..pack.model import FieldDef, FormDef
from .docx import norm_label
from .safety import LIMITS, Package

MAX_COLS = 80
HEADER_SCAN_ROWS = 12


def load(pkg: Package) -> Workbook:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(pkg.open(), data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for broken parts
        raise InputError(f"Excel 文件内容损坏，无法读取（{type(exc).__name__}）。"
                         "请用 Excel 打开后另存为 .xlsx 再提交", code=Code.CORRUPT_XLSX) from None


def is_1904(wb: Workbook) -> bool:
    return bool(getattr(wb, "epoch", None) and wb.epoch.year == 1904)


class Book:
    """A parsed workbook and what the readers ask of it, each computed once: the defined names, and the
    first rows of each sheet (where a roster's header is looked for)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._names: dict[str, tuple[Worksheet, Cell]] | None = None
        self._heads: dict[str, list[tuple]] = {}
        self._headers: dict[tuple[str, int], tuple[int, dict[str, int]]] = {}

    @property
    def names(self) -> dict[str, tuple[Worksheet, Cell]]:
        if self._names is None:
            self._names = named_cells(self.wb)
        return self._names

    def named_text(self, name: str) -> str:
        if name not in self.names:
            return ""
        value = self.names[name][1].value
        return "" if value is None else str(value).strip()

    def head_rows(self, ws: Worksheet) -> list[tuple]:
        if ws.title not in self._heads:
            self._heads[ws.title] = scan_header_rows(ws)
        return self._heads[ws.title]

    def header(self, ws: Worksheet, form: FormDef) -> tuple[int, dict[str, int]]:
        key = (ws.title, id(form))
        if key not in self._headers:
            self._headers[key] = find_header(self.head_rows(ws), form)
        return self._headers[key]

    @property
    def visible(self) -> list[Worksheet]:
        return [ws for ws in self.wb.worksheets if ws.sheet_state == "visible"]


def place(ws: Worksheet, cell: Cell) -> str:
    return f"工作表“{ws.title}”{cell.coordinate}单元格"


def _raw(ws: Worksheet, cell: Cell) -> RawValue:
    value = cell.value
    formula = cell.data_type == "f" or (isinstance(value, str) and value.startswith("="))
    return RawValue(value, place(ws, cell), formula, f"{ws.title}!{cell.coordinate}")


def _top_left(ws: Worksheet, cell: Cell) -> Cell:
    """The cell holding the value of a merged range (the cell itself when not merged)."""
    anchor = _merge_map(ws).get((cell.row, cell.column))
    return ws.cell(*anchor) if anchor else cell


def _merge_map(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, column) of every merged cell → its range's top-left, built once per sheet."""
    cached = getattr(ws, "_docflow_merges", None)
    if cached is None:
        cached = {(r, c): (rng.min_row, rng.min_col) for rng in ws.merged_cells.ranges
                  if (rng.max_row - rng.min_row + 1) * (rng.max_col - rng.min_col + 1) <= 10_000
                  for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
        ws._docflow_merges = cached
    return cached


# ---------------------------------------------------------------- issued forms
def named_cells(wb: Workbook) -> dict[str, tuple[Worksheet, Cell]]:
    out: dict[str, tuple[Worksheet, Cell]] = {}
    scopes = [(None, wb.defined_names)] + [(ws, ws.defined_names) for ws in wb.worksheets]
    for _, names in scopes:
        for name, dn in names.items():
            try:
                dests = list(dn.destinations)
            except Exception:
                continue
            for title, ref in dests:
                if title in wb.sheetnames:
                    ws = wb[title]
                    first = ref.replace("$", "").split(":")[0]
                    if re.fullmatch(r"[A-Z]{1,3}\d{1,7}", first):
                        out[name] = (ws, _top_left(ws, ws[first]))
                    break
    return out


def read_form(book: Book, form: FormDef) -> dict[str, RawValue]:
    wb, names = book.wb, book.names
    raw: dict[str, RawValue] = {}
    by_label = None
    for f in form.fields:
        if f.key in names:
            ws, cell = names[f.key]
            raw[f.key] = _raw(ws, cell)
            continue
        by_label = by_label if by_label is not None else _label_cells(wb)
        if norm_label(f.label) in by_label:
            raw[f.key] = by_label[norm_label(f.label)]
    return raw


def _label_cells(wb: Workbook) -> dict[str, RawValue]:
    """Fallback when the defined names were lost: the cell right of a label cell (past its merge)."""
    out: dict[str, RawValue] = {}
    for ws in wb.worksheets:
        merged = {c: rng for rng in ws.merged_cells.ranges for c in _coords(rng)}
        for row in ws.iter_rows(max_row=min(ws.max_row, 200), max_col=min(ws.max_column, 30)):
            for cell in row:
                if isinstance(cell.value, str) and norm_label(cell.value) and norm_label(cell.value) not in out:
                    rng = merged.get(cell.coordinate)
                    col = (rng.max_col if rng else cell.column) + 1
                    target = _top_left(ws, ws.cell(cell.row, col))
                    out[norm_label(cell.value)] = _raw(ws, target)
    return out


def _coords(rng) -> list[str]:
    return [f"{get_column_letter(c)}{r}" for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)]


# ---------------------------------------------------------------- rosters
@dataclass
class RosterRow:
    number: int                              # the spreadsheet row number
    values: dict[str, RawValue]


@dataclass
class Roster:
    sheet: str
    columns: dict[str, str]                  # field key -> column letter
    rows: list[RosterRow]
    notes: list[str] = field(default_factory=list)
    missing: list[FieldDef] = field(default_factory=list)


def header_match(text: object, f: FieldDef) -> bool:
    if not isinstance(text, str):
        return False
    t = norm_label(re.sub(r"[（(][^）)]*[）)]", "", text))
    return bool(t) and any(t == norm_label(h) for h in f.headers)


def scan_header_rows(ws: Worksheet) -> list[tuple]:
    """The values of the rows a header can be on (read once per sheet: ``Book.head_rows``)."""
    return list(ws.iter_rows(min_row=1, max_row=min(ws.max_row, HEADER_SCAN_ROWS), max_col=min(ws.max_column, MAX_COLS),
                             values_only=True))


def find_header(rows: list[tuple], form: FormDef) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and field key -> column index; merged two-row headers are combined."""
    best_row, best = 0, dict[str, int]()
    for i, row in enumerate(rows):
        found = _match_row(row, form)
        if len(found) > len(best):
            best_row, best = i + 1, found
    if best and best_row < len(rows):  # a second header row under merged group headers
        extra = {k: c for k, c in _match_row(rows[best_row], form).items() if k not in best}
        if extra:
            best.update(extra)
            best_row += 1
    return best_row, best


def _match_row(row: tuple, form: FormDef) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(row, start=1):
        for f in form.fields:
            if f.key not in found and header_match(value, f):
                found[f.key] = col
                break
    return found


def score(book: Book, form: FormDef) -> tuple[int, Worksheet | None]:
    best, sheet = 0, None
    for ws in book.visible:
        _, cols = book.header(ws, form)
        required = [f for f in form.fields if f.required]
        missing = sum(1 for f in required if f.key not in cols)
        n = len(cols) + sum(1 for f in required if f.key in cols) - 2 * missing
        if n > best:
            best, sheet = n, ws
    return best, sheet


def read_roster(book: Book, ws: Worksheet, form: FormDef, max_rows: int = LIMITS.roster_rows) -> Roster:
    header_row, cols = book.header(ws, form)
    roster = Roster(ws.title, {k: get_column_letter(c) for k, c in cols.items()}, [])
    roster.missing = [f for f in form.fields if f.required and f.key not in cols]
    if ws.max_row - header_row > max_rows:
        raise InputError(f"名册行数过多（超过{max_rows}行），请拆分后提交", code=Code.TOO_MANY_ROWS)
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.row_dimensions[r].hidden:
            if any(ws.cell(r, c).value not in (None, "") for c in cols.values()):
                roster.notes.append(f"第{r}行是隐藏行，已跳过（如需导入请取消隐藏后重新提交）")
            continue
        values = {k: _raw(ws, _top_left(ws, ws.cell(r, c))) for k, c in cols.items()}
        if all(v.value is None or str(v.value).strip() == "" for v in values.values()):
            continue
        if _example_row(ws, r, max(cols.values())):
            roster.notes.append(f"第{r}行是填写示例，已跳过")
            continue
        for k, v in values.items():
            values[k] = RawValue(v.value, f"第{r}行“{form.label_of(k)}”列（{v.place}）", v.formula, v.ref)
        roster.rows.append(RosterRow(r, values))
    return roster


_EXAMPLE = re.compile(r"^\s*[（(【\[]?\s*(示例|填写示例|样例|举例|例\s*[:：])")


def _example_row(ws: Worksheet, r: int, last_col: int) -> bool:
    """A row that says it is an example (示例, 填写示例, 例：…) in one of its first cells."""
    for c in range(1, min(last_col, 3) + 1):
        value = ws.cell(r, c).value
        if isinstance(value, str) and _EXAMPLE.match(value):
            return True
    return False
