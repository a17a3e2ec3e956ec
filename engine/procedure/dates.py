"""Calendar arithmetic: months and years are calendar units clamped to month end, never 30/365 days."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator

from ..errors import PackError

_UNITS = {
    "day": "day", "days": "day", "天": "day", "日": "day",
    "month": "month", "months": "month", "个月": "month", "月": "month",
    "year": "year", "years": "year", "年": "year",
    "working_day": "working_day", "working_days": "working_day", "工作日": "working_day",
}


@dataclass(frozen=True)
class Duration:
    n: int
    unit: str  # day | month | year | working_day

    @classmethod
    def parse(cls, text: str) -> Duration:
        m = re.fullmatch(r"\s*(-?\d+)\s*([a-z_\u4e00-\u9fff]+)\s*", str(text))
        if not m or m.group(2) not in _UNITS:
            raise PackError(f"无法识别的时长：{text!r}（应写成如 \"1 month\"、\"6 months\"、\"5 working_days\"）")
        return cls(int(m.group(1)), _UNITS[m.group(2)])

    def times(self, k: int) -> Duration:
        return Duration(self.n * k, self.unit)

    def zh(self) -> str:
        label = {"day": "天", "month": "个月", "year": "年", "working_day": "个工作日"}[self.unit]
        return f"{self.n}{label}"


def add_months(d: date, months: int) -> date:
    """31 Jan + 1 month = 28/29 Feb (clamped to month end)."""
    y, m0 = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add(d: date, dur: Duration, calendar_=None) -> date:
    """Add a duration; working days need a calendar with ``add_working_days``."""
    if dur.unit == "day":
        return d + timedelta(days=dur.n)
    if dur.unit == "month":
        return add_months(d, dur.n)
    if dur.unit == "year":
        return add_months(d, 12 * dur.n)
    if calendar_ is None:
        raise PackError("按工作日计算需要节假日日历")
    return calendar_.add_working_days(d, dur.n)


def years_between(born: date, on: date) -> int:
    """Full years of age on a date (a birthday on 29 Feb counts from 28 Feb in common years)."""
    years = on.year - born.year
    if add_months(born, 12 * years) > on:
        years -= 1
    return years


def zh_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def zh_month(d: date | None) -> str:
    return f"{d.year}年{d.month}月" if d else ""


def _duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    try:
        return Duration.parse(str(value))
    except PackError as exc:
        raise ValueError(exc.message) from None


DurationField = Annotated[Duration, PlainValidator(_duration), PlainSerializer(lambda d: f"{d.n} {d.unit}")]
