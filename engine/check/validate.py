"""validate: raw values → a typed submission (pydantic model built from the pack's form definition),
or field-level findings that say which field, where, what is wrong and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model

from ..outcomes import Code, Finding, RawValue, Refused, Seen
from ..pack.model import FieldDef, FormDef
from .fields import field_type


@dataclass(frozen=True)
class Submission:
    """The typed values of a form or roster row. ``problems`` are the field-level findings (a value that
    could not be read, an empty required field, a formula): the fields concerned are None in ``values``,
    and the rules still run on the others, so one receipt can list every problem of the file."""

    form_id: str
    values: dict[str, Any]
    places: dict[str, str]
    refs: dict[str, str]
    problems: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


_MODELS: dict[tuple[int, bool], tuple[FormDef, type[BaseModel]]] = {}


def submission_model(form: FormDef, date1904: bool = False) -> type[BaseModel]:
    """The pydantic model of a form (built once per form definition)."""
    key = (id(form), date1904)
    if key not in _MODELS:
        _MODELS[key] = (form, _build_model(form, date1904))
    return _MODELS[key][1]


def _build_model(form: FormDef, date1904: bool) -> type[BaseModel]:
    def converter(f: FieldDef) -> Any:
        kind = field_type(f)
        return lambda v: kind.convert(f, v, date1904)

    fields = {f.key: (Annotated[field_type(f).py, BeforeValidator(converter(f))], field_type(f).empty)
              for f in form.fields}
    return create_model("Submission", __config__=ConfigDict(extra="ignore"), **fields)  # type: ignore[call-overload]


def validate(form_id: str, form: FormDef, raw: dict[str, RawValue], date1904: bool = False) -> Submission:
    findings: list[Finding] = []
    for f in form.fields:
        rv = raw.get(f.key)
        if rv is not None and rv.formula:
            findings.append(Finding(Code.FORMULA_IN_INPUT, "这里填的是公式，不是值", "请直接填写内容，不要以“=”开头",
                                    f.key, f.label, rv.place, ref=rv.ref))
    model = submission_model(form, date1904)
    given = {k: v.value for k, v in raw.items() if not v.formula}
    try:
        typed = model.model_validate(given)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            key = str(err["loc"][0])
            bad_field = form.field(key)
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
            findings.append(Finding(Code.INVALID_VALUE, msg, _hint(bad_field), key,
                                    bad_field.label if bad_field else key, _place(raw, key), ref=_ref(raw, key)))
            bad.add(key)
        typed = model.model_validate({k: v for k, v in given.items() if k not in bad})  # the rest, typed
    data = typed.model_dump()
    for f in form.fields:
        if f.required and data.get(f.key) in (None, "") and not any(x.field == f.key for x in findings):
            findings.append(Finding(Code.MISSING_REQUIRED, "必填项未填写", f"请填写“{f.label}”", f.key, f.label,
                                    _place(raw, f.key), ref=_ref(raw, f.key)))
    return Submission(form_id, data, {k: v.place for k, v in raw.items()}, {k: v.ref for k, v in raw.items()},
                      tuple(findings))


def placed(f: Finding, sub: Submission) -> Finding:
    """A finding about a field, pointed at where that field's value came from."""
    from dataclasses import replace

    return replace(f, place=sub.places.get(f.field, f.place), ref=sub.refs.get(f.field, f.ref)) if f.field else f


def _place(raw: dict[str, RawValue], key: str) -> str:
    rv = raw.get(key)
    return rv.place if rv else ""


def _ref(raw: dict[str, RawValue], key: str) -> str:
    rv = raw.get(key)
    return rv.ref if rv else ""


def _hint(f: FieldDef | None) -> str:
    return field_type(f).fix(f) if f is not None else ""


# ---------------------------------------------------------------- the validate stage of the road
@dataclass(frozen=True)
class Row:
    number: int                  # the spreadsheet row
    sub: Submission


@dataclass(frozen=True)
class Checked:
    """A read file, typed: an issued form's submission, or a roster's rows (each with its own problems)."""

    reading: Any                 # the Reading it came from
    form: Submission | None = None
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def form_id(self) -> str:
        return self.reading.identity.form_id


def validate_file(eng: Any, reading: Any) -> Checked | Refused | Seen:
    """The validate stage of the road (a refusal or a duplicate passes through)."""
    if isinstance(reading, (Refused, Seen)):
        return reading
    return check(eng.pack, reading)


def check(pack: Any, reading: Any) -> Checked | Refused:
    """Type every value of a Reading. A roster without its required columns or without any row is refused
    as a whole; rows that do not validate keep their problems for the next stage to report."""
    ident = reading.identity
    form = pack.forms[ident.form_id]
    if reading.roster is None:
        return Checked(reading, form=validate(ident.form_id, form, reading.values, reading.date1904))
    roster = reading.roster
    notes = tuple(roster.notes)
    if roster.missing:
        return Refused(tuple(missing_column_findings(roster)), notes, reading.identity.key(reading.name))
    if not roster.rows:
        return Refused((Finding(Code.EMPTY_ROSTER, "名册中没有任何数据行", "请在表头下方逐行填写人员信息"),), notes,
                       reading.identity.key(reading.name))
    rows = tuple(Row(r.number, validate(ident.form_id, form, r.values, reading.date1904)) for r in roster.rows)
    return Checked(reading, rows=rows, notes=notes)


def missing_column_findings(roster: Any) -> list[Finding]:
    return [Finding(Code.MISSING_COLUMN, f"名册中找不到“{f.label}”列", f"请在表头加上“{f.label}”列"
                    + (f"（也可写作：{'、'.join(f.synonyms)}）" if f.synonyms else ""), f.key, f.label,
                    f"工作表“{roster.sheet}”表头") for f in roster.missing]
