"""References in a pack: ``form.x`` (the value submitted now), ``case.x`` (a fact of the case) and ``today``
(the engine's clock) — one type, ``Ref``, and one resolver, ``Ref.get``. ``Expr`` is a reference plus calendar
arithmetic (``case.admission_meeting_date + 1 year``, ``case.original_probation_end + form.extend_months month``).

Both are strings (a Ref reads as "form.x" wherever text is wanted), checked when the pack is loaded."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

NAMESPACES = ("form", "case")
_REF = re.compile(r"^(form|case)\.([a-z][a-z0-9_]*)$")
_EXPR = re.compile(r"^\s*((?:form|case)\.[a-z0-9_]+)\s*(?:\+\s*((?:form|case)\.[a-z0-9_]+|-?\d+)\s*([a-z_]+))?\s*$")


class Ref(str):
    """``form.x``, ``case.x`` or ``today``."""

    ns: str
    key: str

    def __new__(cls, text: str) -> Ref:
        if text == "today":
            ref = super().__new__(cls, text)
            ref.ns, ref.key = "today", ""
            return ref
        m = _REF.match(str(text))
        if not m:
            raise ValueError(f"无效的引用 {text!r}（应写成 form.字段、case.事实 或 today）")
        ref = super().__new__(cls, text)
        ref.ns, ref.key = m.group(1), m.group(2)
        return ref

    @classmethod
    def parse(cls, value: Any) -> Ref:
        return value if isinstance(value, Ref) else cls(str(value))

    def get(self, form: Mapping[str, Any], case: Mapping[str, Any], today: date | None = None) -> Any:
        if self.ns == "today":
            return today
        return (form if self.ns == "form" else case).get(self.key)


class Expr(str):
    """A reference, or a reference plus a number of days, months or years (a number or another reference)."""

    base: Ref
    amount: int | Ref | None
    unit: str

    def __new__(cls, text: str) -> Expr:
        m = _EXPR.match(str(text))
        if not m:
            raise ValueError(f"无效的表达式 {text!r}（应写成 case.x 或 case.x + 1 year）")
        expr = super().__new__(cls, text)
        expr.base = Ref(m.group(1))
        amount = m.group(2)
        expr.amount = None if amount is None else int(amount) if amount.lstrip("-").isdigit() else Ref(amount)
        expr.unit = m.group(3) or ""
        return expr

    @classmethod
    def parse(cls, value: Any) -> Expr:
        return value if isinstance(value, Expr) else cls(str(value))

    @property
    def refs(self) -> tuple[Ref, ...]:
        return (self.base, self.amount) if isinstance(self.amount, Ref) else (self.base,)

    def evaluate(self, form: Mapping[str, Any], case: Mapping[str, Any]) -> Any:
        """The value; with arithmetic, a date (None when a part is missing)."""
        from .dates import Duration, add

        base = self.base.get(form, case)
        if self.amount is None:
            return base
        n = self.amount if isinstance(self.amount, int) else self.amount.get(form, case)
        if not isinstance(base, date) or n in (None, ""):
            return None
        return add(base, Duration.parse(f"{int(n)} {self.unit}"))


RefField = Annotated[Ref, PlainValidator(Ref.parse), PlainSerializer(str)]
ExprField = Annotated[Expr, PlainValidator(Expr.parse), PlainSerializer(str)]
