"""Scalar normalisation of what people type into a sheet: names, numbers and dates.

Each function works on one cell value; the cleaner applies them to the *distinct* values of a
column only and maps the results back, so the cost grows with distinct values, not rows.

Number rules (Vietnamese first, documented in the README):
- ``.`` groups thousands and ``,`` is the decimal mark: ``1.265.000`` → 1265000, ``26,5`` → 26.5;
- when both marks appear, the last one is the decimal mark (``1,265.5`` → 1265.5);
- a single ``.`` followed by exactly three digits groups thousands (``4.080`` → 4080), otherwise it
  is a decimal point typed on an English keyboard (``26.5`` → 26.5);
- thousands may also be grouped with spaces (``1 265 000``) or, English style, with commas when
  there are several (``1,234,567``);
- a trailing multiplier word scales the value: ``nghìn``/``ngàn`` ×10³, ``triệu``/``tr`` ×10⁶,
  ``tỷ`` ×10⁹ (``4.080 triệu`` → 4 080 000 000); a trailing unit (``đồng``, ``đ``, ``km``, …) is ignored.

Separators that fit none of these forms (``1,2,3``, ``0,5,0``, ``1.000.5``) are refused rather than
guessed: ``malformed_number`` tells them apart from text that is no number at all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

APOSTROPHES = "'’‘`´ʼ′"
_APOSTROPHE_RE = re.compile(f"\\s*[{APOSTROPHES}]\\s*")
# White space and control characters (a vertical tab pasted from Word, a stray NUL) become one space.
_SPACE_RE = re.compile(r"[\s\x00-\x08\x0e-\x1b\x7f]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHEET_EPOCH = dt.date(1899, 12, 30)
SHEET_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
        "#GETTING_DATA",
    }
)
_LIBREOFFICE_ERROR_RE = re.compile(r"ERR:\d{3}")  # LibreOffice shows errors as Err:502, Err:504…


def nfc(text: str) -> str:
    """Compose Unicode (NFD input from some keyboards becomes NFC), turn control characters into
    spaces and collapse white space."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_name(text: str) -> str:
    """A name as it should be displayed: NFC, single spaces, one straight apostrophe without spaces."""
    return _APOSTROPHE_RE.sub("'", nfc(text))


def display(value: Any) -> str:
    """A raw cell as the user typed it, for messages: 12.0 → "12"; control characters become spaces."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    text = str(value)
    return _CONTROL_RE.sub(" ", text) if _CONTROL_RE.search(text) else text


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


# Zeros leading a number in a name ("Thôn 01", "Tổ 007"), not those after a decimal mark or inside.
_LEADING_ZEROS_RE = re.compile(r"(?<![\d.,])0+(?=\d)")


def name_key(value: Any) -> str:
    """Matching key of a name: ``fold`` with the zeros that lead a number dropped, so "Thôn 01",
    "thon 1" and "Thôn 1" match while "Thôn 10" stays apart."""
    return _name_key(str(value))


@lru_cache(maxsize=65536)
def _name_key(text: str) -> str:
    return _fold(_LEADING_ZEROS_RE.sub("", text))


_WORD_GAP_RE = re.compile(r"[\s\-_.]+")


def words_key(value: Any) -> str:
    """A name as words without case, accents, apostrophes or leading zeros: "Toàn huyện" and
    "toan huyen" agree; "Dam Rong" and "Da Mrong", which ``name_key`` folds alike, do not (the
    catalogues tell them apart by their exact spelling)."""
    text = unicodedata.normalize("NFD", _LEADING_ZEROS_RE.sub("", str(value)).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(f"[{APOSTROPHES}]", "", text.lower())
    return _WORD_GAP_RE.sub(" ", text).strip()


def is_blank(value: Any) -> bool:
    """True for what a sheet shows as an empty cell."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_sheet_error(value: Any) -> bool:
    """True for a formula error as a sheet returns it: ``#REF!``, ``#N/A``, ``#SPILL!``… (Excel and
    Google Sheets) or ``Err:502`` (LibreOffice)."""
    if not isinstance(value, str) or len(value) > 20:
        return False
    text = value.strip().upper()
    return text in SHEET_ERRORS or bool(_LIBREOFFICE_ERROR_RE.fullmatch(text))


