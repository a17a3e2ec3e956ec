"""Turn raw cell/control values into typed values, accepting the quirks real sheets have.

Every converter raises ``ValueError`` with a Chinese message saying what is wrong and how to fix it.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
_SPACES = re.compile(r"\s+")


class MonthDate(date):
    """A date known only to the month (``2023.05``); stored as the 1st of that month."""

    def isoformat(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")       # how Excel writes a character XML cannot hold: _x000D_


def unescape(text: str) -> str:
    """Excel's _xHHHH_ escapes decoded (a line break typed in a cell arrives as _x000D_)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def clean_text(value: Any, compact: bool = False) -> str:
    """NFKC (full-width digits/letters/spaces → half-width), Excel's _x000D_ escapes decoded, trimmed, inner
    spaces (and the line breaks of a decoded escape) collapsed or removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", unescape(str(value))).replace("\u200b", "")
    text = _SPACES.sub("" if compact else " ", text).strip()
    return text


def clean_multiline(value: Any) -> str:
    if value is None:
        return ""
    lines = [clean_text(line) for line in unescape(str(value)).replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def to_date(value: Any, date1904: bool = False) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value, date1904)
    text = _TIME.sub("", clean_text(value))  # "1990-01-01 00:00:00" as other systems export it
    return _parse_date_text(text.replace(" ", ""), date1904)


def _serial(value: float, date1904: bool) -> date:
    if not 1 <= value < 2958466:
        raise ValueError(f"“{value}”不是有效日期，请写成 2023-05-01 的格式")
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    return epoch + timedelta(days=int(value))


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_TIME = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_MONTH_PATTERN = re.compile(r"(\d{4})[-/.年](\d{1,2})月?")


def _parse_date_text(text: str, date1904: bool = False) -> date:
    text = text.rstrip("号")
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    m = _MONTH_PATTERN.fullmatch(text)
    if m:
        return _month(int(m.group(1)), int(m.group(2)), text)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):  # a serial typed as text
        return _serial(float(text), date1904)
    raise ValueError(f"“{text}”不是可识别的日期，请写成 2023-05-01 的格式")


def _make(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"“{text}”不是有效日期（该月没有这一天或月份有误），请核对") from None


def _month(y: int, m: int, text: str) -> MonthDate:
    if not 1 <= m <= 12 or y < 1000:
        raise ValueError(f"“{text}”不是有效的年月，请核对")
    return MonthDate(y, m, 1)


def to_id_number(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("身份证号码被 Excel 存成了数字，后几位已经丢失；"
                         "请把该列设置为“文本”格式后重新输入完整的18位号码")
    text = clean_text(value, compact=True).upper().lstrip("'")
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        raise ValueError(f"身份证号码显示为科学计数法“{text}”，后几位已经丢失；"
                         "请把该列设置为“文本”格式后重新输入完整的18位号码")
    return text


def to_int(value: Any, lo: int | None = None, hi: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("应填写整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"“{value}”不是整数")
        value = int(value)
    if not isinstance(value, int):
        text = clean_text(value, compact=True)
        m = re.fullmatch(r"第?(\d+)[次期个人天学时]*", text)
        if not m:
            raise ValueError(f"“{text}”不是整数")
        value = int(m.group(1))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{value} 超出范围（应在 {lo} 至 {hi} 之间）")
    return value


_CODE = re.compile(r"^[0-9]{1,4}[_.、:：\-]?(?=\D)")      # 223_正式党员, 95_男, 01 汉族 (other systems' codes)


def to_choice(value: Any, choices: tuple[str, ...], aliases: dict[str, str]) -> str:
    if value is None or value == "":
        return ""
    text = clean_text(value, compact=True)      # ``aliases`` keys are in this form already (pack.model.FieldDef)
    for candidate in (text, _CODE.sub("", text)):
        candidate = aliases.get(candidate, candidate)
        for choice in choices:  # compare in the same normal form (full-width commas become "," in NFKC)
            if clean_text(choice, compact=True) == candidate:
                return choice
    raise ValueError(f"“{text}”不是可选的值，应为：{'、'.join(choices)} 之一")


def name_problem(text: str) -> str:
    """What makes a person's name impossible — control characters and emoji — or "" (other characters are
    kept, and written safely wherever a name goes)."""
    for ch in text:
        if unicodedata.category(ch).startswith("C"):
            return f"姓名中有不可见的控制字符（U+{ord(ch):04X}）"
        if 0x1F000 <= ord(ch) <= 0x1FAFF or 0x2600 <= ord(ch) <= 0x27BF or ord(ch) in (0xFE0F, 0x200D):
            return f"姓名中有表情符号“{ch}”"
    return ""
