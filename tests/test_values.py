from datetime import date, datetime

import pytest

from engine.check.values import MonthDate, clean_text, to_choice, to_date, to_id_number, to_int


@pytest.mark.parametrize("raw, expected", [
    ("2023-05-01", date(2023, 5, 1)), ("2023/5/1", date(2023, 5, 1)), ("2023.5.1", date(2023, 5, 1)),
    ("2023年5月1日", date(2023, 5, 1)), ("２０２３年５月１日", date(2023, 5, 1)), (" 2023-05-01 ", date(2023, 5, 1)),
    ("20230501", date(2023, 5, 1)), ("2023 年 5 月 1 日", date(2023, 5, 1)),
    (datetime(2023, 5, 1, 0, 0), date(2023, 5, 1)), (date(2023, 5, 1), date(2023, 5, 1)),
    (45047, date(2023, 5, 1)), (45047.0, date(2023, 5, 1)), ("45047", date(2023, 5, 1)),
    (None, None), ("", None),
])
def test_dates_in_the_shapes_real_sheets_have(raw, expected):
    assert to_date(raw) == expected


def test_month_only_dates():
    d = to_date("2023.05")
    assert isinstance(d, MonthDate) and (d.year, d.month) == (2023, 5) and d.isoformat() == "2023-05"
    assert isinstance(to_date("2023年5月"), MonthDate)


def test_1904_date_system_serials():
    assert to_date(43585, date1904=True) == date(2023, 5, 1)


@pytest.mark.parametrize("raw", ["2023-02-30", "2023-13-01", "昨天", "2023.13", "5/1/2023"])
def test_bad_dates_say_what_is_wrong(raw):
    with pytest.raises(ValueError) as exc:
        to_date(raw)
    assert "2023-05-01" in str(exc.value) or "有效" in str(exc.value)


def test_id_numbers_stored_as_numbers_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="文本"):
        to_id_number(1.10101199003071e17)
    with pytest.raises(ValueError, match="科学计数法"):
        to_id_number("1.10101E+17")


def test_id_numbers_are_normalised():
    assert to_id_number(" １１０１０１１９９００３０７１２３x ") == "11010119900307123X"


def test_text_full_width_and_spaces():
    assert clean_text("  张　三  ") == "张 三"
    assert clean_text("张　三", compact=True) == "张三"
    assert clean_text(13800000000.0) == "13800000000"


def test_choices_with_aliases():
    assert to_choice(" 本科 ", ("大学本科", "研究生"), {"本科": "大学本科"}) == "大学本科"
    with pytest.raises(ValueError, match="大学本科、研究生"):
        to_choice("小学", ("大学本科", "研究生"), {})


@pytest.mark.parametrize("raw, expected", [(1, 1), (2.0, 2), ("３", 3), ("第2次", 2)])
def test_ints(raw, expected):
    assert to_int(raw, 1, 20) == expected


def test_int_range():
    with pytest.raises(ValueError, match="超出范围"):
        to_int(21, 1, 20)


@pytest.mark.parametrize("raw, expected", [
    ("1990-01-01 00:00:00", date(1990, 1, 1)), ("1990-1-11 0:00", date(1990, 1, 11)),
    ("2023-05-01T00:00:00", date(2023, 5, 1)), ("2023/5/21 12:30", date(2023, 5, 21)),
])
def test_dates_with_a_time_part_as_other_systems_export_them(raw, expected):
    assert to_date(raw) == expected


def test_roster_value_aliases_from_other_systems(pack):
    from engine.check.validate import validate
    from engine.outcomes import RawValue

    form = pack.forms["applicant_roster"]
    raw = {"gender": RawValue("女性"), "education": RawValue("大专学历"), "frontline": RawValue("√")}
    sub = validate("applicant_roster", form, raw)
    found = {f.field for f in sub.problems}
    assert not found & {"gender", "education", "frontline"}
