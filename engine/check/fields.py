"""The field types a pack's forms use, one class each: how a raw value is typed (accepting what real sheets
hold), what staff are told when it cannot be, the Python type of the typed value, the fact types it may set,
and how a blank roster formats its column."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from ..pack.model import FieldDef
from . import values


class FieldType:
    name: ClassVar[str]
    py: ClassVar[Any] = str              # the typed value (None/"" when empty)
    empty: ClassVar[Any] = ""
    fact_types: ClassVar[tuple[str, ...]] = ("text",)
    excel_format: ClassVar[str] = "@"    # a blank roster's column

    def convert(self, f: FieldDef, value: Any, date1904: bool) -> Any:
        out = values.clean_multiline(value) if f.max_length > 200 else values.clean_text(value, f.compact)
        if len(out) > f.max_length:
            raise ValueError(f"内容过长（{len(out)}字，最多{f.max_length}字），请精简")
        if f.compact and values.name_problem(out):         # a name (compact: written without spaces)
            raise ValueError(values.name_problem(out) + "，请按身份证上的姓名填写")
        return out

    def fix(self, f: FieldDef) -> str:
        """How to put a refused value right (a receipt's 修改方法)."""
        return "请更正后重新提交"

    def hint(self, f: FieldDef) -> str:
        """What a blank roster's header says of the column."""
        return ""


class Text(FieldType):
    name = "text"


class Date(FieldType):
    name = "date"
    py = date | None
    empty = None
    fact_types = ("date", "month")
    excel_format = "yyyy-mm-dd"

    def convert(self, f: FieldDef, value: Any, date1904: bool) -> Any:
        return values.to_date(value, date1904)

    def fix(self, f: FieldDef) -> str:
        return "请写成 2023-05-01 的格式"

    def hint(self, f: FieldDef) -> str:
        return "日期，写成 2026-03-05"


class Choice(FieldType):
    name = "choice"
    excel_format = "General"

    def convert(self, f: FieldDef, value: Any, date1904: bool) -> Any:
        return values.to_choice(value, f.choices, f.aliases)

    def fix(self, f: FieldDef) -> str:
        return f"请填写以下之一：{'、'.join(f.choices)}（本系统发出的表格中可从下拉列表选择）"

    def hint(self, f: FieldDef) -> str:
        return "从下拉列表中选择：" + "、".join(f.choices)


class Int(FieldType):
    name = "int"
    py = int | None
    empty = None
    fact_types = ("number",)
    excel_format = "General"

    def convert(self, f: FieldDef, value: Any, date1904: bool) -> Any:
        return values.to_int(value, f.min, f.max)

    def fix(self, f: FieldDef) -> str:
        return "请填写整数"

    def hint(self, f: FieldDef) -> str:
        return f"整数（{f.min}–{f.max}）" if f.min is not None and f.max is not None else "整数"


class IdNumber(FieldType):
    name = "id_number"

    def convert(self, f: FieldDef, value: Any, date1904: bool) -> Any:
        return values.to_id_number(value)

    def fix(self, f: FieldDef) -> str:
        return "请填写18位公民身份号码（单元格设为文本格式）"

    def hint(self, f: FieldDef) -> str:
        return "18位，本列已设为文本格式，请勿改成数字"


TYPES: dict[str, FieldType] = {t.name: t() for t in (Text, Date, Choice, Int, IdNumber)}


def field_type(f: FieldDef) -> FieldType:
    return TYPES[f.type]
