"""Vietnamese formatting through Babel (vi_VN): 87.255,8 · 65,07% · 5.993.175.000 đồng ·
423,8 triệu đồng · ngày 29 tháng 10 năm 2024. Used by pages, charts' tooltips and the report."""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "vi_VN"
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_LOCALE = Locale.parse(LOCALE)
VEGA_FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đồng"]}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0, *, trim: bool = True) -> str:
    """``87255.8`` → ``87.255,8``; at most ``decimals`` decimals, trailing zeros dropped when ``trim``."""
    if _missing(value):
        return "–"
    return _pattern(decimals, trim).apply(round(value, decimals), _LOCALE)


@cache
def _pattern(decimals: int, trim: bool) -> NumberPattern:
    """The Babel pattern for a number of decimals, parsed once (parsing dominates a format call)."""
    return parse_pattern("#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else ""))


def percent(value: float | None, decimals: int = 2) -> str:
    """A percentage already scaled to 0–100: ``65.07`` → ``65,07%``; ``100.0`` → ``100%``."""
    return "–" if _missing(value) else f"{number(value, decimals)}%"


def money(value: float | None) -> str:
    """Whole đồng: ``5993175000`` → ``5.993.175.000 đồng``."""
    return "–" if _missing(value) else f"{number(value)} đồng"


def millions(value: float | None, decimals: int = 1) -> str:
    """In millions of đồng: ``423800000`` → ``423,8 triệu đồng``; ``4080000000`` → ``4.080 triệu đồng``."""
    return "–" if _missing(value) else f"{number(value / 1e6, decimals)} triệu đồng"


def padded(value: float | None) -> str:
    """Administrative counts below 10 with a leading zero: ``2`` → ``02``, ``24`` → ``24``."""
    if _missing(value):
        return "–"
    return f"{int(value):02d}" if 0 <= value < 10 and float(value).is_integer() else number(value, 1)


def long_date(day: dt.date) -> str:
    """``ngày 05 tháng 12 năm 2024``: leading zero only for days below 10 and months 1–2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date | None) -> str:
    """``29/10/2024``."""
    return "–" if day is None else f"{day:%d/%m/%Y}"


def timestamp(moment: dt.datetime) -> str:
    """``14:05 ngày 29/11/2024`` in Vietnam time (a naive time is taken as already local)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(TIME_ZONE)
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


def compact(value: float | None) -> str:
    """Short form for KPI cards: ``5.993.175.000`` → ``5,99 tỷ``; ``423.800.000`` → ``423,8 triệu``."""
    if _missing(value):
        return "–"
    for size, word, decimals in ((1e9, "tỷ", 2), (1e6, "triệu", 1)):
        if abs(value) >= size:
            return f"{number(value / size, decimals)} {word}"
    return number(value, 1)
