"""The Vietnamese lunar calendar, as far as a report needs it: the day of Tết Nguyên đán and the name of
the lunar year (Can Chi: Giáp Thìn 2024, Ất Tỵ 2025, Bính Ngọ 2026).

Tết is the first new moon of the lunar year computed for Vietnam's time zone (UTC+7) with the
astronomical algorithm of Hồ Ngọc Đức (new moons after Meeus, the sun's longitude for the winter
solstice and the leap month); it differs from the Chinese date in some years (2007, 1985).
"""

from __future__ import annotations

import datetime as dt
import math

from .period import Period

STEMS = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
BRANCHES = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")
TIME_ZONE = 7.0  # hours east of Greenwich
_EPOCH = 2415021.076998695  # the new moon of 1 January 1900 (Julian day)
_SYNODIC = 29.530588853
_ORDINAL_TO_JD = 1721425  # date.toordinal() + this = Julian day number


def year_name(year: int) -> str:
    """The Can Chi name of the lunar year that begins in ``year``: 2024 → Giáp Thìn (1984 was Giáp Tý)."""
    return f"{STEMS[(year - 4) % 10]} {BRANCHES[(year - 4) % 12]}"


def _julian_day(day: dt.date) -> int:
    return day.toordinal() + _ORDINAL_TO_JD


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 -= 0.4068 * math.sin(mpr * dr) - 0.0161 * math.sin(dr * 2 * mpr)
    c1 -= 0.0004 * math.sin(dr * 3 * mpr)
    c1 += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 -= 0.0074 * math.sin(dr * (m - mpr)) - 0.0004 * math.sin(dr * (2 * f + m))
    c1 -= 0.0004 * math.sin(dr * (2 * f - m)) + 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd + c1 - delta


def _new_moon_day(k: int) -> int:
    """The local day (Julian day number) of the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + TIME_ZONE / 24)


def _sun_sector(day_number: int) -> int:
    """The sun's longitude at the start of a local day, in twelfths of the circle (0–11)."""
    t = (day_number - 0.5 - TIME_ZONE / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    longitude -= 2 * math.pi * math.floor(longitude / (2 * math.pi))
    return math.floor(longitude / math.pi * 6)


def _month_11(year: int) -> int:
    """The first day of the 11th lunar month (the one holding the winter solstice) of ``year``."""
    offset = _julian_day(dt.date(year, 12, 31)) - 2415021
    k = math.floor(offset / _SYNODIC)
    day = _new_moon_day(k)
    return _new_moon_day(k - 1) if _sun_sector(day) >= 9 else day


def _leap_month_offset(month_11: int) -> int:
    """Months after month 11 until the first month with no major solar term (the leap month)."""
    k = math.floor((month_11 - _EPOCH) / _SYNODIC + 0.5)
    i, arc = 1, _sun_sector(_new_moon_day(k + 1))
    while True:
        last, i = arc, i + 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def tet(year: int) -> dt.date:
    """The day of Tết Nguyên đán (1st day of the 1st lunar month) in ``year``: 2024 → 10/02/2024."""
    a11, b11 = _month_11(year - 1), _month_11(year)
    k = math.floor(0.5 + (a11 - _EPOCH) / _SYNODIC)
    months = 2  # month 11 → month 12 → month 1
    if b11 - a11 > 365 and _leap_month_offset(a11) <= months:  # a leap 11th or 12th month comes first
        months += 1
    return dt.date.fromordinal(_new_moon_day(k + months) - _ORDINAL_TO_JD)


def tet_in(period: Period) -> int | None:
    """The year whose Tết falls within the period (None when no Tết does, e.g. 6 tháng cuối năm)."""
    for year in range(period.start.year, period.end.year + 1):
        if period.contains(tet(year)):
            return year
    return None
