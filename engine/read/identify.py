"""identify — which form (and which case) a package holds: custom document properties first, then
the marks inside the file (案卷编号 cell/row, title), then roster headers. The file name is not trusted."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..outcomes import Code, Finding, Identity
from ..pack.model import Pack
from . import docx as docx_reader
from . import xlsx as xlsx_reader
from .office import PROP_CASE, PROP_FORM, PROP_PACK, PROP_PERIOD, custom_properties
from .safety import Package


@dataclass
class Opened:
    """A package with its parsed body, parsed once: a ``Book`` (xlsx) or a ``Doc`` (docx)."""

    package: Package
    book: xlsx_reader.Book | None = None
    doc: docx_reader.Doc | None = None


def open_body(pkg: Package) -> Opened:
    if pkg.kind == "xlsx":
        # a package openpyxl cannot take (Strict Open XML, which it reads as no sheets at all; odd parts it
        # trips on): its values through calamine, enough for a staff roster (docflow's forms are ordinary)
        from .foreign import load

        problem: InputError | None = None
        try:
            wb = xlsx_reader.load(pkg)
            if wb.worksheets:
                return Opened(pkg, book=xlsx_reader.Book(wb))
        except InputError as exc:
            problem = exc
        try:
            return Opened(pkg, book=xlsx_reader.Book(load(pkg.data, "xlsx")))
        except InputError:
            if problem is not None:
                raise problem from None
            return Opened(pkg, book=xlsx_reader.Book(wb))
    if pkg.kind in ("xls", "ods"):
        from .foreign import load

        return Opened(pkg, book=xlsx_reader.Book(load(pkg.data, pkg.kind)))
    return Opened(pkg, doc=docx_reader.Doc(docx_reader.body(pkg)))


def identify(pack: Pack, opened: Opened) -> Identity | Finding:
    props = custom_properties(opened.package)
    form_id = props.get(PROP_FORM, "")
    if form_id:
        if form_id not in pack.forms:
            return Finding(Code.UNKNOWN_FORM, f"文件标明的表单“{form_id}”不属于当前流程包（{pack.pack.name}）",
                           "请使用本系统当前生成的表格")
        return Identity(form_id, "form", props.get(PROP_CASE, ""), props.get(PROP_PACK, ""),
                        _int(props.get(PROP_PERIOD)), "properties")
    found = _by_marks(pack, opened)
    if found:
        return found
    if opened.book is None and opened.doc is not None:       # a roster kept as a Word table (备案表)
        tables = xlsx_reader.Book(docx_reader.tables_book(opened.doc.root))
        if tables.wb.sheetnames:
            found_roster = _by_headers(pack, tables)
            if isinstance(found_roster, Identity):
                opened.book = tables
                return found_roster
    if opened.book is not None:
        return _by_headers(pack, opened.book)
    return Finding(Code.UNKNOWN_FORM, "无法识别这是哪一张表：文件中没有本系统表格的标记，也没有可识别的标题",
                   "请使用本系统生成的表格（在 outbox 文件夹中）填写后放回 inbox；不要新建空白文档")


def _by_marks(pack: Pack, opened: Opened) -> Identity | None:
    """Forms whose custom properties were lost: the 案卷编号 field plus the form title."""
    forms = {k: f for k, f in pack.forms.items() if f.kind == "form"}
    if opened.book is not None:
        book = opened.book
        case_id = book.named_text("info_case_id")
        titles = [book.named_text("info_title")] + [ws.title for ws in book.wb.worksheets]
        titles += [str(c.value) for ws in book.wb.worksheets for row in ws.iter_rows(max_row=3) for c in row if c.value]
    else:
        assert opened.doc is not None
        case_id = opened.doc.value("info_case_id", pack.case.number_label)
        titles = docx_reader.leading_text(opened.doc.root)
    titles = [docx_reader.norm_label(t) for t in titles if t]
    for form_id, form in forms.items():
        if any(docx_reader.norm_label(form.label) in t for t in titles) and case_id:
            return Identity(form_id, "form", case_id.strip(), "", None, "marks")
    return None


def _by_headers(pack: Pack, book: xlsx_reader.Book) -> Identity | Finding:
    """A staff-made roster: the kind whose required columns a sheet has, all of them, wins (the most columns
    found first). When none has them all, the closest (columns found, more for required ones, less for each one
    missing) is read — its receipt names each missing column with the names it may go by; when two are about as
    close, the receipt says what each lacks."""
    rosters = {k: f for k, f in pack.forms.items() if f.kind == "roster"}
    if not rosters:
        return Finding(Code.UNKNOWN_FORM, "当前流程包不接收名册", "")
    found = [(k, ws, n, missing) for k, f in rosters.items() for ws, n, missing in xlsx_reader.fits(book, f)]
    complete = [r for r in found if not r[3]]
    if complete:
        form_id, ws, _, _ = max(complete, key=lambda r: r[2])      # the first of equals: the pack's order
        return Identity(form_id, "roster", how="headers", sheet=ws.title)
    def closeness(r: tuple) -> int:          # columns found, more for the required ones, less for each missing
        n_required = sum(1 for f in rosters[r[0]].fields if f.required)
        return r[2] + (n_required - len(r[3])) - 2 * len(r[3])

    near = sorted((r for r in found if r[2] >= 2), key=closeness, reverse=True)
    same = len(near) > 1 and {f.key for f in near[0][3]} == {f.key for f in near[1][3]} and near[0][2] == near[1][2]
    if near and (len(near) == 1 or same or closeness(near[0]) > closeness(near[1]) + 1):   # same: pack order
        form_id, ws, _, _ = near[0]
        return Identity(form_id, "roster", how="headers", sheet=ws.title)
    if near:
        lines = []
        for form_id, ws, n, missing in near[:2]:
            lines.append(f"按“{rosters[form_id].label}”读：工作表“{ws.title}”找到了表头（{n}列），"
                         f"但缺少必填的列：{'、'.join(f.label for f in missing)}")
        return Finding(Code.MISSING_COLUMN, "；".join(lines),
                       "请在表头行补上缺少的列（列名可以是常用的叫法，如“出生年月”“所在支部”），每人一行填写后重新提交")
    labels = "；".join(f"{f.label}（{'、'.join(x.label for x in f.fields if x.required)}）" for f in rosters.values())
    return Finding(Code.UNKNOWN_FORM, "无法识别这张表格：既不是本系统生成的表，也找不到名册的表头",
                   f"名册须有表头行，包含以下列：{labels}")


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
