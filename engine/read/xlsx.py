"""Read .xlsx files: issued forms by defined names (or by label when the names are gone), and
staff-made rosters by their Chinese column headers (with synonyms, title rows, merged headers,
blank and hidden rows)."""
from __future__ import annotations

import functools
import re
import unicodedata
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
SAMPLE_ROWS = 30             # rows under a header whose values say what a column holds


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


_HINT = re.compile(r"[（(【\[〔<＜][^）)】\]〕>＞]*[）)】\]〕>＞]")      # (2019/10/24), （填写“是”“否”）, [必填]
_HEADER_JUNK = re.compile(r"[\s:：*＊·•、,，.。;；'\"“”‘’_]")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def header_key(text: object) -> str:
    """A header as compared with the pack's headers: Excel's _x000D_ escapes decoded, full-width characters
    made half-width (NFKC), bracketed hints, spaces, line breaks, required marks (*) and punctuation removed."""
    return _header_key(text) if isinstance(text, str) and len(text) <= 200 else ""


@functools.lru_cache(maxsize=8192)
def _header_key(text: str) -> str:           # the pack's headers are compared with every cell of a header row
    t = unicodedata.normalize("NFKC", _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return _HEADER_JUNK.sub("", _HINT.sub("", t)).lower()


def header_match(text: object, f: FieldDef) -> bool:
    t = header_key(text)
    return bool(t) and any(t == header_key(h) for h in f.headers)


def scan_header_rows(ws: Worksheet) -> list[tuple]:
    """The values of the rows a header can be on, and of a few rows under it (read once per sheet:
    ``Book.head_rows``)."""
    return list(ws.iter_rows(min_row=1, max_row=min(ws.max_row, HEADER_SCAN_ROWS + SAMPLE_ROWS),
                             max_col=min(ws.max_column, MAX_COLS), values_only=True))


def find_header(rows: list[tuple], form: FormDef) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and field key -> column index; merged two-row headers are combined. A column
    headed by a field's own label is that field's; one headed by a synonym of a field with choices is bound to
    it only when the values under it fit (a 类别 column of 学生/教职工 is not 党员类别), else the next column
    with a matching header is tried."""
    best_row, best = 0, dict[str, list[int]]()
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _match_row(row, form)
        if len(found) > len(best):
            best_row, best = i + 1, found
    if best and best_row < len(rows):  # a second header row under merged group headers
        extra = {k: c for k, c in _match_row(rows[best_row], form).items() if k not in best}
        filled = sum(1 for v in rows[best_row] if header_key(v))
        if extra and 2 * sum(len(c) for c in extra.values()) >= filled:   # headers, not a data row's values
            best.update(extra)
            best_row += 1
    below = rows[best_row:best_row + SAMPLE_ROWS]
    heads = {c: header_key(v) for r in rows[max(best_row - 2, 0):best_row] for c, v in enumerate(r, start=1)
             if header_key(v)}
    chosen: dict[str, int] = {}
    taken: set[int] = set()

    def sample(c: int) -> list[object]:
        return [r[c - 1] for r in below if c - 1 < len(r)]

    for f in form.fields:
        cols = [c for c in best.get(f.key, []) if c not in taken]
        own = [c for c in cols if heads.get(c) == header_key(f.label)]
        fitting = own + [c for c in cols if c not in own and _values_fit(f, sample(c))]
        # two columns for one field (申请入党日期 and 递交入党申请书时间): the one that is filled
        pick = next((c for c in fitting if any(v not in (None, "") for v in sample(c))), fitting[0] if fitting
                    else None)
        if pick is not None:
            chosen[f.key] = pick
            taken.add(pick)
    return best_row, chosen


def _match_row(row: tuple, form: FormDef) -> dict[str, list[int]]:
    """Field key -> the columns whose header names it, left to right."""
    found: dict[str, list[int]] = {}
    for col, value in enumerate(row, start=1):
        key = header_key(value)
        if not key:
            continue
        for f in form.fields:
            if any(key == header_key(h) for h in f.headers):
                found.setdefault(f.key, []).append(col)
    return found


def _values_fit(f: FieldDef, values: list[object]) -> bool:
    """Whether the values under a header can be the field's: for a field with choices, most of them are one
    of its choices (or an alias); other fields take any column."""
    if not f.choices:
        return True
    from ..check.values import to_choice

    filled = [v for v in values if v not in (None, "")]
    if not filled:
        return True
    ok = 0
    for v in filled:
        try:
            to_choice(v, f.choices, f.aliases)
            ok += 1
        except ValueError:
            pass
    return ok * 2 >= len(filled)


def unrecognised(book: Book, ws: Worksheet, form: FormDef) -> list[str]:
    """The headers of the header row that no field of ``form`` took (what the reader ignored)."""
    row, cols = book.header(ws, form)
    if not row:
        return []
    taken = set(cols.values())
    head = book.head_rows(ws)[row - 1]
    return [str(v).strip() for c, v in enumerate(head, start=1) if c not in taken and header_key(v)
            and not re.fullmatch(r"序号|编号|no|备注", header_key(v))]


def score(book: Book, form: FormDef) -> tuple[int, Worksheet | None]:
    """How well the best visible sheet fits ``form``: the columns found, more for the required ones, less for
    each required one missing (identify.choose weighs the kinds)."""
    best, sheet = 0, None
    for ws in book.visible:
        _, cols = book.header(ws, form)
        required = [f for f in form.fields if f.required]
        missing = sum(1 for f in required if f.key not in cols)
        n = len(cols) + sum(1 for f in required if f.key in cols) - 2 * missing
        if n > best:
            best, sheet = n, ws
    return best, sheet


def fits(book: Book, form: FormDef) -> list[tuple[Worksheet, int, list[FieldDef]]]:
    """Each visible sheet with a header for ``form``: (sheet, columns found, required fields missing)."""
    out = []
    for ws in book.visible:
        _, cols = book.header(ws, form)
        if cols:
            out.append((ws, len(cols), [f for f in form.fields if f.required and f.key not in cols]))
    return out


def read_roster(book: Book, ws: Worksheet, form: FormDef, max_rows: int = LIMITS.roster_rows,
                branch_field: str = "", branches: tuple[str, ...] = (), file_name: str = "") -> Roster:
    """The rows of a roster sheet. Skipped, each with a note: hidden rows, example rows, and notes or sign-off
    lines inside or below the data (填表人：…, 说明：…, a merged instruction block). When the sheet has no
    column for ``branch_field``, the branch is taken from a label row above the header (支部名称：…), the
    title, the sheet's name or the file's name (a configured branch named there, or a label's value)."""
    header_row, cols = book.header(ws, form)
    roster = Roster(ws.title, {k: get_column_letter(c) for k, c in cols.items()}, [])
    roster.missing = [f for f in form.fields if f.required and f.key not in cols]
    ignored = unrecognised(book, ws, form)
    if ignored:
        roster.notes.append(f"未识别的列（已忽略，其中的内容没有读取）：{'、'.join(ignored)}")
    context = None
    if branch_field and branch_field not in cols:
        context = branch_from_context(book.head_rows(ws)[:max(header_row - 1, 0)], ws.title, file_name, branches)
        if context is not None:
            roster.missing = [f for f in roster.missing if f.key != branch_field]
            roster.notes.append(f"{form.label_of(branch_field)}取自{context[1]}：{context[0]}")
    if ws.max_row - header_row > max_rows:
        raise InputError(f"名册行数过多（超过{max_rows}行），请拆分后提交", code=Code.TOO_MANY_ROWS)
    width = max(cols.values(), default=1)
    skipped: list[int] = []
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
        if _note_row(ws, r, width):
            skipped.append(r)
            continue
        for k, v in values.items():
            values[k] = RawValue(v.value, f"第{r}行“{form.label_of(k)}”列（{v.place}）", v.formula, v.ref)
        if context is not None:
            values[branch_field] = RawValue(context[0], f"第{r}行（{form.label_of(branch_field)}取自{context[1]}）")
        roster.rows.append(RosterRow(r, values))
    if skipped:
        roster.notes.append(f"第{_spans(skipped)}行是说明或落款（如“填表人”“说明”），不是人员信息，已跳过")
    return roster


_NOTE = re.compile(r"^\s*[（(【\[]?\s*(填表人|制表人|审核人|审批人|负责人|联系人|经办人|填报人|填报单位|填表单位|"
                   r"制表单位|填表日期|制表日期|填报日期|日期|说明|备注|注|填表说明|注意事项|注意|签字|签名|盖章|单位盖章|"
                   r"党组织盖章|书记签字|支部书记)\s*[:：）)】\]]")


def _note_row(ws: Worksheet, r: int, width: int) -> bool:
    """A line of notes or a sign-off in the data area: its cells are labels (填表人：…, 说明：…), or one text
    merged across most of the table (an instruction block)."""
    texts = [(c, ws.cell(r, c).value) for c in range(1, width + 1)]
    filled = [(c, v) for c, v in texts if v not in (None, "") and not (isinstance(v, str) and not v.strip())]
    if not filled:
        return False
    if all(isinstance(v, str) and _NOTE.match(v) for _, v in filled):
        return True
    if len(filled) == 1 and isinstance(filled[0][1], str):
        c = filled[0][0]
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col:
                return rng.max_col - rng.min_col + 1 >= max(3, width // 2)
        return len(filled[0][1]) > 40 and _NOTE.match(filled[0][1]) is not None
    return False


def _spans(rows: list[int]) -> str:
    """5、7、9-12 (rows, in ranges)."""
    out, start, prev = [], rows[0], rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return "、".join(out)


_LABELLED = re.compile(r"(?:所在)?(?:党支部|支部)(?:名称)?\s*[:：]\s*(\S[^，,；;\s]*)")


def branch_from_context(above: list[tuple], sheet: str, file_name: str,
                        branches: tuple[str, ...]) -> tuple[str, str] | None:
    """(branch, where it was found) from what surrounds a roster without a branch column: a label above the
    header (支部名称：第一党支部), a configured branch named in the title, the sheet's name or the file's name."""
    texts = [str(v) for row in above for v in row if isinstance(v, str) and v.strip()]
    for text in texts:
        m = _LABELLED.search(unicodedata.normalize("NFKC", text))
        if m:
            return m.group(1).strip(), "表头上方的“支部名称”"
    known = sorted(branches, key=len, reverse=True)           # the longest first: 第十一党支部 before 第一党支部
    for where, candidates in (("标题", texts), ("工作表名称", [sheet]), ("文件名", [file_name])):
        for text in candidates:
            found = next((b for b in known if b and b in text), None)
            if found:
                return found, where
    return None


_EXAMPLE = re.compile(r"^\s*[（(【\[]?\s*(示例|填写示例|样例|举例|例\s*[:：])")


def _example_row(ws: Worksheet, r: int, last_col: int) -> bool:
    """A row that says it is an example (示例, 填写示例, 例：…) in one of its first cells."""
    for c in range(1, min(last_col, 3) + 1):
        value = ws.cell(r, c).value
        if isinstance(value, str) and _EXAMPLE.match(value):
            return True
    return False
