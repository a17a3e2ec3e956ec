"""Seams for time: a clock and a working-day calendar. Tests pass fixed ones."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

CST = timezone(timedelta(hours=8))  # the mainland's clock, whatever the server says


class Clock(Protocol):
    def today(self) -> date: ...
    def now(self) -> datetime: ...


class SystemClock:
    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        return datetime.now(CST)


@dataclass
class FixedClock:
    day: date

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, 0, tzinfo=CST)


@dataclass
class WorkdayCalendar:
    """Mainland working days (holidays and make-up working days from chinesecalendar).

    For a year the library does not cover, falls back to Monday–Friday and records it in ``notes``.
    """

    notes: list[str] = field(default_factory=list)

    def is_workday(self, d: date) -> bool:
        try:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(d))
        except (NotImplementedError, ImportError):
            note = f"{d.year}年的法定节假日安排尚未收录，已按周一至周五计算工作日"
            if note not in self.notes:
                self.notes.append(note)
            return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start itself not counted)."""
        d, step, left = start, (1 if n >= 0 else -1), abs(n)
        while left:
            d += timedelta(days=step)
            if self.is_workday(d):
                left -= 1
        return d
