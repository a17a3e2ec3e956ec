"""read — the identified file's raw values, each with the place it came from; every part parsed once.

    Package (size-checked zip) → Opened (Book | Doc) → Identity → Reading

A form: its raw values by field key, and the person's name printed on it (to catch a form copied for
someone else). A roster: its rows, read under the header that identification found. The parsed workbook
stays in the Reading, so that a refused workbook's marked copy needs no second load."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..outcomes import Finding, Identity, RawValue, Refused, Seen
from ..pack.model import Pack
from . import docx as docx_reader
from . import xlsx as xlsx_reader
from .identify import Opened, identify, open_body
from .safety import LIMITS, Limits, Package, open_package

NAME_MARK = "info_name"   # the cell (or bookmark) where an issued form prints the person's name


@dataclass
class Reading:
    package: Package
    identity: Identity
    opened: Opened
    name: str = ""                                                # the file's name
    values: dict[str, RawValue] = field(default_factory=dict)    # a form's raw values by field key
    shown_name: str = ""                                          # the name printed on an issued form
    roster: xlsx_reader.Roster | None = None                      # a roster's rows
    date1904: bool = False

    @property
    def book(self) -> xlsx_reader.Book | None:
        return self.opened.book


def read_package(pack: Pack, pkg: Package, limits: Limits = LIMITS, name: str = "",
                 branches: tuple[str, ...] = ()) -> Reading | Finding:
    """``branches``: the workspace's, for a roster that names its branch only in its title or name."""
    opened = open_body(pkg)
    ident = identify(pack, opened)
    if isinstance(ident, Finding):
        return ident
    form = pack.forms[ident.form_id]
    book = opened.book
    reading = Reading(pkg, ident, opened, name, date1904=bool(book and xlsx_reader.is_1904(book.wb)))
    if ident.kind == "roster":
        assert book is not None
        reading.roster = _read_sheets(book, ident.sheet, form, limits, pack.case.branch, branches, name)
    elif book is not None:
        reading.values = xlsx_reader.read_form(book, form)
        reading.shown_name = book.named_text(NAME_MARK)
    else:
        assert opened.doc is not None
        reading.values = docx_reader.read_form(opened.doc, form)
        reading.shown_name = opened.doc.value(NAME_MARK, pack.person_label(pack.case.name))
    return reading


def _read_sheets(book: xlsx_reader.Book, first: str, form: Any, limits: Limits, branch_field: str,
                 branches: tuple[str, ...], name: str) -> xlsx_reader.Roster:
    """The identified sheet, and every other visible sheet laid out as the same roster (one sheet per branch is
    how many committees keep theirs), read as one: rows in sheet order, each row's place naming its sheet."""
    roster = xlsx_reader.read_roster(book, book.wb[first], form, limits.roster_rows, branch_field, branches, name)
    if roster.missing:
        return roster
    for ws in book.visible:
        if ws.title == first:
            continue
        _, cols = book.header(ws, form)
        if not cols or any(f.required and f.key not in cols and f.key != branch_field for f in form.fields):
            continue
        more = xlsx_reader.read_roster(book, ws, form, limits.roster_rows, branch_field, branches, name)
        if more.missing or not more.rows:
            continue
        key = getattr(form, "key_field", "") or "name"
        seen = {_key(r, key) for r in roster.rows}
        if all(_key(r, key) in seen for r in more.rows):     # a summary sheet repeating the others (汇总)
            roster.notes.append(f"工作表“{ws.title}”中的人员都已在前面的工作表中，视为汇总表，未重复读取")
            continue
        roster.rows += more.rows
        roster.notes += [f"工作表“{ws.title}”：{n}" for n in more.notes]
        if len(roster.rows) > limits.roster_rows:
            from ..errors import InputError
            from ..outcomes import Code

            raise InputError(f"名册行数过多（超过{limits.roster_rows}行），请拆分后提交", code=Code.TOO_MANY_ROWS)
    return roster


def _key(row: xlsx_reader.RosterRow, key: str) -> str:
    value = row.values.get(key)
    return "" if value is None or value.value is None else str(value.value).strip()


# ---------------------------------------------------------------- the identify + read stage of the road
def read(eng: Any, claimed: Any) -> Reading | Refused | Seen:
    """A claimed file → its Reading; or Seen (the same bytes were processed before); or Refused (not an office
    file, hostile, damaged, or not a form of this pack)."""
    from dataclasses import replace

    from ..signing import INVALID, invalid_finding
    from .office import custom_properties

    first = eng.store.processed(claimed.sha256)
    if first is not None:
        return Seen(first.name, first.at)
    pkg = open_package(claimed.data, claimed.name, eng.limits)
    reading = read_package(eng.pack, pkg, eng.limits, claimed.name,
                           tuple(eng.ws.config.organisation.branches))
    if isinstance(reading, Finding):
        return Refused((reading,), identity=f"file|{claimed.name}")
    ident = reading.identity
    if ident.kind == "form":             # an issued form: is its identity the one this workspace signed?
        verdict = eng.signer.check(ident, custom_properties(pkg))
        if verdict == INVALID:
            return Refused((invalid_finding(ident),), identity=ident.key(claimed.name))
        reading.identity = replace(ident, signature=verdict)
    return reading
