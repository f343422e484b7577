"""Vietnamese formatting through Babel (vi_VN): 87.255,8 · 65,07% · 5.993.175.000 đồng ·
423,8 triệu đồng · ngày 29 tháng 10 năm 2024. Used by pages, charts' tooltips and the report.

Rounding is decimal half-up on the value as written (``538150000`` → ``538,2 triệu đồng``, not the
``538,1`` of ``round()`` on the binary float). Every formatter takes any int, float, Decimal or numpy
number and never raises: a missing or non-finite value is ``–``."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "vi_VN"
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_LOCALE = Locale.parse(LOCALE)
VEGA_FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " đồng"]}
MISSING = "–"  # what every formatter prints for a missing (None, NaN, NaT) or non-finite value
_BABEL_DIGITS = 26  # Babel quantizes under the thread's decimal context (28 digits by default)
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)  # shifts, no rounding
_TEN = Decimal(10)
_LARGEST_PLAIN = 20  # from 10^21 on (far beyond any real figure) a number is written "1,8 × 10³⁰⁸"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _decimal(value: Any) -> Decimal | None:
    """The decimal value as written: ``Decimal(repr(float))`` (``0.1`` is 0.1, not its binary
    approximation); None for a missing, non-finite or non-numeric value."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):  # bool included
        return Decimal(int(value))
    elif isinstance(value, float):  # numpy.float64 included
        return Decimal(float.__repr__(value)) if math.isfinite(value) else None
    else:  # numpy integers and smaller floats print their shortest decimal form; pandas NA does not parse
        try:
            number = Decimal(str(value).strip())
        except (ArithmeticError, ValueError, TypeError):
            try:
                return _decimal(float(value))
            except (TypeError, ValueError, OverflowError):
                return None
    return number if number.is_finite() else None


def _shift(value: Decimal, places: int) -> Decimal:
    """``value × 10^places``, exactly."""
    return value.scaleb(places, context=_EXACT)


def _missing(value: Any) -> bool:
    return _decimal(value) is None


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """Decimal half-up to ``decimals`` places (``538.15`` → ``538.2``); never a negative zero."""
    result = value.quantize(_TEN**-decimals, rounding=ROUND_HALF_UP, context=_EXACT)
    return result.copy_abs() if result.is_zero() else result