_MULTIPLIERS = {"nghin": 1000, "ngan": 1000, "k": 1000, "trieu": 10**6, "tr": 10**6, "ty": 10**9, "ti": 10**9}
_NUMBER_RE = re.compile(r"^([+-]?)((?:\d|[.,]\d)[\d.,\s]*?)\s*([^\d.,\s].*)?$")
_UNIT_RE = re.compile(r"[a-z²³/]+")
_WHOLE_RE = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+|\d+")  # whole numbers, thousands grouped with dots or not
# Thousands grouped with dots (or spaces), an optional decimal comma: 1.265.000 · 1 265 000 · 26,5 · 1.265,5
_VIETNAMESE_RE = re.compile(r"(?:[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d{0,2}(?: \d{3})+|\d+)?(?:,\d+)?")
# Thousands grouped with commas (or spaces), an optional decimal point: 1,234,567 · 26.5 · 1,265.5
_ENGLISH_RE = re.compile(r"(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?: \d{3})+|\d+)?(?:\.\d+)?")


def _number_parts(value: Any) -> tuple[str, str, int] | None:
    """(sign, digits with their separators, multiplier) of a text that looks like a number followed
    by at most a multiplier word and a unit; None for anything else."""
    match = _NUMBER_RE.match(nfc(str(value)))
    if not match:
        return None
    words = [fold(word) for word in (match.group(3) or "").split()]
    multiplier = _MULTIPLIERS.get(words[0], 1) if words else 1
    units = words[1:] if multiplier > 1 else words
    if not all(_UNIT_RE.fullmatch(word) for word in units):
        return None
    return match.group(1), match.group(2), multiplier


def _plain_number(digits: str) -> Decimal | None:
    """The digits read by the Vietnamese rules first, then the English-keyboard ones; None when the
    separators fit neither (the number is malformed, not guessed)."""
    if _VIETNAMESE_RE.fullmatch(digits):
        return Decimal(digits.replace(".", "").replace(" ", "").replace(",", "."))
    if _ENGLISH_RE.fullmatch(digits):
        return Decimal(digits.replace(",", "").replace(" ", ""))
    return None


def parse_number(value: Any) -> float | None:
    """A cell as a float, or None when it cannot be read as a number (see the module rules)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str) and _WHOLE_RE.fullmatch(value):  # the common case: 120, 1.265.000
        return float(value.replace(".", ""))
    parts = _number_parts(value)
    if parts is None:
        return None
    sign, digits, multiplier = parts
    number = _plain_number(digits)
    if number is None:
        return None
    number *= multiplier  # in decimal: "1,1 triệu" is 1 100 000 exactly
    return float(-number if sign == "-" else number)


_DASH_RE = re.compile(r"\s*[-‐‒–—―−]+\s*")


def is_dash(value: Any) -> bool:
    """True for a cell holding only a dash (``-``, ``–``, ``—``…): Vietnamese sheets write it for
    "nothing" in a number column."""
    return isinstance(value, str) and len(value) < 20 and bool(_DASH_RE.fullmatch(value))


def malformed_number(value: Any) -> bool:
    """True for text shaped like a number whose separators fit no number form (``1,2,3``, ``0,5,0``)."""
    if not isinstance(value, str):
        return False
    parts = _number_parts(value)
    return parts is not None and _plain_number(parts[1]) is None


_DMY_RE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_LONG_RE = re.compile(r"^ngay(\d{1,2})thang(\d{1,2})nam(\d{4})$")


def parse_date(value: Any) -> dt.date | None:
    """A cell as a date: a sheet serial number, ``dd/mm/yyyy`` (also ``-`` or ``.``), ISO, or
    ``ngày 5 tháng 3 năm 2024``. Day first, always: Vietnamese sheets never put the month first."""
    if type(value) is int and 1 <= value < 2958466:  # the common case: a sheet serial number
        return SHEET_EPOCH + dt.timedelta(days=value)
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


_YEAR_RE = re.compile(r"(?:nam)?(\d{4})")
TYPED_YEARS = (1900, 2100)  # a whole number in here, in a date cell, is a year typed alone


def typed_year(value: Any) -> int | None:
    """The year of a date cell that holds only a year (``2025``, ``"2025"``, ``năm 2025``), else None.

    A sheet reads the number 2025 as the serial date 17/07/1905; a whole number between 1900 and
    2100 is taken for a year typed alone, since the serial dates of real activities are far above
    (01/01/2000 is 36526). Serials with a time of day (2025.5) stay dates."""
    if type(value) is int or type(value) is float and value.is_integer():
        return int(value) if TYPED_YEARS[0] <= value <= TYPED_YEARS[1] else None
    if not isinstance(value, str) or len(value) > 20:
        return None
    match = _YEAR_RE.fullmatch(fold(value))
    year = int(match.group(1)) if match else 0
    return year if TYPED_YEARS[0] <= year <= TYPED_YEARS[1] else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def to_serial(day: dt.date) -> int:
    """The sheet serial number of a date (days since 1899-12-30), as the Sheets API returns it."""
    return (day - SHEET_EPOCH).days
