"""validate: raw values → a typed submission (pydantic model built from the pack's form definition),
or field-level findings that say which field, where, what is wrong and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model

from . import values
from .outcomes import Finding
from .pack import FieldDef, FormDef


@dataclass(frozen=True)
class RawValue:
    value: Any
    place: str = ""            # sheet!cell, bookmark name, "第5行「姓名」列"...
    formula: bool = False      # the cell holds a formula typed by staff
    ref: str = ""              # "sheet!A1" when it came from a worksheet cell


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


def _converter(field: FieldDef, date1904: bool):
    if field.type == "date":
        return lambda v: values.to_date(v, date1904)
    if field.type == "int":
        return lambda v: values.to_int(v, field.min, field.max)
    if field.type == "choice":
        return lambda v: values.to_choice(v, field.choices, field.aliases)
    if field.type == "id_number":
        return values.to_id_number

    def text(v: Any) -> str:
        out = values.clean_multiline(v) if field.max_length > 200 else values.clean_text(v, field.compact)
        if len(out) > field.max_length:
            raise ValueError(f"内容过长（{len(out)}字，最多{field.max_length}字），请精简")
        return out

    return text


_PY_TYPES = {"date": Optional[date], "int": Optional[int]}


_MODELS: dict[tuple[int, bool], tuple[FormDef, type[BaseModel]]] = {}


def submission_model(form: FormDef, date1904: bool = False) -> type[BaseModel]:
    """The pydantic model of a form (built once per form definition)."""
    key = (id(form), date1904)
    if key not in _MODELS:
        _MODELS[key] = (form, _build_model(form, date1904))
    return _MODELS[key][1]


def _build_model(form: FormDef, date1904: bool) -> type[BaseModel]:
    fields = {
        f.key: (Annotated[_PY_TYPES.get(f.type, str), BeforeValidator(_converter(f, date1904))],
                None if f.type in _PY_TYPES else "")
        for f in form.fields
    }
    return create_model("Submission", __config__=ConfigDict(extra="ignore"), **fields)  # type: ignore[call-overload]


def validate(form_id: str, form: FormDef, raw: dict[str, RawValue], date1904: bool = False) -> Submission:
    findings: list[Finding] = []
    for f in form.fields:
        rv = raw.get(f.key)
        if rv is not None and rv.formula:
            findings.append(Finding("formula_in_input", "这里填的是公式，不是值", "请直接填写内容，不要以“=”开头",
                                    f.key, f.label, rv.place, ref=rv.ref))
    model = submission_model(form, date1904)
    given = {k: v.value for k, v in raw.items() if not v.formula}
    try:
        typed = model.model_validate(given)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            key = str(err["loc"][0])
            f = form.field(key)
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
            findings.append(Finding("invalid_value", msg, _hint(f), key, f.label if f else key, _place(raw, key),
                                    ref=_ref(raw, key)))
            bad.add(key)
        typed = model.model_validate({k: v for k, v in given.items() if k not in bad})  # the rest, typed
    data = typed.model_dump()
    for f in form.fields:
        if f.required and data.get(f.key) in (None, "") and not any(x.field == f.key for x in findings):
            findings.append(Finding("missing_required", "必填项未填写", f"请填写“{f.label}”", f.key, f.label,
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
    if f is None:
        return ""
    if f.type == "date":
        return "请写成 2023-05-01 的格式"
    if f.type == "choice":
        return f"请从下拉列表中选择：{'、'.join(f.choices)}"
    if f.type == "int":
        return "请填写整数"
    if f.type == "id_number":
        return "请填写18位公民身份号码（单元格设为文本格式）"
    return "请更正后重新提交"