def number(value: Any, decimals: int = 0, *, trim: bool = True) -> str:
    """``87255.8`` → ``87.255,8``; at most ``decimals`` decimals (decimal half-up on the value as
    written), trailing zeros dropped when ``trim``; ``–`` for a missing or non-finite value."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    decimals = max(int(decimals), 0)
    if amount.adjusted() > _LARGEST_PLAIN:  # a power of ten, not a row of 300 digits
        exponent = amount.adjusted()
        mantissa = _rounded(_shift(amount, -exponent), 2)
        if mantissa.copy_abs() >= _TEN:  # 9,999 × 10²¹ rounds to 1 × 10²²
            mantissa, exponent = _shift(mantissa, -1), exponent + 1
        return f"{number(mantissa, 2)} × 10{str(exponent).translate(_SUPERSCRIPT)}"
    rounded = _rounded(amount, decimals)
    if rounded.adjusted() + decimals < _BABEL_DIGITS:
        return _pattern(decimals, trim).apply(rounded, _LOCALE)
    with decimal.localcontext(decimal.Context(prec=rounded.adjusted() + decimals + 4)):
        return _pattern(decimals, trim).apply(rounded, _LOCALE)


@cache
def _pattern(decimals: int, trim: bool) -> NumberPattern:
    """The Babel pattern for a number of decimals, parsed once (parsing dominates a format call)."""
    return parse_pattern("#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else ""))


QUANTITY_DECIMALS = 1  # counts and measures (ha, km, ngày công): 87.255,8 ha; 26,5 km
PERCENT_DECIMALS = 2  # percentages: 65,07%
MILLION_DECIMALS = 1  # money in millions of đồng: 423,8 triệu đồng


def quantity(value: Any) -> str:
    """A count or measure with the one precision every page, export and the draft use: ``26.5`` → ``26,5``."""
    return number(value, QUANTITY_DECIMALS)


@dataclass(frozen=True)
class Figure:
    """An indicator's figure as every output writes it: the number's text and the unit it is written in."""

    text: str
    unit: str

    def __str__(self) -> str:
        return f"{self.text} {self.unit}" if self.unit and self.text != MISSING else self.text


def figure(value: Any, unit: str) -> Figure:
    """One rule for an indicator's value wherever it is shown (KPI cards, tables, the draft, the CLI): money
    (unit ``đồng``) in millions, ``2577300000`` → ``2.577,3 triệu đồng``; a percentage ``65,07%``; any other
    unit as a quantity, ``8520`` → ``8.520 người``."""
    if unit == "đồng":
        amount = _decimal(value)
        return Figure(MISSING if amount is None else number(_shift(amount, -6), MILLION_DECIMALS), "triệu đồng")
    if unit == "%":
        return Figure(percent(value), "")
    return Figure(quantity(value), unit)


def place(noun: str, name: str) -> str:
    """A place with its noun, said once: ``xã Rô Men``, and ``xã Đam Rông 1`` for «Xã Đam Rông 1»."""
    return name[:1].lower() + name[1:] if name.lower().startswith(f"{noun.lower()} ") else f"{noun} {name}"


def percent(value: Any, decimals: int = PERCENT_DECIMALS) -> str:
    """A percentage already scaled to 0–100: ``65.07`` → ``65,07%``; ``100.0`` → ``100%``. Pages, charts and
    the draft all use the default precision, so one figure never reads 19,4 % in one place and 19,44 % in another."""
    return MISSING if _missing(value) else f"{number(value, decimals)}%"


def money(value: Any) -> str:
    """Whole đồng: ``5993175000`` → ``5.993.175.000 đồng``."""
    return MISSING if _missing(value) else f"{number(value)} đồng"


def millions(value: Any, decimals: int = MILLION_DECIMALS) -> str:
    """In millions of đồng: ``423800000`` → ``423,8 triệu đồng``; ``4080000000`` → ``4.080 triệu đồng``;
    ``538150000`` → ``538,2 triệu đồng`` (the decimal value is scaled exactly, then rounded half-up)."""
    amount = _decimal(value)
    return MISSING if amount is None else f"{number(_shift(amount, -6), decimals)} triệu đồng"


def padded(value: Any) -> str:
    """Administrative counts below 10 with a leading zero: ``2`` → ``02``, ``24`` → ``24``."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    if 0 <= amount < 10 and amount == amount.to_integral_value():
        return f"{int(amount):02d}"
    return number(amount, 1)


def _no_date(day: Any) -> bool:
    """None, pandas' NaT (which is a datetime that equals nothing) or anything that is not a date."""
    return day is None or not isinstance(day, dt.date) or day != day


def long_date(day: dt.date | None) -> str:
    """``ngày 05 tháng 12 năm 2024``: leading zero only for days below 10 and months 1–2."""
    if _no_date(day):
        return MISSING
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date | None) -> str:
    """``29/10/2024``."""
    return MISSING if _no_date(day) else f"{day.day:02d}/{day.month:02d}/{day.year}"


def cell(value: Any, column: str) -> str:
    """What a table cell shows: a date as 29/10/2024, a figure the Vietnamese way (a percentage when the
    column's name says «(%)»), yes/no in words, a blank as nothing."""
    if isinstance(value, dt.date):
        return short_date(value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return percent(value) if "(%)" in column else quantity(value)
    return "" if value is None else str(value)


def local_date(moment: dt.datetime) -> dt.date:
    """The day ``moment`` falls on in Vietnam (a naive time is taken as already local): from 17:00 UTC it is
    already the next day there, whatever the server's clock is set to."""
    return (moment.astimezone(TIME_ZONE) if moment.tzinfo is not None else moment).date()


def today() -> dt.date:
    """Today in Vietnam."""
    return dt.datetime.now(TIME_ZONE).date()


def timestamp(moment: dt.datetime | None) -> str:
    """``14:05 ngày 29/11/2024`` in Vietnam time (a naive time is taken as already local)."""
    if _no_date(moment) or not isinstance(moment, dt.datetime):
        return MISSING
    if moment.tzinfo is not None:
        moment = moment.astimezone(TIME_ZONE)
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"
