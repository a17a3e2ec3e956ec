"""Mainland working days, for the procedure's rules that count them (public notices): pure data from the
chinesecalendar package, no clock, no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkdayCalendar:
    """Mainland working days (holidays and make-up working days from chinesecalendar). Pure: for a year the
    library does not cover, a day counts as a working day Monday to Friday, and ``covers`` says so (the rules
    that count working days then add a warning to their result)."""

    def covers(self, d: date) -> bool:
        try:
            import chinese_calendar

            chinese_calendar.is_workday(d)
            return True
        except (NotImplementedError, ImportError):
            return False

    def is_workday(self, d: date) -> bool:
        try:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(d))
        except (NotImplementedError, ImportError):
            return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start itself not counted)."""
        d, step, left = start, (1 if n >= 0 else -1), abs(n)
        while left:
            d += timedelta(days=step)
            if self.is_workday(d):
                left -= 1
        return d


def fallback_years(calendar: WorkdayCalendar, start: date, end: date) -> list[int]:
    """Years between ``start`` and ``end`` that the holiday calendar does not cover."""
    lo, hi = min(start, end), max(start, end)
    return [y for y in range(lo.year, hi.year + 1) if not calendar.covers(date(y, 6, 1))]
