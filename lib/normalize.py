"""Scalar normalisation of what people type into a sheet: names, numbers and dates.

Each function works on one cell value; the cleaner applies them to the *distinct* values of a
column only and maps the results back, so the cost grows with distinct values, not rows.

Number rules (Vietnamese first, documented in the README):
- ``.`` groups thousands and ``,`` is the decimal mark: ``1.265.000`` → 1265000, ``26,5`` → 26.5;
- when both marks appear, the last one is the decimal mark (``1,265.5`` → 1265.5);
- a single ``.`` followed by exactly three digits groups thousands (``4.080`` → 4080), otherwise it
  is a decimal point typed on an English keyboard (``26.5`` → 26.5);
- a trailing multiplier word scales the value: ``nghìn``/``ngàn`` ×10³, ``triệu``/``tr`` ×10⁶,
  ``tỷ`` ×10⁹ (``4.080 triệu`` → 4 080 000 000); a trailing unit (``đồng``, ``đ``, ``km``, …) is ignored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

APOSTROPHES = "'’‘`´ʼ′"
_APOSTROPHE_RE = re.compile(f"\\s*[{APOSTROPHES}]\\s*")
_SPACE_RE = re.compile(r"\s+")
SHEET_EPOCH = dt.date(1899, 12, 30)
SHEET_ERRORS = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!"})


def nfc(text: str) -> str:
    """Compose Unicode (NFD input from some keyboards becomes NFC) and collapse white space."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_name(text: str) -> str:
    """A name as it should be displayed: NFC, single spaces, one straight apostrophe without spaces."""
    return _APOSTROPHE_RE.sub("'", nfc(text))


def fold(value: Any) -> str:
    """Matching key: lower case, no diacritics (đ→d), no apostrophes, hyphens or spaces."""
    return _fold(str(value))


_FOLD_RE = re.compile(rf"[\s{APOSTROPHES}\-_.]+")


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """fold() of a text; cached, since names, words and headers repeat across rows and tabs."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _FOLD_RE.sub("", text.lower())


def is_blank(value: Any) -> bool:
    """True for what a sheet shows as an empty cell."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_sheet_error(value: Any) -> bool:
    """True for a formula error such as ``#REF!`` as the Sheets API returns it."""
    return isinstance(value, str) and value.strip().upper() in SHEET_ERRORS


_MULTIPLIERS = {"nghin": 1e3, "ngan": 1e3, "k": 1e3, "trieu": 1e6, "tr": 1e6, "ty": 1e9, "ti": 1e9}
_NUMBER_RE = re.compile(r"^([+-]?[\d.,\s]*\d[\d.,]*)\s*(.*)$")
_GROUPED_RE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")  # whole numbers, thousands grouped with dots or not


def _plain_number(digits: str) -> float | None:
    digits = digits.replace(" ", "")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        group = "," if decimal == "." else "."
        if digits.count(decimal) > 1:
            return None
        digits = digits.replace(group, "").replace(decimal, ".")
    elif commas:
        digits = digits.replace(",", "") if commas > 1 else digits.replace(",", ".")
    elif dots == 1 and re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", digits):
        digits = digits.replace(".", "")
    elif dots > 1:
        if not re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", digits):
            return None
        digits = digits.replace(".", "")
    try:
        return float(digits)
    except ValueError:
        return None


def parse_number(value: Any) -> float | None:
    """A cell as a float, or None when it cannot be read as a number (see the module rules)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str) and _GROUPED_RE.fullmatch(value):  # the common case: 120, 1.265.000
        return float(value.replace(".", ""))
    match = _NUMBER_RE.match(nfc(str(value)))
    if not match:
        return None
    number = _plain_number(match.group(1))
    if number is None:
        return None
    words = [fold(word) for word in match.group(2).split()]
    if words and words[0] in _MULTIPLIERS:
        number *= _MULTIPLIERS[words.pop(0)]
    if not all(re.fullmatch(r"[a-z²/]+", word) for word in words):
        return None
    return number


_DMY_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_LONG_RE = re.compile(r"^ngay(\d{1,2})thang(\d{1,2})nam(\d{4})$")


def parse_date(value: Any) -> dt.date | None:
    """A cell as a date: a sheet serial number, ``dd/mm/yyyy`` (also ``-`` or ``.``), ISO, or
    ``ngày 5 tháng 3 năm 2024``. Day first, always: Vietnamese sheets never put the month first."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value) or not 1 <= value < 2958466:
            return None
        return SHEET_EPOCH + dt.timedelta(days=int(value))
    text = nfc(str(value))
    for pattern, order in ((_DMY_RE, (2, 1, 0)), (_ISO_RE, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            return _safe_date(*(int(match.group(i + 1)) for i in order))
    match = _LONG_RE.match(fold(text))
    if match:
        return _safe_date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def to_serial(day: dt.date) -> int:
    """The sheet serial number of a date (days since 1899-12-30), as the Sheets API returns it."""
    return (day - SHEET_EPOCH).days
