"""Reporting periods: a year, a half-year, a quarter, a month or any date range, with Vietnamese
labels and the same period of the previous year for comparisons."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from .exceptions import PeriodError

Kind = Literal["year", "half", "nine", "quarter", "month", "range"]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
KINDS = {
    "year": "Năm",
    "half": "6 tháng",
    "nine": "9 tháng",
    "quarter": "Quý",
    "month": "Tháng",
    "range": "Tùy chọn",
}
MONTHS = {"year": 12, "half": 6, "nine": 9, "quarter": 3, "month": 1}  # months a period of each kind spans
FIRST_YEAR, LAST_YEAR = 1900, 2100  # periods outside these years are typing mistakes


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (days above 28 are kept only where the month has them)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class YearStart:
    """The first day of the committee's reporting year: 1 January (the calendar year) or a day of
    December, as in the reporting regime of Nghị định 09/2019/NĐ-CP where year 2024 runs from 15/12/2023
    to 14/12/2024. A year is named after the year it ends in; its halves, quarters and months start on
    the same day of the month (quý I = 15/12–14/3, tháng 5 = 15/4–14/5)."""

    day: int = 1
    month: int = 1

    @classmethod
    def parse(cls, text: str) -> YearStart:
        """``01/01`` or ``15/12`` (any day from 2 to 28 of December)."""
        match = re.fullmatch(r"\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*", str(text))
        if match:
            day, month = int(match[1]), int(match[2])
            if (day, month) == (1, 1) or (month == 12 and 2 <= day <= 28):
                return cls(day, month)
        shown = str(text).strip()[:20]
        raise PeriodError(
            f"Ngày bắt đầu năm báo cáo «{shown}» không dùng được: ghi 01/01 (năm dương lịch) "
            "hoặc một ngày của tháng 12 từ 02/12 đến 28/12, ví dụ 15/12."
        )

    @property
    def calendar(self) -> bool:
        return (self.day, self.month) == (1, 1)

    def first_day(self, year: int) -> dt.date:
        """The first day of reporting year ``year``."""
        return dt.date(year, 1, 1) if self.calendar else dt.date(year - 1, self.month, self.day)

    def year_of(self, day: dt.date) -> int:
        """The reporting year a day belongs to (20/12/2024 is in year 2025 when the year starts on 15/12)."""
        return day.year + (not self.calendar and (day.month, day.day) >= (self.month, self.day))

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}"


CALENDAR = YearStart()


@dataclass(frozen=True)
class Period:
    """A closed date interval with what it is (year, half, …) for labels. A year, half, nine months,
    quarter or month is named after the year and month of its last day, so the labels hold whatever day
    the reporting year starts on."""

    start: dt.date
    end: dt.date
    kind: Kind = "range"

    def __post_init__(self) -> None:
        for day in (self.start, self.end):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise PeriodError(f"Năm {day.year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; kiểm tra lại kỳ đã chọn.")
        if self.end < self.start:
            raise PeriodError(
                f"Khoảng thời gian không hợp lệ: ngày kết thúc {self.end:%d/%m/%Y} trước ngày bắt đầu {self.start:%d/%m/%Y}."
            )

    @classmethod
    def _span(cls, year: int, first_month: int, kind: Kind, year_start: YearStart) -> Period:
        """``MONTHS[kind]`` months from month ``first_month`` (0-based) of reporting year ``year``."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise PeriodError(
                f"Năm {year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}; ghi năm bằng 4 chữ số, ví dụ 2024."
            )
        start = _add_months(year_start.first_day(year), first_month)
        return cls(start, _add_months(start, MONTHS[kind]) - dt.timedelta(days=1), kind)

    @classmethod
    def year(cls, year: int, year_start: YearStart = CALENDAR) -> Period:
        return cls._span(year, 0, "year", year_start)

    @classmethod
    def half(cls, year: int, half: int, year_start: YearStart = CALENDAR) -> Period:
        if half not in (1, 2):
            raise PeriodError(f"Nửa năm phải là 1 hoặc 2, không phải {half}.")
        return cls._span(year, 6 * (half - 1), "half", year_start)

    @classmethod
    def nine_months(cls, year: int, year_start: YearStart = CALENDAR) -> Period:
        """9 tháng đầu năm."""
        return cls._span(year, 0, "nine", year_start)

    @classmethod
    def quarter(cls, year: int, quarter: int, year_start: YearStart = CALENDAR) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(f"Quý phải từ 1 đến 4, không phải {quarter}.")
        return cls._span(year, 3 * (quarter - 1), "quarter", year_start)

    @classmethod
    def month(cls, year: int, month: int, year_start: YearStart = CALENDAR) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"Tháng phải từ 1 đến 12, không phải {month}.")
        return cls._span(year, month - 1, "month", year_start)

    @classmethod
    def parse(cls, text: str, year_start: YearStart = CALENDAR) -> Period:
        """``2024``, ``2024-H1``, ``2024-9T``, ``2024-Q3``, ``2024-05`` or ``2024-03-01..2024-06-30``."""
        text = text.strip()
        patterns = (
            (r"(\d{4})", lambda m: cls.year(int(m[1]), year_start)),
            (r"(\d{4})-?[Hh]([12])", lambda m: cls.half(int(m[1]), int(m[2]), year_start)),
            (r"(\d{4})-?9[Tt]", lambda m: cls.nine_months(int(m[1]), year_start)),
            (r"(\d{4})-?[Qq]([1-4])", lambda m: cls.quarter(int(m[1]), int(m[2]), year_start)),
            (r"(\d{4})-(\d{1,2})", lambda m: cls.month(int(m[1]), int(m[2]), year_start)),
            (
                r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})",
                lambda m: cls(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])),
            ),
        )
        if len(text) > 40:
            text = text[:40] + "…"
        for pattern, build in patterns:
            match = re.fullmatch(pattern, text)
            if match:
                try:
                    return build(match)
                except ValueError:  # a day that does not exist, such as 2024-02-30
                    raise PeriodError(
                        f"Kỳ báo cáo «{text}» chứa một ngày không có thật; kiểm tra lại ngày, tháng."
                    ) from None
        raise PeriodError(
            f"Không hiểu kỳ báo cáo «{text}». Dùng dạng 2024, 2024-H1, 2024-9T, 2024-Q3, 2024-05 "
            "hoặc 2024-03-01..2024-06-30."
        )

    @property
    def year_number(self) -> int:
        """The year the period is named after: the year of its last day (of its first day for a range)."""
        return self.start.year if self.kind == "range" else self.end.year

    @property
    def part(self) -> int:
        """The half, quarter or month number (1 for a year, nine months or range)."""
        return {
            "half": 1 + (self.end.month > 6),
            "quarter": (self.end.month - 1) // 3 + 1,
            "month": self.end.month,
        }.get(self.kind, 1)

    @property
    def key(self) -> str:
        """The inverse of ``parse``: a short text for URLs and file names."""
        y = self.year_number
        return {
            "year": f"{y}",
            "half": f"{y}-H{self.part}",
            "nine": f"{y}-9T",
            "quarter": f"{y}-Q{self.part}",
            "month": f"{y}-{self.part:02d}",
        }.get(self.kind, f"{self.start.isoformat()}..{self.end.isoformat()}")

    @property
    def label(self) -> str:
        """Vietnamese label: "năm 2024", "6 tháng đầu năm 2024", "9 tháng đầu năm 2024", "quý III năm 2024", …"""
        y = self.year_number
        if self.kind == "year":
            return f"năm {y}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.part == 1 else 'cuối'} năm {y}"
        if self.kind == "nine":
            return f"9 tháng đầu năm {y}"
        if self.kind == "quarter":
            return f"quý {ROMAN[self.part]} năm {y}"
        if self.kind == "month":
            return f"tháng {self.part} năm {y}"
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    def previous_year(self) -> Period:
        """The same period one year earlier."""
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1), self.kind)

    def next(self) -> Period | None:
        """The period the section "phương hướng, nhiệm vụ" looks to: the next year, the other half (6 tháng
        đầu năm after 6 tháng cuối năm), quý IV after 9 tháng đầu năm, the next quarter or month; None for
        a range of dates."""
        if self.kind == "range":
            return None
        kind: Kind = "quarter" if self.kind == "nine" else self.kind
        start = self.end + dt.timedelta(days=1)
        return Period(start, _add_months(start, MONTHS[kind]) - dt.timedelta(days=1), kind)

    def next_label(self) -> str:
        """The label of ``next()``: "năm 2025", "6 tháng cuối năm 2024", "quý IV năm 2024", …; the year
        after a range of dates."""
        following = self.next()
        return following.label if following else f"năm {self.end.year + 1}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def comparable(self, data_until: dt.date | None) -> Period:
        """The same span a year earlier, like for like: when the data stops on ``data_until`` before the
        period ends (a year still running, or reports not yet in), the same dates a year earlier."""
        if data_until is None or not self.start <= data_until < self.end:
            return self.previous_year()
        return Period(_shift_year(self.start, -1), _shift_year(data_until, -1))

    def data_until(self, data_until: dt.date | None) -> dt.date | None:
        """The last day with data when the data stops before the period ends (None: the period is covered)."""
        return data_until if data_until is not None and self.start <= data_until < self.end else None

    @property
    def span(self) -> str:
        """``01/01–12/04/2024`` (one year) or ``15/12/2023–14/12/2024``."""
        if self.start.year == self.end.year:
            return f"{self.start:%d/%m}–{self.end:%d/%m/%Y}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


def build(
    kind: str,
    year: int,
    part: int = 1,
    start: dt.date | None = None,
    end: dt.date | None = None,
    year_start: YearStart = CALENDAR,
) -> Period:
    """The period the sidebar widgets describe."""
    if kind == "half":
        return Period.half(year, part, year_start)
    if kind == "nine":
        return Period.nine_months(year, year_start)
    if kind == "quarter":
        return Period.quarter(year, part, year_start)
    if kind == "month":
        return Period.month(year, part, year_start)
    if kind == "range" and start and end:
        return Period(start, end)
    return Period.year(year, year_start)


def part_of(period: Period) -> int:
    """The half, quarter or month number of a period (1 for a year, nine months or range)."""
    return period.part


def months(period: Period) -> list[dt.date]:
    """First day of every month the period touches."""
    first, result = period.start.replace(day=1), []
    while first <= period.end:
        result.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return result
