from datetime import date

import pytest

from engine.errors import PackError
from engine.procedure.dates import Duration, add, add_months, years_between
from engine.procedure.workdays import WorkdayCalendar


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 1, 15), 12, date(2027, 1, 15)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
])
def test_months_are_calendar_months_clamped_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_a_month_is_not_thirty_days():
    assert add(date(2026, 1, 1), Duration.parse("1 month")) == date(2026, 2, 1)
    assert add(date(2026, 2, 1), Duration.parse("1 month")) == date(2026, 3, 1)  # 28 days


@pytest.mark.parametrize("born, on, age", [
    (date(2008, 3, 5), date(2026, 3, 5), 18),   # the 18th birthday itself
    (date(2008, 3, 5), date(2026, 3, 4), 17),   # the day before
    (date(2008, 2, 29), date(2026, 2, 28), 18),  # leap-day birthday counts from 28 Feb
    (date(2008, 2, 29), date(2026, 2, 27), 17),
])
def test_full_years_of_age(born, on, age):
    assert years_between(born, on) == age


@pytest.mark.parametrize("text, dur", [("1 month", Duration(1, "month")), ("6 months", Duration(6, "month")),
                                       ("5 working_days", Duration(5, "working_day")), ("1 year", Duration(1, "year")),
                                       ("0 day", Duration(0, "day"))])
def test_duration_parse(text, dur):
    assert Duration.parse(text) == dur


def test_duration_parse_refuses_nonsense():
    with pytest.raises(PackError):
        Duration.parse("a while")


def test_working_days_follow_the_mainland_calendar():
    cal = WorkdayCalendar()
    # 2025-09-28 (Sunday) was a make-up working day before the National Day holiday (10-01..10-08)
    assert cal.is_workday(date(2025, 9, 28))
    assert not cal.is_workday(date(2025, 10, 1))
    # 5 working days from Friday 2025-09-26: 9-28(Sun, make-up), 9-29, 9-30, then 10-09(Thu), 10-10(Fri)
    assert cal.add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    assert cal.covers(date(2025, 10, 1)) and not cal.covers(date(2099, 10, 1))


def test_working_days_fall_back_to_weekdays_for_years_not_covered():
    cal = WorkdayCalendar()
    assert cal.add_working_days(date(2099, 1, 2), 1) == date(2099, 1, 5)  # Friday → Monday
    assert not cal.covers(date(2099, 1, 2))   # and the rules that count working days say so (test_procedure)
